package io.waterhealer.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.waterhealer.checkpoint.Checkpoint;
import io.waterhealer.checkpoint.CheckpointStore;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checkpoint values can hold personal data. Each case flips one property against the same application, so that
 * every 404 is shown to come from that property: the exposure (Boot's default, which the starter leaves as it is;
 * waterhealer then keeps the values but does not even create the endpoint), {@code waterhealer.checkpoint.enabled}
 * (waterhealer's switch: no store, no endpoint) and the endpoint's own {@code READ_ONLY} default access, which keeps
 * {@code DELETE} out until {@code management.endpoint.checkpoints.access=unrestricted}. Once exposed, the endpoint
 * says where and when each stage last produced a value, not the value, unless
 * {@code waterhealer.checkpoint.show-values} says otherwise. No broker is needed: the
 * listeners do not start and the stage values are put into the store the way a stage would.
 */
class CheckpointExposureTests {

	static final String EXPOSED = "management.endpoints.web.exposure.include=health,checkpoints";

	@Test
	void withTheDefaultExposureValuesAreKeptButTheEndpointIsNotEvenCreated() throws Exception {
		try (ConfigurableApplicationContext context = start()) {
			assertThat(context.getBeansOfType(CheckpointsEndpoint.class)).isEmpty();
			keepTwoValues(context);
			assertThat(context.getBean(CheckpointStore.class).render().toString()).contains("second value");
			assertThat(get(context, "/actuator/checkpoints").statusCode()).isEqualTo(404);
		}
	}

	@Test
	void onceExposedTheEndpointSaysWhereEachStageLastProducedAValueButNotTheValue() throws Exception {
		try (ConfigurableApplicationContext context = start(EXPOSED)) {
			keepTwoValues(context);
			HttpResponse<String> response = get(context, "/actuator/checkpoints");
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).contains("\"orders\"", "\"enrich\"", "\"offset\":8", "\"time\"")
				.doesNotContain("second value")
				.doesNotContain("first value")
				.doesNotContain("\"value\"");
			HttpResponse<String> listener = get(context, "/actuator/checkpoints/orders");
			assertThat(listener.statusCode()).isEqualTo(200);
			assertThat(listener.body()).contains("\"offset\":8").doesNotContain("second value");
		}
	}

	@Test
	void valuesAreShownOnlyWhenTheApplicationOptsIn() throws Exception {
		try (ConfigurableApplicationContext context = start(EXPOSED, "waterhealer.checkpoint.show-values=always")) {
			keepTwoValues(context);
			assertThat(get(context, "/actuator/checkpoints").body()).contains("second value")
				.doesNotContain("first value");
			assertThat(get(context, "/actuator/checkpoints/orders").body()).contains("second value");
		}
		try (ConfigurableApplicationContext context = start(EXPOSED,
				"waterhealer.checkpoint.show-values=when-authorized")) {
			keepTwoValues(context);
			assertThat(get(context, "/actuator/checkpoints").body()).as("an anonymous request is not authorized")
				.contains("\"offset\":8")
				.doesNotContain("second value");
		}
	}

	@Test
	void exposedButSwitchedOffByWaterhealerThereIsNothingToAnswer() throws Exception {
		try (ConfigurableApplicationContext context = start(EXPOSED, "waterhealer.checkpoint.enabled=false")) {
			assertThat(context.getBeansOfType(CheckpointStore.class)).isEmpty();
			assertThat(context.getBeansOfType(CheckpointsEndpoint.class)).isEmpty();
			assertThat(get(context, "/actuator/checkpoints").statusCode()).isEqualTo(404);
		}
	}

	@Test
	void exposedTheEndpointIsReadOnlyUntilTheUserGrantsUnrestrictedAccess() throws Exception {
		try (ConfigurableApplicationContext context = start(EXPOSED)) {
			keepTwoValues(context);
			assertThat(delete(context).statusCode()).as("DELETE with the endpoint's default access")
				.isGreaterThanOrEqualTo(400);
			assertThat(get(context, "/actuator/checkpoints").body()).contains("\"offset\":8");
		}
		try (ConfigurableApplicationContext context = start(EXPOSED,
				"management.endpoint.checkpoints.access=unrestricted")) {
			keepTwoValues(context);
			assertThat(delete(context).statusCode()).as("DELETE with access=unrestricted").isEqualTo(204);
			assertThat(get(context, "/actuator/checkpoints").body()).doesNotContain("\"offset\":8");
		}
	}

	/** What a stage named {@code enrich} of listener {@code orders} leaves behind after two records. */
	private static void keepTwoValues(ConfigurableApplicationContext context) {
		CheckpointStore store = context.getBean(CheckpointStore.class);
		store.record("orders", "enrich", new Checkpoint("first value", System.currentTimeMillis(), "orders", 0, 7));
		store.record("orders", "enrich", new Checkpoint("second value", System.currentTimeMillis(), "orders", 0, 8));
	}

	private static ConfigurableApplicationContext start(String... extra) {
		List<String> properties = new ArrayList<>(List.of("spring.kafka.bootstrap-servers=localhost:1",
				"spring.kafka.listener.auto-startup=false", "waterhealer.shutdown.enabled=false",
				"spring.main.banner-mode=off", "server.port=0"));
		properties.addAll(List.of(extra));
		return new SpringApplicationBuilder(App.class).web(WebApplicationType.SERVLET)
			.properties(properties.toArray(String[]::new))
			.run();
	}

	private static HttpResponse<String> get(ConfigurableApplicationContext context, String path) throws Exception {
		return send(HttpRequest.newBuilder(uri(context, path)).GET());
	}

	private static HttpResponse<String> delete(ConfigurableApplicationContext context) throws Exception {
		return send(HttpRequest.newBuilder(uri(context, "/actuator/checkpoints")).DELETE());
	}

	private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return HttpClient.newHttpClient()
			.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private static URI uri(ConfigurableApplicationContext context, String path) {
		return URI.create("http://localhost:" + context.getEnvironment().getRequiredProperty("local.server.port") + path);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

	}

}
