package io.waterhealer.health;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code waterhealer} health component of an application in another JVM over real HTTP, as an
 * orchestrator's probe would; shared by the tests that kill or starve that application.
 * <p>
 * A test that asserts on both the status and the reason reads them from one {@link #read response}: an application
 * that turned DOWN may exit before a second request, which would then fail to connect, and a second request may
 * also see a later state than the first.
 */
public final class WaterhealerHealthOverHttp {

	private static final Configuration LENIENT = Configuration.defaultConfiguration()
		.addOptions(Option.SUPPRESS_EXCEPTIONS);

	private WaterhealerHealthOverHttp() {
	}

	/** {@code UP} or {@code DOWN}. */
	public static String status(int port) throws Exception {
		return read(port).status();
	}

	/** The reason a DOWN component gives (needs {@code management.endpoint.health.show-details=always}). */
	public static @Nullable String reason(int port) throws Exception {
		return read(port).reason();
	}

	/** One response of the component: its status and, if it gives one, its reason. */
	public static Component read(int port) throws Exception {
		String body = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health/waterhealer"))
				.timeout(Duration.ofSeconds(5))
				.build(), HttpResponse.BodyHandlers.ofString())
			.body();
		DocumentContext json = JsonPath.using(LENIENT).parse(body);
		String status = json.read("$.status");
		if (status == null) {
			throw new IllegalStateException("No status in the health response: " + body);
		}
		return new Component(status, json.read("$.details.reason"));
	}

	/** What one response said. */
	public record Component(String status, @Nullable String reason) {

		public boolean isUp() {
			return "UP".equals(this.status);
		}

		public boolean isDown() {
			return "DOWN".equals(this.status);
		}

	}

}
