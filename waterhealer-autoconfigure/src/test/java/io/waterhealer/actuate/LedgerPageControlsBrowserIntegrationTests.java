package io.waterhealer.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.JsonPath;
import io.waterhealer.HealingListener;
import io.waterhealer.Requirement;
import io.waterhealer.kafka.HealingListenerRegistrar;
import io.waterhealer.kafka.KafkaTestSupport;
import io.waterhealer.kafka.ListenerView;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
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
 * The ledger page's pause and resume buttons in a real browser, with the controls granted
 * ({@code management.endpoint.healinglisteners.access=unrestricted}): headless Chromium loads the page, the test
 * clicks "pause" on partition 0 through the DevTools protocol (a page script cannot be clicked from
 * {@code --dump-dom}), the listener's runtime shows the operator's pause, the page then offers "resume", and its
 * click lifts the pause. Without Chromium the test is skipped, or fails where the build says
 * {@code -Dwaterhealer.require=chromium} (see {@link Requirement}).
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=health,ledger,healinglisteners",
				"management.endpoint.healinglisteners.access=unrestricted", "waterhealer.ledger-page.enabled=true",
				"spring.kafka.consumer.auto-offset-reset=earliest", "spring.main.banner-mode=off",
				"waterhealer.listener.commit-interval=100ms", "waterhealer.shutdown.enabled=false" })
class LedgerPageControlsBrowserIntegrationTests {

	static final String TOPIC = KafkaTestSupport.uniqueName("ledger-controls");

	static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://[^\\s]+)");

	@LocalServerPort
	int port;

	@Autowired
	HealingListenerRegistrar registrar;

	@TempDir
	Path profile;

	@DynamicPropertySource
	static void kafka(DynamicPropertyRegistry registry) {
		KafkaTestSupport.createTopic(TOPIC, 2);
		registry.add("spring.kafka.bootstrap-servers", KafkaTestSupport::bootstrapServers);
		registry.add("spring.kafka.consumer.group-id", () -> TOPIC + "-group");
		registry.add("ledger-controls.topic", () -> TOPIC);
	}

	@Test
	void clickingPauseThenResumePausesAndResumesThePartition() throws Exception {
		Requirement.CHROMIUM.assume(Files.isExecutable(CHROMIUM), "the ledger page's buttons in a browser");
		ListenerView view = this.registrar.runtimes().get("controls");
		await().atMost(Duration.ofSeconds(30)).until(() -> view.partitions().size() == 2);
		TopicPartition partition = new TopicPartition(TOPIC, 0);
		String pause = "button[data-action=\"pause\"][data-partition=\"" + TOPIC + "-0\"]";
		String resume = "button[data-action=\"resume\"][data-partition=\"" + TOPIC + "-0\"]";
		Path log = this.profile.resolve("chromium.log");
		Process chromium = startChromium(log);
		try (DevTools page = DevTools.connect(log)) {
			await().atMost(Duration.ofSeconds(30)).until(() -> page.exists(pause));
			assertThat(page.exists("button[data-action=\"pause\"]:not([data-partition])"))
				.as("the listener's own pause button").isTrue();
			page.click(pause);
			await().atMost(Duration.ofSeconds(10)).until(() -> view.partitionsPausedByOperator().contains(partition));
			await().atMost(Duration.ofSeconds(10)).until(() -> page.exists(resume));
			page.click(resume);
			await().atMost(Duration.ofSeconds(10)).until(() -> view.partitionsPausedByOperator().isEmpty());
			await().atMost(Duration.ofSeconds(10)).until(() -> page.exists(pause));
		}
		finally {
			chromium.destroy();
			if (!chromium.waitFor(10, TimeUnit.SECONDS)) {
				chromium.destroyForcibly();
			}
		}
	}

	private Process startChromium(Path log) throws Exception {
		return new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
				"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--disable-dev-shm-usage", "--remote-debugging-port=0", "--remote-allow-origins=*",
				"--user-data-dir=" + this.profile,
				"http://localhost:" + this.port + "/waterhealer/ledger.html")
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectError(log.toFile())
			.start();
	}

	/** One page of a Chromium driven over its DevTools protocol: evaluate a script, wait for its answer. */
	static final class DevTools implements WebSocket.Listener, AutoCloseable {

		private final Map<Integer, CompletableFuture<String>> answers = new ConcurrentHashMap<>();

		private final AtomicInteger ids = new AtomicInteger();

		private final StringBuilder partial = new StringBuilder();

		private WebSocket socket;

		/** Connect to the ledger page of the Chromium that writes its log to {@code log}. */
		static DevTools connect(Path log) throws Exception {
			String[] browser = new String[1];
			await().atMost(Duration.ofSeconds(60)).until(() -> {
				Matcher matcher = DEVTOOLS.matcher(Files.exists(log) ? Files.readString(log) : "");
				if (matcher.find()) {
					browser[0] = matcher.group(1);
				}
				return browser[0] != null;
			});
			URI browserUri = URI.create(browser[0]);
			HttpClient http = HttpClient.newHttpClient();
			String[] pageUrl = new String[1];
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				String targets = http.send(HttpRequest.newBuilder(
						URI.create("http://" + browserUri.getHost() + ":" + browserUri.getPort() + "/json/list"))
					.build(), HttpResponse.BodyHandlers.ofString()).body();
				List<String> pages = JsonPath.read(targets,
						"$[?(@.type == 'page' && @.url =~ /.*ledger.html.*/)].webSocketDebuggerUrl");
				pageUrl[0] = pages.isEmpty() ? null : pages.get(0);
				return pageUrl[0] != null;
			});
			DevTools devTools = new DevTools();
			devTools.socket = http.newWebSocketBuilder().buildAsync(URI.create(pageUrl[0]), devTools).get(30,
					TimeUnit.SECONDS);
			return devTools;
		}

		boolean exists(String selector) throws Exception {
			return "true".equals(evaluate("document.querySelector(" + quote(selector) + ") !== null"));
		}

		void click(String selector) throws Exception {
			assertThat(evaluate("(function () { var b = document.querySelector(" + quote(selector)
					+ "); if (!b) { return false; } b.click(); return true; })()")).as("clicked %s", selector)
				.isEqualTo("true");
		}

		private String evaluate(String expression) throws Exception {
			int id = this.ids.incrementAndGet();
			CompletableFuture<String> answer = new CompletableFuture<>();
			this.answers.put(id, answer);
			this.socket.sendText("{\"id\":" + id + ",\"method\":\"Runtime.evaluate\",\"params\":{\"expression\":"
					+ quote(expression) + ",\"returnByValue\":true}}", true).get(10, TimeUnit.SECONDS);
			String json = answer.get(10, TimeUnit.SECONDS);
			Object value = JsonPath.read(json, "$.result.result.value");
			return String.valueOf(value);
		}

		private static String quote(String text) {
			return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
		}

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.partial.append(data);
			if (last) {
				String message = this.partial.toString();
				this.partial.setLength(0);
				if (message.startsWith("{\"id\":")) {
					Integer id = JsonPath.read(message, "$.id");
					CompletableFuture<String> answer = this.answers.remove(id);
					if (answer != null) {
						answer.complete(message);
					}
				}
			}
			webSocket.request(1);
			return null;
		}

		@Override
		public void close() {
			this.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		@Bean
		Controlled controlled() {
			return new Controlled();
		}

	}

	static class Controlled {

		@HealingListener(id = "controls", topics = "${ledger-controls.topic}")
		void process(String value) {
		}

	}

}
