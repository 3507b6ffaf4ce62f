package io.waterhealer.autoconfigure;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.waterhealer.autoconfigure.compat.CompatibilityApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application whose classpath lost spring-kafka (an exclusion gone wrong) is started for real, in a JVM of its
 * own: it must stop with Spring Boot's failure report naming the missing library, not start with every
 * {@code @HealingListener} silently unregistered.
 */
class UnsupportedClasspathIntegrationTests {

	@TempDir
	Path work;

	@Test
	void withoutTheSpringKafkaJarTheApplicationFailsToStartNamingIt() throws Exception {
		List<String> entries = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
		String trimmed = entries.stream()
			.filter((entry) -> !Path.of(entry).getFileName().toString().startsWith("spring-kafka-"))
			.collect(Collectors.joining(File.pathSeparator));
		assertThat(trimmed.split(File.pathSeparator)).as("the spring-kafka jars were on the test classpath")
			.hasSizeLessThan(entries.size());
		Path java = Path.of(System.getProperty("java.home"), "bin", "java");
		File output = this.work.resolve("application.out").toFile();
		Process application = new ProcessBuilder(java.toString(), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp",
				trimmed, CompatibilityApplication.class.getName(), "--spring.main.banner-mode=off",
				"--logging.level.root=WARN", "--spring.kafka.bootstrap-servers=localhost:1")
			.redirectErrorStream(true)
			.redirectOutput(output)
			.start();
		assertThat(application.waitFor(60, TimeUnit.SECONDS)).as("the application exited").isTrue();
		String log = Files.readString(output.toPath(), StandardCharsets.UTF_8);
		assertThat(application.exitValue()).as(log).isNotZero();
		assertThat(log).contains("APPLICATION FAILED TO START")
			.contains("waterhealer cannot run on this classpath:")
			.contains("- spring-kafka is not on the classpath (org.springframework.kafka:spring-kafka")
			.contains("Action:")
			.doesNotContain("NoClassDefFoundError");
	}

}
