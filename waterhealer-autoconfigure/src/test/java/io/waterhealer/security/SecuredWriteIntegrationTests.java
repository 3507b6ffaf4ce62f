package io.waterhealer.security;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import io.waterhealer.HealingListener;
import io.waterhealer.kafka.HealingListenerRegistrar;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code spring-boot-starter-security} on the classpath, an anonymous request cannot reach waterhealer's write
 * operations even where the application granted them and exposed every endpoint: Boot's default security asks
 * for a login, and waterhealer adds no rule of its own that would open its endpoints. A signed-in read answers, so
 * the refusals are the security's and not a missing endpoint's. It runs in its own failsafe execution
 * ({@code security}, see the module's pom): the other tests run without Spring Security on their classpath. Run it
 * alone with {@code ./mvnw -pl waterhealer-autoconfigure test-compile failsafe:integration-test@security
 * failsafe:verify@security} ({@code -Dit.test} would run it without Spring Security). No broker is needed: the
 * listener's container is not started.
 */
class SecuredWriteIntegrationTests {

	@Test
	void anAnonymousPostIsRefusedEvenWithUnrestrictedAccess() throws Exception {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
			.web(WebApplicationType.SERVLET)
			.properties("spring.kafka.bootstrap-servers=localhost:1", "spring.kafka.listener.auto-startup=false",
					"waterhealer.shutdown.enabled=false", "spring.main.banner-mode=off", "server.port=0",
					"logging.level.org.apache.kafka=off", "management.endpoints.web.exposure.include=*",
					"management.endpoint.healinglisteners.access=unrestricted",
					"management.endpoint.waterhealer.access=unrestricted",
					"management.endpoint.checkpoints.access=unrestricted", "spring.security.user.name=operator",
					"spring.security.user.password=secret")
			.run()) {
			assertThat(send(context, "POST", "/actuator/healinglisteners/secured", false).statusCode()).isIn(401, 403);
			assertThat(send(context, "POST", "/actuator/waterhealer/secured", false).statusCode()).isIn(401, 403);
			assertThat(send(context, "DELETE", "/actuator/checkpoints", false).statusCode()).isIn(401, 403);
			assertThat(send(context, "GET", "/actuator/healinglisteners", false).statusCode()).isIn(401, 403);
			assertThat(context.getBean(HealingListenerRegistrar.class).runtimes().get("secured").pausedByOperator())
				.isFalse();
			HttpResponse<String> signedIn = send(context, "GET", "/actuator/healinglisteners", true);
			assertThat(signedIn.statusCode()).isEqualTo(200);
			assertThat(signedIn.body()).contains("\"writable\":true", "\"secured\"");
		}
	}

	private static HttpResponse<String> send(ConfigurableApplicationContext context, String method, String path,
			boolean signedIn) throws Exception {
		URI uri = URI.create(
				"http://localhost:" + context.getEnvironment().getRequiredProperty("local.server.port") + path);
		HttpRequest.Builder request = HttpRequest.newBuilder(uri)
			.timeout(Duration.ofSeconds(10))
			.header("Content-Type", "application/json")
			.method(method, HttpRequest.BodyPublishers.ofString("{\"action\":\"pause\"}"));
		if (signedIn) {
			request.header("Authorization", "Basic "
					+ Base64.getEncoder().encodeToString("operator:secret".getBytes(StandardCharsets.UTF_8)));
		}
		return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		@Bean
		Secured secured() {
			return new Secured();
		}

	}

	static class Secured {

		@HealingListener(id = "secured", topics = "secured")
		void process(String value) {
		}

	}

}
