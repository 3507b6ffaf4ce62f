package io.waterhealer.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.waterhealer.checkpoint.CheckpointStore;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checkpoint values can hold personal data: with the default exposure the endpoint is not reachable over HTTP,
 * although checkpoints are kept in memory.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.kafka.bootstrap-servers=localhost:1", "spring.kafka.listener.auto-startup=false",
				"waterhealer.shutdown.enabled=false" })
class CheckpointExposureTest {

	@LocalServerPort
	int port;

	@Autowired
	CheckpointStore store;

	@Test
	void checkpointsAreNotExposedOverHttpByDefault() throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/actuator/checkpoints")).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(this.store).isNotNull();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

	}

}
