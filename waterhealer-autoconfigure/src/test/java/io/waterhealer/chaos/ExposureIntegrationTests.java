package io.waterhealer.chaos;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.jayway.jsonpath.JsonPath;
import io.waterhealer.HealingListener;
import io.waterhealer.actuate.CheckpointsEndpoint;
import io.waterhealer.checkpoint.CheckpointStore;
import io.waterhealer.kafka.KafkaTestSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Exposure (issue 9, case 6), over real HTTP on a random port. Boot exposes only {@code /actuator/health} by default;
 * these cases pin what waterhealer adds to that: the starter ships no exposure of its own (a starter that widened it,
 * e.g. with an {@code application.properties} of its own, would show every endpoint); it keeps the checkpoints, whose
 * values can hold personal data, yet creates their endpoint only once the user exposes it; then it answers
 * without the values (unless {@code waterhealer.checkpoint.show-values} opts in) and cannot be cleared without an
 * explicit access level; and its health details never carry a checkpoint value.
 */
class ExposureIntegrationTests {

	static final String PERSONAL = "Jane Doe, born 1984-02-29, IBAN DE89370400440532013000";

	@Test
	void withTheStartersDefaultsOnlyHealthIsExposedAndTheKeptValuesHaveNoEndpoint() throws Exception {
		try (ConfigurableApplicationContext context = start()) {
			int port = port(context);
			assertThat(get(port, "/actuator/health").statusCode()).isEqualTo(200);
			java.util.Map<String, Object> links = JsonPath.read(get(port, "/actuator").body(), "$._links");
			assertThat(links.keySet()).as("the starter adds no exposure to Boot's").containsExactlyInAnyOrder("self",
					"health", "health-path");
			assertThat(context.getBean(CheckpointStore.class).render().toString()).contains("Jane Doe");
			assertThat(context.getBeansOfType(CheckpointsEndpoint.class)).isEmpty();
			assertThat(get(port, "/actuator/checkpoints").statusCode()).isEqualTo(404);
		}
	}

	@Test
	void onceTheUserExposesThemCheckpointsAnswerStayReadOnlyAndStayOutOfHealth() throws Exception {
		try (ConfigurableApplicationContext context = start("management.endpoints.web.exposure.include=health,checkpoints",
				"management.endpoint.health.show-details=always")) {
			int port = port(context);
			java.util.Map<String, Object> links = JsonPath.read(get(port, "/actuator").body(), "$._links");
			assertThat(links.keySet()).contains("checkpoints");
			HttpResponse<String> checkpoints = get(port, "/actuator/checkpoints");
			assertThat(checkpoints.statusCode()).isEqualTo(200);
			assertThat(checkpoints.body()).as("no value without waterhealer.checkpoint.show-values")
				.contains("\"exposure\"", "\"offset\":0")
				.doesNotContain("Jane Doe");
			HttpResponse<String> delete = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/checkpoints"))
					.DELETE()
					.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(delete.statusCode()).as("DELETE without management.endpoint.checkpoints.access=unrestricted")
				.isGreaterThanOrEqualTo(400);
			assertThat(get(port, "/actuator/checkpoints").body()).contains("\"offset\":0");
			String health = get(port, "/actuator/health/waterhealer").body();
			assertThat(health).as("waterhealer's health details").contains("\"listeners\"", "exposure");
			assertThat(health).doesNotContain("Jane Doe").doesNotContain("IBAN");
		}
	}

	/** Starts the application and waits until a record has left a checkpoint with personal data. */
	private static ConfigurableApplicationContext start(String... extra) {
		String topic = KafkaTestSupport.uniqueName("exposure");
		KafkaTestSupport.createTopic(topic, 1);
		KafkaTestSupport.sendValues(topic, 0, List.of("customer-1"));
		List<String> properties = new ArrayList<>(List.of(
				"spring.kafka.bootstrap-servers=" + KafkaTestSupport.bootstrapServers(),
				"spring.kafka.consumer.group-id=" + topic + "-group", "spring.kafka.consumer.auto-offset-reset=earliest",
				"spring.main.banner-mode=off", "server.port=0", "exposure.topic=" + topic,
				"waterhealer.shutdown.enabled=false"));
		properties.addAll(List.of(extra));
		ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
			.web(WebApplicationType.SERVLET)
			.properties(properties.toArray(String[]::new))
			.run();
		CheckpointStore store = context.getBean(CheckpointStore.class);
		await().atMost(Duration.ofSeconds(60)).until(() -> store.render().toString().contains("Jane Doe"));
		return context;
	}

	private static int port(ConfigurableApplicationContext context) {
		return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
	}

	private static HttpResponse<String> get(int port, String path) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
				.timeout(Duration.ofSeconds(10))
				.build(), HttpResponse.BodyHandlers.ofString());
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		@Bean
		Customers customers() {
			return new Customers();
		}

	}

	/** Looks a customer up: its result, the checkpoint of the listener's stage, is personal data. */
	static class Customers {

		@HealingListener(id = "exposure", topics = "${exposure.topic}")
		String lookUp(ConsumerRecord<String, String> record) {
			return PERSONAL;
		}

	}

}
