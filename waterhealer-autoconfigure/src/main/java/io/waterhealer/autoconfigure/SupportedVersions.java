package io.waterhealer.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.jspecify.annotations.Nullable;

/**
 * The Spring Boot, spring-kafka and kafka-clients versions waterhealer runs on, checked against what the
 * application's classpath holds.
 * <p>
 * waterhealer links against spring-kafka's container and kafka-clients' consumer APIs of their 4.0 lines; an older
 * jar on the classpath (a dependency-management override, an old BOM) would otherwise surface as a
 * {@code NoSuchMethodError} at the first record, far from the cause. This check runs before any listener is created
 * and names the versions instead. It reads the versions without linking to the libraries (class names and version
 * resources only), so that it still works when one of them is missing or too old to load our classes.
 * <p>
 * Versions newer than those tested are not refused (a patch or minor release usually works): they get one WARN.
 *
 * @param springBoot the Spring Boot version, or {@code null} if unknown (run from classes without a manifest)
 * @param springKafka the spring-kafka version, {@code ""} if spring-kafka is not on the classpath, {@code null} if
 * unknown
 * @param kafkaClients the kafka-clients version, {@code ""} if kafka-clients is not on the classpath, {@code null}
 * if unknown
 */
record SupportedVersions(@Nullable String springBoot, @Nullable String springKafka, @Nullable String kafkaClients) {

	/** The oldest Spring Boot line supported: Boot 4 moved the Kafka auto-configuration that waterhealer orders itself after. */
	static final String MIN_SPRING_BOOT = "4.0.0";

	/** The oldest spring-kafka supported: the line Spring Boot 4.0 manages. */
	static final String MIN_SPRING_KAFKA = "4.0.0";

	/** The oldest kafka-clients supported: the line spring-kafka 4.0 is built against. */
	static final String MIN_KAFKA_CLIENTS = "4.0.0";

	/** The newest lines tested (README "Supported versions"); anything newer gets a WARN, not a failure. */
	static final String TESTED_SPRING_BOOT = "4.0", TESTED_SPRING_KAFKA = "4.0", TESTED_KAFKA_CLIENTS = "4.1";

	private static final String SPRING_KAFKA_CLASS = "org.springframework.kafka.core.KafkaTemplate";

	private static final String KAFKA_CLIENTS_CLASS = "org.apache.kafka.clients.consumer.KafkaConsumer";

	private static final String KAFKA_CLIENTS_VERSION_RESOURCE = "kafka/kafka-version.properties";

	/**
	 * Reads the versions on a classpath.
	 * @param springBootVersion Spring Boot's version as {@code SpringBootVersion} reports it (may be {@code null})
	 * @param classLoader the application's class loader
	 * @return the versions found
	 */
	static SupportedVersions detect(@Nullable String springBootVersion, ClassLoader classLoader) {
		return new SupportedVersions(springBootVersion, springKafkaVersion(classLoader),
				kafkaClientsVersion(classLoader));
	}

	/**
	 * What makes this classpath unsupported, one sentence each with the fix.
	 * @return the problems, empty when every version is supported or unknown
	 */
	List<String> problems() {
		List<String> problems = new ArrayList<>();
		tooOld(problems, "Spring Boot", this.springBoot, MIN_SPRING_BOOT,
				"use Spring Boot 4.0 or newer (the org.springframework.boot parent or BOM)");
		if ("".equals(this.springKafka)) {
			problems.add("spring-kafka is not on the classpath (org.springframework.kafka:spring-kafka, which "
					+ "waterhealer-spring-boot-starter brings through spring-boot-starter-kafka): add it, or depend on "
					+ "the starter without excluding it");
		}
		else {
			tooOld(problems, "spring-kafka", this.springKafka, MIN_SPRING_KAFKA,
					"remove the override of spring-kafka.version and use the version Spring Boot manages");
		}
		if ("".equals(this.kafkaClients)) {
			problems.add("kafka-clients is not on the classpath (org.apache.kafka:kafka-clients): add it, or depend "
					+ "on the starter without excluding it");
		}
		else {
			tooOld(problems, "kafka-clients", this.kafkaClients, MIN_KAFKA_CLIENTS,
					"remove the override of kafka.version and use the version Spring Boot manages");
		}
		return problems;
	}

	/**
	 * The versions newer than the newest tested lines: they are allowed, with one WARN at start-up.
	 * @return a sentence per untested version, empty if none
	 */
	List<String> untested() {
		List<String> untested = new ArrayList<>();
		newer(untested, "Spring Boot", this.springBoot, TESTED_SPRING_BOOT);
		newer(untested, "spring-kafka", this.springKafka, TESTED_SPRING_KAFKA);
		newer(untested, "kafka-clients", this.kafkaClients, TESTED_KAFKA_CLIENTS);
		return untested;
	}

	private static void tooOld(List<String> problems, String library, @Nullable String version, String minimum,
			String fix) {
		if (version != null && known(version) && compare(version, minimum) < 0) {
			problems.add(library + " " + version + " is older than " + minimum + ", the oldest waterhealer supports: "
					+ fix);
		}
	}

	private static void newer(List<String> untested, String library, @Nullable String version, String testedLine) {
		if (version != null && known(version) && compare(line(version), testedLine) > 0) {
			untested.add(library + " " + version + " (tested up to " + testedLine + ".x)");
		}
	}

	private static boolean known(String version) {
		return !version.isEmpty() && Character.isDigit(version.charAt(0));
	}

	private static String line(String version) {
		int[] parts = numbers(version);
		return parts[0] + "." + parts[1];
	}

	/**
	 * Compares the numeric major, minor and patch parts; a qualifier ({@code -M1}, {@code -SNAPSHOT}) is ignored.
	 * @param left a version
	 * @param right another version
	 * @return negative, zero or positive as {@code left} is older, the same or newer
	 */
	static int compare(String left, String right) {
		int[] a = numbers(left);
		int[] b = numbers(right);
		for (int i = 0; i < a.length; i++) {
			if (a[i] != b[i]) {
				return Integer.compare(a[i], b[i]);
			}
		}
		return 0;
	}

	private static int[] numbers(String version) {
		int[] numbers = new int[3];
		String[] parts = version.split("[.\\-]");
		for (int i = 0; i < numbers.length && i < parts.length; i++) {
			String digits = parts[i].replaceFirst("\\D.*", "");
			if (digits.isEmpty()) {
				break;
			}
			numbers[i] = Integer.parseInt(digits);
		}
		return numbers;
	}

	private static @Nullable String springKafkaVersion(ClassLoader classLoader) {
		Class<?> type = load(SPRING_KAFKA_CLASS, classLoader);
		if (type == null) {
			return "";
		}
		return type.getPackage().getImplementationVersion();
	}

	private static @Nullable String kafkaClientsVersion(ClassLoader classLoader) {
		if (load(KAFKA_CLIENTS_CLASS, classLoader) == null) {
			return "";
		}
		try (InputStream in = classLoader.getResourceAsStream(KAFKA_CLIENTS_VERSION_RESOURCE)) {
			if (in == null) {
				return null;
			}
			Properties properties = new Properties();
			properties.load(in);
			return properties.getProperty("version");
		}
		catch (IOException ex) {
			return null;
		}
	}

	private static @Nullable Class<?> load(String className, ClassLoader classLoader) {
		try {
			return Class.forName(className, false, classLoader);
		}
		catch (ClassNotFoundException | LinkageError ex) {
			return null;
		}
	}

}
