package io.waterhealer.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.waterhealer.HealingListener;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every write operation of waterhealer's endpoints is unreachable over real HTTP until the application grants it,
 * even with every endpoint exposed: {@code POST /actuator/healinglisteners/{listener}} (pause, resume, live changes),
 * {@code POST /actuator/waterhealer/{listener}} (resume after a dead-letter storm) and
 * {@code DELETE /actuator/checkpoints}. The same requests are carried out once access is unrestricted, which shows
 * that the refusals come from the access level and not from a wrong path. No broker is needed: the listener's
 * container is not started.
 */
class WriteAccessByDefaultTests {

	static final String EXPOSE_ALL = "management.endpoints.web.exposure.include=*";

	@Test
	void exposedButNotGrantedEveryWriteIsRefusedAndTheReadSaysItIsNotWritable() throws Exception {
		try (ConfigurableApplicationContext context = start(EXPOSE_ALL)) {
			assertThat(send(context, "POST", "/actuator/healinglisteners/guarded", "{\"action\":\"pause\"}")
				.statusCode()).isIn(404, 405);
			assertThat(send(context, "POST", "/actuator/waterhealer/guarded", null).statusCode()).isIn(404, 405);
			assertThat(send(context, "DELETE", "/actuator/checkpoints", null).statusCode()).isIn(404, 405);
			HttpResponse<String> read = send(context, "GET", "/actuator/healinglisteners", null);
			assertThat(read.statusCode()).isEqualTo(200);
			assertThat(read.body()).contains("\"writable\":false", "\"guarded\"");
		}
	}

	@Test
	void grantedTheSameWritesAreCarriedOut() throws Exception {
		try (ConfigurableApplicationContext context = start(EXPOSE_ALL,
				"management.endpoint.healinglisteners.access=unrestricted",
				"management.endpoint.waterhealer.access=unrestricted",
				"management.endpoint.checkpoints.access=unrestricted")) {
			HttpResponse<String> paused = send(context, "POST", "/actuator/healinglisteners/guarded",
					"{\"action\":\"pause\"}");
			assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
			assertThat(paused.body()).contains("\"pausedBy\":\"operator\"");
			assertThat(send(context, "POST", "/actuator/waterhealer/guarded", null).statusCode()).isEqualTo(200);
			assertThat(send(context, "DELETE", "/actuator/checkpoints", null).statusCode()).isEqualTo(204);
			assertThat(send(context, "GET", "/actuator/healinglisteners", null).body()).contains("\"writable\":true");
		}
	}

	static ConfigurableApplicationContext start(String... extra) {
		List<String> properties = new ArrayList<>(List.of("spring.kafka.bootstrap-servers=localhost:1",
				"spring.kafka.listener.auto-startup=false", "waterhealer.shutdown.enabled=false",
				"spring.main.banner-mode=off", "server.port=0", "logging.level.org.apache.kafka=off"));
		properties.addAll(List.of(extra));
		return new SpringApplicationBuilder(App.class).web(WebApplicationType.SERVLET)
			.properties(properties.toArray(String[]::new))
			.run();
	}

	static HttpResponse<String> send(ConfigurableApplicationContext context, String method, String path,
			String body) throws Exception {
		URI uri = URI.create(
				"http://localhost:" + context.getEnvironment().getRequiredProperty("local.server.port") + path);
		HttpRequest.BodyPublisher publisher = (body != null) ? HttpRequest.BodyPublishers.ofString(body)
				: HttpRequest.BodyPublishers.noBody();
		HttpRequest request = HttpRequest.newBuilder(uri)
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
			.method(method, publisher)
			.build();
		return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		@Bean
		Guarded guarded() {
			return new Guarded();
		}

	}

	static class Guarded {

		@HealingListener(id = "guarded", topics = "guarded")
		void process(String value) {
		}

	}

}
