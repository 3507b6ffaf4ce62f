package io.waterhealer.actuate;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
import io.waterhealer.FailurePolicy;
import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import io.waterhealer.Requirement;
import io.waterhealer.kafka.KafkaTestSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
 * The live ledger page in a real browser: an application on a random port whose listener holds offset 5 of partition
 * 0 while every other record completes, so the committed position of that partition stops at 5 with 94 records done
 * beyond it. Headless Chromium loads {@code /waterhealer/ledger.html}, which fetches {@code /actuator/ledger} and
 * draws it; the test reads the drawn DOM, and leaves a screenshot in {@code target/ledger-page.png}.
 * <p>
 * A second listener ({@code KEY} ordering, {@code HALT}, back-offs of ten minutes) holds records in each state on one
 * partition: offset 0 running on a latch with 1–3 queued behind it on their key, 4 waiting for a retry, 5 failing (a
 * non-retryable exception under HALT), and 300 more records waiting for a retry between 300 that completed, so that
 * the partition has more ranges of three kinds than the endpoint returns and the page must say what it cut.
 * <p>
 * The endpoint's JSON is checked over HTTP first, so that a failure says whether the data or the drawing is wrong.
 * Without Chromium ({@code apt-get install -y chromium}) the browser part is skipped, or fails where the build says
 * {@code -Dwaterhealer.require=chromium} (see {@link Requirement}).
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=health,ledger", "waterhealer.ledger-page.enabled=true",
				"spring.kafka.consumer.auto-offset-reset=earliest", "spring.main.banner-mode=off",
				"waterhealer.listener.commit-interval=100ms", "waterhealer.listener.drain-timeout=100ms",
				"waterhealer.shutdown.enabled=false", "waterhealer.retry.initial-interval=10m",
				"waterhealer.retry.max-interval=10m", "waterhealer.retry.max-attempts=5",
				"logging.level.io.waterhealer.failures=ERROR" })
class LedgerPageBrowserIntegrationTests {

	static final String TOPIC = KafkaTestSupport.uniqueName("ledger-page");

	static final int PER_PARTITION = 100;

	static final int STUCK_OFFSET = 5;

	static final String STATES_TOPIC = KafkaTestSupport.uniqueName("ledger-states");

	/** Records after the first six of the states topic: every even one waits for a retry, every odd one completes. */
	static final int ALTERNATING = 600;

	static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	static final HttpClient HTTP = HttpClient.newHttpClient();

	static final CountDownLatch release = new CountDownLatch(1);

	@LocalServerPort
	int port;

	@TempDir
	Path profile;

	@DynamicPropertySource
	static void kafka(DynamicPropertyRegistry registry) {
		registry.add("spring.kafka.bootstrap-servers", KafkaTestSupport::bootstrapServers);
		registry.add("spring.kafka.consumer.group-id", () -> TOPIC + "-group");
		registry.add("ledger-page.topic", () -> TOPIC);
		registry.add("ledger-page.states-topic", () -> STATES_TOPIC);
	}

	@BeforeAll
	static void produce() {
		KafkaTestSupport.createTopic(TOPIC, 3);
		List<String> values = IntStream.range(0, PER_PARTITION).mapToObj(String::valueOf).toList();
		for (int partition = 0; partition < 3; partition++) {
			KafkaTestSupport.sendValues(TOPIC, partition, values);
		}
		KafkaTestSupport.createTopic(STATES_TOPIC, 1);
		try (KafkaProducer<String, String> producer = KafkaTestSupport.producer()) {
			producer.send(new ProducerRecord<>(STATES_TOPIC, 0, "run", "hold"));
			for (int i = 0; i < 3; i++) {
				producer.send(new ProducerRecord<>(STATES_TOPIC, 0, "run", "ok"));
			}
			producer.send(new ProducerRecord<>(STATES_TOPIC, 0, "retry", "retry"));
			producer.send(new ProducerRecord<>(STATES_TOPIC, 0, "fail", "fail"));
			for (int i = 0; i < ALTERNATING; i++) {
				producer.send(new ProducerRecord<>(STATES_TOPIC, 0, "k" + i, (i % 2 == 0) ? "retry" : "ok"));
			}
			producer.flush();
		}
	}

	@AfterAll
	static void releaseTheStuckRecord() {
		release.countDown();
	}

	@BeforeEach
	void waitForTheCommits() {
		String group = TOPIC + "-group";
		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
			assertThat(KafkaTestSupport.committed(group, new TopicPartition(TOPIC, 0))).isEqualTo(STUCK_OFFSET);
			assertThat(KafkaTestSupport.committed(group, new TopicPartition(TOPIC, 1))).isEqualTo(PER_PARTITION);
			assertThat(KafkaTestSupport.committed(group, new TopicPartition(TOPIC, 2))).isEqualTo(PER_PARTITION);
		});
	}

	@Test
	void endpointShowsTheRecordHoldingPartitionZeroBackAndTheRunCompletedBeyondIt() throws Exception {
		String json = get("/actuator/ledger");
		String p0 = partitionJson(json, 0);
		assertThat(p0).contains("\"committed\":5", "\"position\":5", "\"end\":100", "\"incomplete\":1",
				"\"pending\":[[5,6]]", "\"completed\":[[6,100]]");
		String p1 = partitionJson(json, 1);
		assertThat(p1).contains("\"committed\":100", "\"position\":100", "\"incomplete\":0", "\"pending\":[]");
		assertThat(get("/actuator/ledger/ledgerPage")).contains("\"ordering\":\"UNORDERED\"");
		assertThat(p0).contains("\"truncated\":false");
		assertThat(JsonPath.<Integer>read(json, "$.listeners.ledgerPage.partitions[0].states.running.count")).isOne();
		assertThat(JsonPath.<List<List<Integer>>>read(json, "$.listeners.ledgerPage.partitions[0].states.running.ranges"))
			.containsExactly(List.of(5, 6));
	}

	@Test
	void endpointGivesEachIncompleteRecordItsStateAndSaysWhichRangesItCut() throws Exception {
		String json = awaitStates();
		String partition = "$.listeners.ledgerStates.partitions[0].";
		assertThat(JsonPath.<Integer>read(json, partition + "incomplete")).isEqualTo(4 + 1 + 1 + ALTERNATING / 2);
		assertThat(JsonPath.<List<List<Integer>>>read(json, partition + "states.running.ranges"))
			.containsExactly(List.of(0, 1));
		assertThat(JsonPath.<List<List<Integer>>>read(json, partition + "states.queued.ranges"))
			.containsExactly(List.of(1, 4));
		assertThat(JsonPath.<List<List<Integer>>>read(json, partition + "states.failing.ranges"))
			.containsExactly(List.of(5, 6));
		List<List<Integer>> retries = JsonPath.read(json, partition + "states.retryWait.ranges");
		assertThat(retries).hasSize(LedgerEndpoint.MAX_RANGES).startsWith(List.of(4, 5), List.of(6, 7), List.of(8, 9));
		assertThat(JsonPath.<Integer>read(json, partition + "states.retryWait.totalRanges")).isEqualTo(301);
		assertThat(JsonPath.<List<Integer>>read(json, partition + "pending")).hasSize(LedgerEndpoint.MAX_RANGES);
		assertThat(JsonPath.<Boolean>read(json, partition + "truncated")).isTrue();
		assertThat(JsonPath.<Integer>read(json, partition + "maxRanges")).isEqualTo(LedgerEndpoint.MAX_RANGES);
		List<Map<String, Object>> cuts = JsonPath.read(json, partition + "cuts");
		assertThat(cuts).containsExactly(Map.of("kind", "pending", "shown", 256, "total", 300),
				Map.of("kind", "completed", "shown", 256, "total", 300),
				Map.of("kind", "retryWait", "shown", 256, "total", 301));
	}

	@Test
	void pageDrawsEveryPartitionWithItsCommittedPositionAndThePendingRecord() throws Exception {
		assertThat(get("/waterhealer/ledger.html")).contains("<title>waterhealer · live ledger</title>");
		Requirement.CHROMIUM.assume(Files.isExecutable(CHROMIUM), "the ledger page's check in a browser");
		String url = "http://localhost:" + this.port + "/waterhealer/ledger.html";

		String dom = chromium("--dump-dom", url);

		assertThat(dom).contains("data-listener=\"ledgerPage\"")
			.as("no pause or resume button without the healinglisteners writes")
			.doesNotContain("class=\"control\"");
		assertThat(sectionOf(dom, 0)).contains("data-committed=\"5\"", "data-position=\"5\"", "data-end=\"100\"",
				"data-incomplete=\"1\"")
			.containsPattern("<rect class=\"pending[^\"]*\"[^>]*data-from=\"5\" data-to=\"6\"")
			.containsPattern("<rect class=\"state running\"[^>]*data-from=\"5\" data-to=\"6\"")
			.contains("data-state=\"running\" data-count=\"1\"", "1 running", "0 queued")
			.doesNotContain("Ranges cut")
			.containsPattern("<rect class=\"completed\"[^>]*data-from=\"6\" data-to=\"100\"")
			.contains("committed 5");
		for (int partition = 1; partition < 3; partition++) {
			assertThat(sectionOf(dom, partition)).contains("data-committed=\"100\"", "data-incomplete=\"0\"")
				.doesNotContain("class=\"pending");
		}
		assertThat(dom).contains("<div id=\"status\" class=\"\">updated ");

		Path screenshot = Path.of("target", "ledger-page.png").toAbsolutePath();
		Files.deleteIfExists(screenshot);
		chromium("--screenshot=" + screenshot, "--window-size=1000,760", url);
		assertThat(screenshot).isNotEmptyFile();
	}

	@Test
	void pageDrawsTheFourStatesWithTheirCountsAndSaysWhatItCutAndWhy() throws Exception {
		awaitStates();
		Requirement.CHROMIUM.assume(Files.isExecutable(CHROMIUM), "the ledger page's check in a browser");
		String dom = chromium("--dump-dom", "http://localhost:" + this.port + "/waterhealer/ledger.html");

		String section = sectionOf(dom, STATES_TOPIC, 0);
		assertThat(section)
			.contains("data-state=\"queued\" data-count=\"3\"", "data-state=\"running\" data-count=\"1\"",
					"data-state=\"retryWait\" data-count=\"301\"", "data-state=\"failing\" data-count=\"1\"")
			.contains("3 queued", "1 running", "301 waiting for a retry", "1 failing")
			.contains("306 incomplete", "300 completed beyond the gap")
			.containsPattern("<rect class=\"state running\"[^>]*data-from=\"0\" data-to=\"1\"")
			.containsPattern("<rect class=\"state queued\"[^>]*data-from=\"1\" data-to=\"4\"")
			.containsPattern("<rect class=\"state retryWait\"[^>]*data-from=\"4\" data-to=\"5\"")
			.containsPattern("<rect class=\"state failing\"[^>]*data-from=\"5\" data-to=\"6\"")
			.contains("Ranges cut: showing the first 256 of 300 incomplete ranges, the first 256 of 300 ranges "
					+ "completed beyond the gap, the first 256 of 301 ranges waiting for a retry of " + STATES_TOPIC
					+ "-0: the ledger endpoint returns at most 256 ranges of each kind per partition");
		assertThat(section.split("class=\"state retryWait\"", -1)).hasSize(LedgerEndpoint.MAX_RANGES + 1);
	}

	/** The ledger once the states listener's records have all reached the state the test expects of them. */
	private String awaitStates() {
		String partition = "$.listeners.ledgerStates.partitions[0].states.";
		String[] json = new String[1];
		// the partition is in the answer only once the listener has it assigned: until then the path does not exist
		await().atMost(Duration.ofSeconds(60)).ignoreExceptionsInstanceOf(PathNotFoundException.class).untilAsserted(() -> {
			json[0] = get("/actuator/ledger");
			assertThat(JsonPath.<Integer>read(json[0], partition + "queued.count")).isEqualTo(3);
			assertThat(JsonPath.<Integer>read(json[0], partition + "running.count")).isOne();
			assertThat(JsonPath.<Integer>read(json[0], partition + "retryWait.count")).isEqualTo(1 + ALTERNATING / 2);
			assertThat(JsonPath.<Integer>read(json[0], partition + "failing.count")).isOne();
			assertThat(JsonPath.<Integer>read(json[0], "$.listeners.ledgerStates.partitions[0].incomplete"))
				.isEqualTo(4 + 1 + 1 + ALTERNATING / 2);
		});
		return json[0];
	}

	/** Run headless Chromium with nothing that could reach the network, and return what it printed. */
	private String chromium(String... arguments) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
				"--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
				"--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
				"--user-data-dir=" + this.profile, "--virtual-time-budget=4000"));
		command.addAll(List.of(arguments));
		Path output = this.profile.resolve("out-" + System.nanoTime() + ".txt");
		Process process = new ProcessBuilder(command).redirectErrorStream(false)
			.redirectOutput(output.toFile())
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
		if (!process.waitFor(90, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new IllegalStateException("Chromium did not finish within 90 s: " + command);
		}
		return Files.readString(output, StandardCharsets.UTF_8);
	}

	/** The drawn element of one partition, from its opening tag to the next partition's. */
	private static String sectionOf(String dom, int partition) {
		return sectionOf(dom, TOPIC, partition);
	}

	private static String sectionOf(String dom, String topic, int partition) {
		Matcher start = Pattern
			.compile("<div class=\"partition[^\"]*\" data-topic=\"" + Pattern.quote(topic) + "\" data-partition=\""
					+ partition + "\"")
			.matcher(dom);
		assertThat(start.find()).as("partition %d drawn in:%n%s", partition, dom).isTrue();
		int next = dom.indexOf("<div class=\"partition", start.end());
		return dom.substring(start.start(), (next > 0) ? next : dom.length());
	}

	private static String partitionJson(String json, int partition) {
		int start = json.indexOf("\"topic\":\"" + TOPIC + "\",\"partition\":" + partition + ",");
		assertThat(start).as("partition %d in %s", partition, json).isNotNegative();
		int end = json.indexOf('}', start);
		return json.substring(start, end);
	}

	private String get(String path) throws IOException, InterruptedException {
		HttpResponse<String> response = HTTP.send(
				HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(path).isEqualTo(200);
		return response.body();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		@Bean
		StuckListener stuckListener() {
			return new StuckListener();
		}

		@Bean
		StatesListener statesListener() {
			return new StatesListener();
		}

	}

	static class StuckListener {

		@HealingListener(id = "ledgerPage", topics = "${ledger-page.topic}", parallelism = "8",
				ordering = Ordering.UNORDERED)
		void handle(ConsumerRecord<String, String> record)
				throws InterruptedException {
			if (record.partition() == 0 && record.offset() == STUCK_OFFSET) {
				release.await();
			}
		}

	}

	static class StatesListener {

		// a group of its own: in the first listener's group, its consumer joining late (a loaded machine) rebalances
		// the first listener after its commits, and its re-assigned ledgers show nothing handed out yet
		@HealingListener(id = "ledgerStates", topics = "${ledger-page.states-topic}",
				groupId = "${ledger-page.states-topic}-group", parallelism = "4", ordering = Ordering.KEY,
				failurePolicy = FailurePolicy.HALT,
				notRetryable = IllegalArgumentException.class)
		void handle(ConsumerRecord<String, String> record) throws InterruptedException {
			switch (record.value()) {
				case "hold" -> release.await();
				case "retry" -> throw new IllegalStateException("retried in ten minutes: " + record.offset());
				case "fail" -> throw new IllegalArgumentException("not retryable: " + record.offset());
				default -> {
				}
			}
		}

	}

}
