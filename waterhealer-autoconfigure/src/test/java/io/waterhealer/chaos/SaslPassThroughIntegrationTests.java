package io.waterhealer.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.waterhealer.chaos.ProcessingLog.Produced;
import io.waterhealer.chaos.ProcessingLog.Verdict;
import io.waterhealer.health.BrokerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.waterhealer.health.WaterhealerHealthOverHttp.reason;
import static io.waterhealer.health.WaterhealerHealthOverHttp.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Exposure (issue 9, case 6): Kafka security settings in {@code spring.kafka.*} reach waterhealer's consumers
 * unchanged. The broker's only client listener takes SASL/PLAIN; a consumer JVM configured the Spring Boot way
 * ({@code spring.kafka.security.protocol}, {@code spring.kafka.properties.sasl.*}) consumes and commits everything;
 * one with a wrong password does not fail silently: its container stops on the authentication failure, its
 * {@code waterhealer} health goes DOWN saying so ({@code AUTH}) and the log says why. The broker probe's timeout is
 * set far beyond the test, so that the DOWN can only come from the stopped container.
 */
class SaslPassThroughIntegrationTests {

	static final int RECORDS = 500;

	@TempDir
	Path work;

	@Test
	void saslSettingsPassThroughAndWrongCredentialsFailVisibly() throws Exception {
		Map<String, String> users = new LinkedHashMap<>();
		users.put("admin", "admin-secret");
		users.put("alice", "alice-secret");
		try (BrokerProcess broker = new BrokerProcess(this.work.resolve("broker"), users)) {
			broker.start();
			ChaosSupport cluster = new ChaosSupport(broker.clientProperties());
			String topic = "sasl-orders";
			cluster.createTopic(topic, 2);
			Map<String, Produced> produced = cluster.produceKeyed(topic, 0, RECORDS, 20);

			ProcessingLog log = new ProcessingLog();
			Path segment = log.newSegment(this.work, "alice");
			int port = BrokerProcess.freePort();
			Process alice = cluster.startConsumer(topic, "alice-group", segment, this.work.resolve("alice.out"),
					withSasl("alice", "alice-secret", port));
			Path wrongOutput = this.work.resolve("mallory.out");
			int wrongPort = BrokerProcess.freePort();
			Process mallory = cluster.startConsumer(topic, "mallory-group", this.work.resolve("mallory.log"),
					wrongOutput, withSasl("alice", "not-the-password", wrongPort));
			try {
				await().atMost(Duration.ofMinutes(2))
					.pollInterval(Duration.ofMillis(500))
					.until(() -> cluster.allCommitted("alice-group", topic, 2));
				Verdict verdict = log.verify(produced);
				assertThat(verdict.lost()).isEmpty();
				assertThat(verdict.orderViolations()).isEmpty();
				await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> "DOWN".equals(status(wrongPort)));
				// The broker probe's timeout (10 min) is far beyond this test, so only the container rule can say DOWN.
				// The container reports itself stopped a moment before its ConsumerStoppedEvent (which carries the
				// reason) arrives, so the first DOWN may not name AUTH yet; the next evaluation does.
				String expected = "its container stopped on its own (AUTH) (listener 'chaos')";
				await().atMost(Duration.ofSeconds(30))
					.pollInterval(Duration.ofMillis(200))
					.ignoreExceptions()
					.untilAsserted(() -> assertThat(reason(wrongPort))
						.as("health reason of the consumer with the wrong password")
						.isEqualTo(expected));
				String reason = reason(wrongPort);
				assertThat(Files.readString(wrongOutput)).containsIgnoringCase("authentication failed");
				assertThat(Files.exists(this.work.resolve("mallory.log")) ? Files.size(this.work.resolve("mallory.log"))
						: 0).as("records processed with a wrong password").isZero();
				String figure = "SASL/PLAIN: " + verdict.summary() + " through spring.kafka.properties.sasl.*; wrong "
						+ "password: health DOWN (" + reason + ")";
				System.out.println(figure);
				Files.writeString(Path.of("target", "chaos-sasl.txt"), figure + System.lineSeparator());
				assertThat("UP".equals(status(port))).as("the consumer with the right password is UP").isTrue();
			}
			finally {
				ChaosSupport.kill(alice);
				ChaosSupport.kill(mallory);
			}
		}
	}

	private static String[] withSasl(String user, String password, int port) {
		return new String[] { "--spring.kafka.security.protocol=SASL_PLAINTEXT",
				"--spring.kafka.properties.sasl.mechanism=PLAIN",
				"--spring.kafka.properties.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule "
						+ "required username=\"" + user + "\" password=\"" + password + "\";",
				"--server.port=" + port, "--management.endpoints.web.exposure.include=health",
				"--management.endpoint.health.show-details=always", "--waterhealer.shutdown.enabled=true",
				"--waterhealer.shutdown.interval=500ms", "--waterhealer.shutdown.broker-timeout=10m",
				"--waterhealer.shutdown.delay=10m", "--logging.level.org.springframework.kafka=ERROR",
				"--logging.level.org.apache.kafka.clients.NetworkClient=ERROR" };
	}



}
