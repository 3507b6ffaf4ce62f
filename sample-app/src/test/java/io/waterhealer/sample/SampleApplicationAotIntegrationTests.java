package io.waterhealer.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample started the way an AOT-processed application runs, and the way a native image would run it: in a JVM of
 * its own with {@code -Dspring.aot.enabled=true}, so its bean definitions come from the code
 * {@code spring-boot:process-aot} generated into {@code target/classes} (the {@code verify} build runs that goal
 * before this test), not from classpath scanning and condition evaluation. There is no GraalVM here; this run is the
 * native check that can be made. The broker is started by the test so that the committed offsets can be read from
 * it with Kafka's own admin client while the sample runs.
 */
class SampleApplicationAotIntegrationTests {

	private static final int RECORDS = 500;

	private static final String AOT_INITIALIZER = SampleApplication.class.getName()
			+ "__ApplicationContextInitializer";

	private final EmbeddedKafkaBroker broker = new EmbeddedKafkaKraftBroker(1, 1)
		.brokerListProperty(EmbeddedKafkaBroker.SPRING_EMBEDDED_KAFKA_BROKERS);

	private Admin admin;

	private Process sample;

	private Path log;

	@BeforeEach
	void startBroker() {
		this.broker.afterPropertiesSet();
		this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.broker.getBrokersAsString()));
	}

	@AfterEach
	void stopAll() throws Exception {
		if (this.sample != null) {
			this.sample.destroy();
			if (!this.sample.waitFor(30, TimeUnit.SECONDS)) {
				this.sample.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		this.admin.close();
		this.broker.destroy();
	}

	@Test
	void theAotProcessedSampleCommitsEveryRecordOfBothListeners() throws Exception {
		assertThat(getClass().getClassLoader().getResource(AOT_INITIALIZER.replace('.', '/') + ".class"))
			.as("%s, which spring-boot:process-aot generates: run this test through `./mvnw -B verify`",
					AOT_INITIALIZER)
			.isNotNull();
		this.log = Files.createTempFile(Path.of("target"), "sample-aot-", ".log");
		this.sample = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Dspring.aot.enabled=true", "-cp", System.getProperty("java.class.path"),
				SampleApplication.class.getName(), "--spring.kafka.bootstrap-servers=" + this.broker.getBrokersAsString(),
				"--server.port=0", "--sample.demo.records=" + RECORDS, "--sample.demo.rate=0",
				"--sample.processing.failure-rate=0.1", "--waterhealer.listener.commit-interval=200ms",
				"--waterhealer.retry.max-interval=500ms")
			.redirectErrorStream(true)
			.redirectOutput(this.log.toFile())
			.start();

		await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
			assertThat(this.sample.isAlive()).as("the sample is running; its log:%n%s", log()).isTrue();
			Map<TopicPartition, Long> ends = endOffsets("payments");
			assertThat(ends.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(RECORDS);
			assertThat(committedOffsets("payments")).isEqualTo(ends);
			Map<TopicPartition, Long> booked = endOffsets("payments-booked");
			assertThat(booked.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(RECORDS);
			assertThat(committedOffsets("booking-report")).isEqualTo(booked);
		});
		assertThat(log()).as("Spring Boot's start-up line of an AOT-processed application")
			.contains("Starting AOT-processed SampleApplication");
		assertThat(endOffsets("payments")).hasSize(6);
	}

	private String log() throws IOException {
		return Files.readString(this.log);
	}

	private Map<TopicPartition, Long> committedOffsets(String group) throws Exception {
		return BrokerOffsets.committed(this.admin, group);
	}

	/** Empty until the sample created the topic. */
	private Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
		if (!this.admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(topic)) {
			return Map.of();
		}
		return BrokerOffsets.end(this.admin, topic);
	}

}
