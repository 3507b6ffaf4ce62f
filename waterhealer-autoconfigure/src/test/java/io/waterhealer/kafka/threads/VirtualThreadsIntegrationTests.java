package io.waterhealer.kafka.threads;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.waterhealer.Requirement;
import io.waterhealer.kafka.KafkaTestSupport;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With Spring Boot's {@code spring.threads.virtual.enabled=true} on Java 21 or later, handlers run on virtual
 * threads. The build runs on Java 17, so the consumer runs in its own JVM on a newer JDK: the one named by the
 * {@code waterhealer.test.jdk21-home} system property, or Temurin 25 where this project's machines install it.
 * Without one the test is skipped, or fails where the build says {@code -Dwaterhealer.require=jdk25}.
 */
class VirtualThreadsIntegrationTests {

	private static final int RECORDS = 1000;

	@TempDir
	Path work;

	@Test
	void handlersRunOnVirtualThreadsAndAllAreCommitted() throws Exception {
		Path javaHome = newerJdk();
		Requirement.JDK25.assume(javaHome != null, "the virtual-thread test");
		String topic = KafkaTestSupport.uniqueName("virtual");
		String group = KafkaTestSupport.uniqueName("virtual-group");
		KafkaTestSupport.createTopic(topic, 1);
		KafkaTestSupport.sendValues(topic, 0, IntStream.range(0, RECORDS).mapToObj(String::valueOf).toList());
		Path output = this.work.resolve("threads.log");
		List<String> command = new ArrayList<>(List.of(javaHome.resolve("bin/java").toString(), "-Xmx256m", "-cp",
				System.getProperty("java.class.path"), VirtualThreadsApplication.class.getName(),
				"--spring.kafka.bootstrap-servers=" + KafkaTestSupport.bootstrapServers(),
				"--spring.kafka.consumer.group-id=" + group, "--spring.kafka.consumer.auto-offset-reset=earliest",
				"--spring.main.banner-mode=off", "--logging.level.root=WARN", "--spring.threads.virtual.enabled=true",
				"--waterhealer.shutdown.enabled=false", "--threads.topic=" + topic, "--threads.output=" + output));
		File log = this.work.resolve("consumer.out").toFile();
		Process consumer = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
		try {
			TopicPartition partition = new TopicPartition(topic, 0);
			await().atMost(Duration.ofSeconds(90))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> !consumer.isAlive() || KafkaTestSupport.committed(group, partition) == RECORDS);
			assertThat(consumer.isAlive()).as("consumer JVM alive; its output: %s", log).isTrue();
			List<String[]> lines = Files.readAllLines(output).stream().map((line) -> line.split(" ")).toList();
			assertThat(lines).hasSize(RECORDS);
			assertThat(lines).allSatisfy((line) -> {
				assertThat(line[1]).as("virtual thread for offset %s on %s", line[0], line[2]).isEqualTo("true");
				assertThat(line[2]).startsWith("waterhealer-virtual-");
			});
		}
		finally {
			consumer.destroyForcibly();
			consumer.waitFor(10, TimeUnit.SECONDS);
		}
	}

	private static Path newerJdk() throws IOException {
		String configured = System.getProperty("waterhealer.test.jdk21-home");
		List<Path> candidates = new ArrayList<>();
		if (configured != null) {
			candidates.add(Path.of(configured));
		}
		if (Runtime.version().feature() >= 21) {
			candidates.add(Path.of(System.getProperty("java.home")));
		}
		candidates.add(Path.of("/usr/lib/jvm/temurin-25-jdk-amd64"));
		return candidates.stream().filter((home) -> Files.isExecutable(home.resolve("bin/java"))).findFirst().orElse(null);
	}

}
