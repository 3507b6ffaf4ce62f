package io.waterhealer.health;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.jayway.jsonpath.JsonPath;

/**
 * Reads the {@code waterhealer} health component of an application in another JVM over real HTTP, as an
 * orchestrator's probe would; shared by the tests that kill or starve that application.
 */
public final class WaterhealerHealthOverHttp {

	private WaterhealerHealthOverHttp() {
	}

	/** {@code UP} or {@code DOWN}. */
	public static String status(int port) throws Exception {
		return JsonPath.read(health(port), "$.status");
	}

	/** The reason a DOWN component gives (needs {@code management.endpoint.health.show-details=always}). */
	public static String reason(int port) throws Exception {
		return JsonPath.read(health(port), "$.details.reason");
	}

	private static String health(int port) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health/waterhealer"))
				.timeout(Duration.ofSeconds(5))
				.build(), HttpResponse.BodyHandlers.ofString())
			.body();
	}

}
