package io.waterhealer.metrics;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import io.waterhealer.Stages;
import io.waterhealer.kafka.KafkaTestSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The meters as a Prometheus server sees them: a real application on a random port with the actuator and the
 * Prometheus registry, records of which three always fail (SKIP after two attempts), scraped over HTTP.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=prometheus,health,checkpoints",
				"spring.kafka.consumer.auto-offset-reset=earliest", "spring.main.banner-mode=off",
				"waterhealer.listener.commit-interval=100ms", "waterhealer.retry.initial-interval=10ms",
				"waterhealer.retry.max-attempts=2", "waterhealer.failure.policy=skip" })
class PrometheusEndpointIntegrationTests {

	static final String TOPIC = KafkaTestSupport.uniqueName("metrics");

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void kafka(DynamicPropertyRegistry registry) {
		registry.add("spring.kafka.bootstrap-servers", KafkaTestSupport::bootstrapServers);
		registry.add("spring.kafka.consumer.group-id", () -> TOPIC + "-group");
		registry.add("metrics.topic", () -> TOPIC);
	}

	@BeforeAll
	static void produce() {
		KafkaTestSupport.createTopic(TOPIC, 1);
		KafkaTestSupport.sendValues(TOPIC, 0, List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
	}

	@Test
	void seriesHaveTheExactCounts() throws Exception {
		String listener = "listener=\"metrics\",stage=\"%s\",tier=\"main\",topic=\"" + TOPIC + "\"";
		String handle = listener.formatted("handle");
		await().atMost(Duration.ofSeconds(30))
			.until(() -> value(scrape(), "waterhealer_partition_committed{listener=\"metrics\",partition=\"0\",topic=\""
					+ TOPIC + "\"}") == 10.0);
		Map<String, Double> series = scrape();

		assertThat(value(series, "waterhealer_stage_records_in_total{" + handle + "}")).isEqualTo(10.0);
		assertThat(value(series, "waterhealer_stage_records_out_total{" + handle + "}")).isEqualTo(7.0);
		assertThat(value(series, "waterhealer_stage_errors_total{exception=\"IllegalStateException\"," + handle + "}"))
			.isEqualTo(6.0);
		assertThat(value(series, "waterhealer_stage_duration_seconds_count{" + handle + "}")).isEqualTo(13.0);
		assertThat(series.keySet()).anyMatch((name) -> name.startsWith("waterhealer_stage_duration_seconds_bucket{")
				&& name.contains("stage=\"handle\""));
		assertThat(value(series, "waterhealer_stage_payload_in_bytes_count{" + handle + "}")).isEqualTo(10.0);
		assertThat(value(series, "waterhealer_stage_payload_in_bytes_sum{" + handle + "}")).isEqualTo(10.0);

		String parse = listener.formatted("parse");
		String store = listener.formatted("store");
		assertThat(value(series, "waterhealer_stage_records_in_total{" + parse + "}")).isEqualTo(13.0);
		assertThat(value(series, "waterhealer_stage_records_out_total{" + parse + "}")).isEqualTo(13.0);
		assertThat(value(series, "waterhealer_stage_records_in_total{" + store + "}")).isEqualTo(13.0);
		assertThat(value(series, "waterhealer_stage_records_out_total{" + store + "}")).isEqualTo(7.0);
		assertThat(value(series, "waterhealer_stage_errors_total{exception=\"IllegalStateException\"," + store + "}"))
			.isEqualTo(6.0);

		String partition = "{listener=\"metrics\",partition=\"0\",topic=\"" + TOPIC + "\"}";
		assertThat(value(series, "waterhealer_partition_completed_highest" + partition)).isEqualTo(9.0);
		assertThat(value(series, "waterhealer_partition_incomplete_records" + partition)).isZero();
		assertThat(value(series, "waterhealer_partition_in_flight_records" + partition)).isZero();
		assertThat(value(series, "waterhealer_partition_paused" + partition)).isZero();
		assertThat(value(series, "waterhealer_partition_lag_records" + partition)).isZero();
		assertThat(value(series, "waterhealer_partition_oldest_incomplete_age_seconds" + partition)).isZero();
		assertThat(value(series, "waterhealer_commits_total{listener=\"metrics\",outcome=\"success\"}")).isPositive();
		assertThat(value(series, "waterhealer_commits_total{listener=\"metrics\",outcome=\"failure\"}")).isZero();
	}

	@Test
	void checkpointsShowWhereEachStageLastWasButNeitherValueNorTypeAndCannotBeClearedByDefault() throws Exception {
		await().atMost(Duration.ofSeconds(30))
			.until(() -> get("/actuator/checkpoints").body().contains("\"store\""));
		String body = get("/actuator/checkpoints").body();
		assertThat(com.jayway.jsonpath.JsonPath.<String>read(body, "$.metrics.parse.topic")).isEqualTo(TOPIC);
		assertThat(com.jayway.jsonpath.JsonPath.<Integer>read(body, "$.metrics.parse.partition")).isZero();
		assertThat(com.jayway.jsonpath.JsonPath.<String>read(body, "$.metrics.handle.topic")).isEqualTo(TOPIC);
		// waterhealer.checkpoint.show-values is never by default: no payload, not even its type
		assertThat(body).doesNotContain("\"value\"", "\"type\"", "java.lang.Integer");
		HttpResponse<String> delete = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/actuator/checkpoints"))
				.DELETE()
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(delete.statusCode()).isNotEqualTo(204).isGreaterThanOrEqualTo(400);
		assertThat(get("/actuator/checkpoints").body()).contains("\"parse\"");
	}

	private HttpResponse<String> get(String path) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path)).build(),
					HttpResponse.BodyHandlers.ofString());
	}

	private Map<String, Double> scrape() throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/actuator/prometheus")).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		Map<String, Double> series = new HashMap<>();
		Pattern line = Pattern.compile("^(\\S+?(?:\\{[^}]*\\})?) (\\S+)$");
		for (String text : response.body().split("\n")) {
			Matcher matcher = line.matcher(text);
			if (!text.startsWith("#") && matcher.matches()) {
				series.put(matcher.group(1), Double.valueOf(matcher.group(2)));
			}
		}
		return series;
	}

	private static double value(Map<String, Double> series, String name) {
		assertThat(series).as("series " + name).containsKey(name);
		return series.get(name);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		@Bean
		Handler handler() {
			return new Handler();
		}

	}

	static class Handler {

		@HealingListener(id = "metrics", topics = "${metrics.topic}", ordering = Ordering.UNORDERED)
		void handle(String value, Stages stages) {
			int number = stages.apply("parse", value, Integer::parseInt);
			stages.accept("store", number, (n) -> {
				if (n % 3 == 0 && n > 0) {
					throw new IllegalStateException("cannot store " + n);
				}
			});
		}

	}

}
