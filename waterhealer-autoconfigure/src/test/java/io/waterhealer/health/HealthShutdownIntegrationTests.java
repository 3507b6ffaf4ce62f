package io.waterhealer.health;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.waterhealer.health.WaterhealerHealthOverHttp.Component;
import io.waterhealer.kafka.KafkaTestSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.waterhealer.health.WaterhealerHealthOverHttp.read;
import static io.waterhealer.health.WaterhealerHealthOverHttp.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The health indicator and the shutdown, each against an application in its own JVM, as Kubernetes would see it:
 * over HTTP, and by the process's exit status. Timeouts are seconds instead of minutes.
 */
class HealthShutdownIntegrationTests {

	static final int EXIT_CODE = 3;

	@TempDir
	Path work;

	private final List<Process> processes = new ArrayList<>();

	@AfterEach
	void stopProcesses() throws InterruptedException {
		for (Process process : this.processes) {
			process.destroyForcibly();
			process.waitFor(30, TimeUnit.SECONDS);
		}
	}

	@Test
	void aHandlerThatBlocksForeverTurnsHealthDownAndTheProcessExits() throws Exception {
		String topic = topicWith(KafkaTestSupport.bootstrapServers(), 5);
		int port = BrokerProcess.freePort();
		Process app = startApp(KafkaTestSupport.bootstrapServers(), topic, port, "--health.block-at=2",
				"--waterhealer.shutdown.stall-timeout=3s", "--waterhealer.shutdown.delay=2s");
		await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> "UP".equals(status(port)));
		long upAt = System.nanoTime();
		Component down = await().atMost(Duration.ofSeconds(30))
			.ignoreExceptions()
			.until(() -> read(port), Component::isDown);
		assertThat(down.reason()).contains("stalled").contains("listener 'health'").contains(topic + "-0");
		assertThat(app.waitFor(3 + 2 + 10, TimeUnit.SECONDS)).as("exited within stall + delay + 10 s").isTrue();
		assertThat(app.exitValue()).isEqualTo(EXIT_CODE);
		System.out.printf("blocked handler: exit %d after %.1f s of UP%n", app.exitValue(),
				(System.nanoTime() - upAt) / 1e9);
		assertThat(KafkaTestSupport.committed(topic + "-group", new TopicPartition(topic, 0))).isEqualTo(2L);
	}

	@Test
	void aConsumerWithNothingToDoStaysUpAndAlive() throws Exception {
		String topic = topicWith(KafkaTestSupport.bootstrapServers(), 0);
		int port = BrokerProcess.freePort();
		Process app = startApp(KafkaTestSupport.bootstrapServers(), topic, port,
				"--waterhealer.shutdown.stall-timeout=2s", "--waterhealer.shutdown.delay=0s");
		await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> "UP".equals(status(port)));
		// a probe that times out on a loaded machine is not what this test is about; a refused connection (the
		// application exited) and any status but UP are, so they are seen and not retried away
		List<String> statuses = new CopyOnWriteArrayList<>();
		await().during(Duration.ofSeconds(6))
			.atMost(Duration.ofSeconds(20))
			.ignoreException(HttpTimeoutException.class)
			.until(() -> {
				String status = status(port);
				statuses.add(status);
				return app.isAlive() && "UP".equals(status);
			});
		assertThat(statuses).as("statuses while idle").containsOnly("UP");
		assertThat(app.isAlive()).as("alive after six seconds with nothing to do").isTrue();
	}

	@Test
	void anExceptionDeclaredFatalExits() throws Exception {
		String topic = topicWith(KafkaTestSupport.bootstrapServers(), 5);
		int port = BrokerProcess.freePort();
		Process app = startApp(KafkaTestSupport.bootstrapServers(), topic, port, "--health.fatal-at=1",
				"--waterhealer.shutdown.fatal-exceptions=java.lang.IllegalArgumentException",
				"--waterhealer.shutdown.delay=1s");
		assertThat(app.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(app.exitValue()).isEqualTo(EXIT_CODE);
		assertThat(KafkaTestSupport.committed(topic + "-group", new TopicPartition(topic, 0))).isEqualTo(1L);
	}

	@Test
	void aLostBrokerTurnsHealthDownAndTheProcessExits() throws Exception {
		try (BrokerProcess broker = new BrokerProcess(this.work.resolve("broker-lost"))) {
			broker.start();
			String topic = topicWith(broker.bootstrapServers(), 3);
			int port = BrokerProcess.freePort();
			Process app = startApp(broker.bootstrapServers(), topic, port,
					"--waterhealer.shutdown.broker-timeout=3s", "--waterhealer.shutdown.delay=2s");
			await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> "UP".equals(status(port)));
			await().atMost(Duration.ofSeconds(30))
				.until(() -> KafkaTestSupport.committedAt(broker.bootstrapServers(), topic + "-group",
						new TopicPartition(topic, 0)) == 3L);
			broker.kill();
			Component down = await().atMost(Duration.ofSeconds(30))
				.ignoreExceptions()
				.until(() -> read(port), Component::isDown);
			assertThat(down.reason()).contains("Kafka cluster has not answered");
			assertThat(app.waitFor(30, TimeUnit.SECONDS)).isTrue();
			assertThat(app.exitValue()).isEqualTo(EXIT_CODE);
		}
	}

	@Test
	void aBrokerThatReturnsBeforeTheDelayBringsHealthBackUpWithoutExit() throws Exception {
		try (BrokerProcess broker = new BrokerProcess(this.work.resolve("broker-back"))) {
			broker.start();
			String topic = topicWith(broker.bootstrapServers(), 3);
			int port = BrokerProcess.freePort();
			Process app = startApp(broker.bootstrapServers(), topic, port,
					"--waterhealer.shutdown.broker-timeout=2s", "--waterhealer.shutdown.delay=60s");
			await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> "UP".equals(status(port)));
			broker.kill();
			await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> "DOWN".equals(status(port)));
			broker.start();
			await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> "UP".equals(status(port)));
			assertThat(app.isAlive()).isTrue();
			try (KafkaProducer<String, String> producer = producer(broker.bootstrapServers())) {
				producer.send(new ProducerRecord<>(topic, 0, null, "after the outage")).get(30, TimeUnit.SECONDS);
			}
			await().atMost(Duration.ofSeconds(60))
				.until(() -> KafkaTestSupport.committedAt(broker.bootstrapServers(), topic + "-group",
						new TopicPartition(topic, 0)) == 4L);
			assertThat(app.isAlive()).isTrue();
		}
	}

	private Process startApp(String servers, String topic, int port, String... extra) throws IOException {
		List<String> args = new ArrayList<>(List.of("--server.port=" + port, "--spring.kafka.bootstrap-servers=" + servers,
				"--spring.kafka.consumer.group-id=" + topic + "-group", "--spring.kafka.consumer.auto-offset-reset=earliest",
				"--spring.main.banner-mode=off", "--logging.level.root=WARN", "--logging.level.io.waterhealer=INFO",
				"--health.topic=" + topic, "--management.endpoints.web.exposure.include=health",
				"--management.endpoint.health.show-details=always", "--waterhealer.listener.commit-interval=200ms",
				"--waterhealer.shutdown.interval=500ms", "--waterhealer.shutdown.exit-code=" + EXIT_CODE,
				"--spring.kafka.consumer.properties.reconnect.backoff.max.ms=1000"));
		args.addAll(List.of(extra));
		Process process = BrokerProcess.java(HealthTestApplication.class.getName(), args.toArray(String[]::new))
			.redirectOutput(this.work.resolve("app-" + port + ".log").toFile())
			.start();
		this.processes.add(process);
		return process;
	}

	private static String topicWith(String servers, int records) throws Exception {
		String topic = KafkaTestSupport.uniqueName("health");
		try (Admin admin = Admin.create(java.util.Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
			admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
		}
		if (records > 0) {
			try (KafkaProducer<String, String> producer = producer(servers)) {
				for (int i = 0; i < records; i++) {
					producer.send(new ProducerRecord<>(topic, 0, null, "record-" + i)).get(30, TimeUnit.SECONDS);
				}
			}
		}
		return topic;
	}

	private static KafkaProducer<String, String> producer(String servers) {
		return new KafkaProducer<>(java.util.Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
				ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
				ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
	}

}
