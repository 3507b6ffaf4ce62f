package io.waterhealer.health;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import io.waterhealer.kafka.KafkaTestSupport;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * water-healer's {@code DISABLE_CHECKPOINTING=true} environment variable, set on a real process: checkpoints are not
 * kept and the endpoint does not exist, while the same application without it shows them.
 */
class CheckpointSwitchIntegrationTests {

	@TempDir
	Path work;

	@ParameterizedTest
	@ValueSource(booleans = { true, false })
	void theEnvironmentVariableTurnsCheckpointsOff(boolean disabled) throws Exception {
		String topic = KafkaTestSupport.uniqueName("checkpoint-switch");
		KafkaTestSupport.createTopic(topic, 1);
		KafkaTestSupport.sendValues(topic, 0, List.of("a", "b", "c"));
		int port = BrokerProcess.freePort();
		ProcessBuilder builder = BrokerProcess.java(HealthTestApplication.class.getName(), "--server.port=" + port,
				"--spring.kafka.bootstrap-servers=" + KafkaTestSupport.bootstrapServers(),
				"--spring.kafka.consumer.group-id=" + topic + "-group",
				"--spring.kafka.consumer.auto-offset-reset=earliest", "--spring.main.banner-mode=off",
				"--logging.level.root=WARN", "--health.topic=" + topic,
				"--management.endpoints.web.exposure.include=health,checkpoints",
				"--waterhealer.listener.commit-interval=200ms");
		if (disabled) {
			builder.environment().put("DISABLE_CHECKPOINTING", "true");
		}
		Process app = builder.redirectOutput(this.work.resolve("app.log").toFile()).start();
		try {
			await().atMost(Duration.ofSeconds(60))
				.until(() -> KafkaTestSupport.committed(topic + "-group", new TopicPartition(topic, 0)) == 3L);
			// one response, asserted on; a request that times out on a loaded machine is asked again
			HttpResponse<String> response = await().atMost(Duration.ofSeconds(60))
				.ignoreException(HttpTimeoutException.class)
				.until(() -> HttpClient.newHttpClient()
					.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/checkpoints"))
						.timeout(Duration.ofSeconds(10))
						.build(), HttpResponse.BodyHandlers.ofString()), Objects::nonNull);
			if (disabled) {
				assertThat(response.statusCode()).isEqualTo(404);
			}
			else {
				assertThat(response.statusCode()).isEqualTo(200);
				assertThat(response.body()).contains("\"health\"").contains("\"handle\"").contains(topic);
			}
		}
		finally {
			app.destroyForcibly();
			app.waitFor(30, TimeUnit.SECONDS);
		}
	}

}
