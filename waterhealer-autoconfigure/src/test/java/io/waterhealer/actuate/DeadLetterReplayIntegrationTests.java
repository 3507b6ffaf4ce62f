package io.waterhealer.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import io.waterhealer.DeadLetterHeaders;
import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import io.waterhealer.kafka.KafkaTestSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dead-letter replay over real HTTP against a real broker (issue 16, item 2): records dead-lettered by a bug are
 * counted by {@code GET /actuator/deadletters} without any of their data, and once the bug is fixed
 * {@code POST /actuator/deadletters/{listener}} sends them back to their original topic, where the listener processes
 * each exactly once: the replay group is committed past them, so neither a second POST nor a restart replays them
 * again. The write is refused until the application grants it.
 */
class DeadLetterReplayIntegrationTests {

	private static final int RECORDS = 10;

	private static final String GRANTED = "management.endpoint.deadletters.access=unrestricted";

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void tenDeadLettersOfABugAreReplayedOnceAfterTheFix() throws Exception {
		String topic = KafkaTestSupport.uniqueName("replay");
		produce(topic);
		BuggyListener listener = new BuggyListener();
		try (ConfigurableApplicationContext context = start(topic, listener, GRANTED)) {
			await().atMost(Duration.ofSeconds(30)).until(() -> committed(topic + "-group", topic) == RECORDS);
			await().atMost(Duration.ofSeconds(30)).until(() -> count(context) == RECORDS);
			HttpResponse<String> read = send(context, "GET", "/actuator/deadletters", null);
			assertThat(read.statusCode()).isEqualTo(200);
			assertNoPayload(read.body());
			Map<String, Object> before = listenerRead(read.body());
			assertThat(before).containsEntry("count", RECORDS)
				.containsEntry("replayed", 0)
				.containsEntry("replayGroup", topic + "-group-replay")
				.containsEntry("scanComplete", true)
				.containsEntry("deadLetterTopics", List.of(topic + "-dlt"));
			assertThat(before.get("oldest")).isNotNull();
			assertThat(before.get("newest")).isNotNull();
			assertThat(before.get("byException")).isEqualTo(Map.of(BugException.class.getName(), RECORDS));
			assertNoPayload(send(context, "GET", "/actuator/deadletters/buggy", null).body());

			listener.fixed = true;
			HttpResponse<String> replayed = send(context, "POST", "/actuator/deadletters/buggy", "{}");
			assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(200);
			assertThat(JSON.readValue(replayed.body(), Map.class)).containsEntry("replayed", RECORDS);
			assertThat(replayed.body()).contains("\"offsets\":[\"0-9\"]");
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.processed.size() == RECORDS);
			assertThat(committed(topic + "-group-replay", topic + "-dlt")).isEqualTo(RECORDS);
			assertThat(JSON.readValue(send(context, "POST", "/actuator/deadletters/buggy", "{}").body(), Map.class))
				.containsEntry("replayed", 0);
			assertThat(listenerRead(send(context, "GET", "/actuator/deadletters", null).body()))
				.containsEntry("replayed", RECORDS);
			assertThat(context.getBean(MeterRegistry.class)
				.get("waterhealer.deadletters.replayed")
				.tag("topic", topic + "-dlt")
				.counter()
				.count()).isEqualTo((double) RECORDS);
			await().atMost(Duration.ofSeconds(30)).until(() -> committed(topic + "-group", topic) == 2 * RECORDS);
		}
		try (ConfigurableApplicationContext context = start(topic, listener, GRANTED)) {
			assertThat(JSON.readValue(send(context, "POST", "/actuator/deadletters/buggy", "{}").body(), Map.class))
				.containsEntry("replayed", 0);
			assertThat(committed(topic + "-group", topic)).isEqualTo(2 * RECORDS);
		}
		assertThat(listener.processed).hasSize(RECORDS);
		assertThat(listener.processed.values()).allMatch((times) -> times.get() == 1);
		assertThat(listener.marks).hasSize(RECORDS).allMatch((mark) -> mark.endsWith("Z"));
		assertThat(listener.wrongHeaders).hasValue(0);
	}

	@Test
	void anOffsetRangeAndAnExceptionClassReplayOnlyTheirDeadLettersAndTheRestComesOnceLater() throws Exception {
		String topic = KafkaTestSupport.uniqueName("replay-filter");
		produce(topic);
		BuggyListener listener = new BuggyListener();
		try (ConfigurableApplicationContext context = start(topic, listener, GRANTED)) {
			await().atMost(Duration.ofSeconds(30)).until(() -> count(context) == RECORDS);
			assertThat(listenerRead(send(context, "GET", "/actuator/deadletters", null).body()).get("byException"))
				.isEqualTo(Map.of(BugException.class.getName(), RECORDS));
			listener.fixed = true;

			HttpResponse<String> range = send(context, "POST", "/actuator/deadletters/buggy",
					"{\"partition\":0,\"from\":2,\"to\":4}");
			assertThat(range.body()).contains("\"replayed\":3").contains("\"offsets\":[\"2-4\"]");
			HttpResponse<String> byClass = send(context, "POST", "/actuator/deadletters/buggy",
					"{\"exception\":\"" + IllegalStateException.class.getName() + "\"}");
			assertThat(byClass.body()).contains("\"replayed\":0");
			HttpResponse<String> byBug = send(context, "POST", "/actuator/deadletters/buggy",
					"{\"partition\":0,\"from\":6,\"exception\":\"" + BugException.class.getName() + "\"}");
			assertThat(byBug.body()).contains("\"replayed\":4").contains("\"offsets\":[\"6-9\"]");
			assertThat(listenerRead(send(context, "GET", "/actuator/deadletters", null).body()))
				.containsEntry("replayed", 7);
			HttpResponse<String> rest = send(context, "POST", "/actuator/deadletters/buggy", "{}");
			assertThat(rest.body()).contains("\"replayed\":3").contains("\"offsets\":[\"0-1\",\"5\"]");
			assertThat(send(context, "POST", "/actuator/deadletters/buggy", "{}").body()).contains("\"replayed\":0");
			assertThat(send(context, "POST", "/actuator/deadletters/buggy", "{\"from\":1}").statusCode()).isEqualTo(400);
			assertThat(send(context, "POST", "/actuator/deadletters/nosuch", "{}").statusCode()).isEqualTo(404);
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.processed.size() == RECORDS);
			assertThat(committed(topic + "-group-replay", topic + "-dlt")).isEqualTo(RECORDS);
			await().atMost(Duration.ofSeconds(30)).until(() -> committed(topic + "-group", topic) == 2 * RECORDS);
		}
		assertThat(listener.processed.values()).allMatch((times) -> times.get() == 1);
	}

	@Test
	void replayingIsRefusedUntilTheApplicationGrantsWriteAccess() throws Exception {
		String topic = KafkaTestSupport.uniqueName("replay-refused");
		produce(topic);
		BuggyListener listener = new BuggyListener();
		try (ConfigurableApplicationContext context = start(topic, listener)) {
			await().atMost(Duration.ofSeconds(30)).until(() -> count(context) == RECORDS);
			listener.fixed = true;
			// the write operation is not even mapped with the endpoint's READ_ONLY default access: the path answers
			// only the read of one listener
			assertThat(send(context, "POST", "/actuator/deadletters/buggy", "{}").statusCode()).isEqualTo(405);
			assertThat(send(context, "GET", "/actuator/deadletters/buggy", null).statusCode()).isEqualTo(200);
			assertThat(committed(topic + "-group-replay", topic + "-dlt")).as("no replay commit").isEqualTo(-1L);
			assertThat(listener.processed).isEmpty();
		}
	}

	private static void assertNoPayload(String body) {
		assertThat(body).doesNotContain("secret").doesNotContain("acme");
	}

	private static void produce(String topic) throws Exception {
		KafkaTestSupport.createTopic(topic, 1);
		KafkaTestSupport.createTopic(topic + "-dlt", 1);
		try (KafkaProducer<String, String> producer = KafkaTestSupport.producer()) {
			for (int i = 0; i < RECORDS; i++) {
				ProducerRecord<String, String> record = new ProducerRecord<>(topic, 0, "key-secret-" + i,
						"value-secret-" + i);
				record.headers().add(new RecordHeader("x-tenant", "acme".getBytes(StandardCharsets.UTF_8)));
				producer.send(record);
			}
			producer.flush();
		}
	}

	private static ConfigurableApplicationContext start(String topic, BuggyListener listener, String... extra) {
		return new SpringApplicationBuilder(App.class).web(WebApplicationType.SERVLET)
			.initializers((context) -> ((GenericApplicationContext) context).registerBean("buggyListener",
					BuggyListener.class, () -> listener))
			.properties("spring.kafka.bootstrap-servers=" + KafkaTestSupport.bootstrapServers(),
					"spring.kafka.consumer.group-id=" + topic + "-group",
					"spring.kafka.consumer.auto-offset-reset=earliest", "spring.main.banner-mode=off", "server.port=0",
					"waterhealer.shutdown.enabled=false", "waterhealer.listener.commit-interval=100ms",
					"waterhealer.failure.policy=dead-letter", "waterhealer.retry.max-attempts=1",
					"management.endpoints.web.exposure.include=health,deadletters", "replay.topic=" + topic,
					"logging.level.io.waterhealer.failures=off")
			.properties(extra)
			.run();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> listenerRead(String body) {
		return (Map<String, Object>) JSON.readValue(body, Map.class).get("buggy");
	}

	private static long count(ConfigurableApplicationContext context) throws Exception {
		Object count = listenerRead(send(context, "GET", "/actuator/deadletters", null).body()).get("count");
		return ((Number) count).longValue();
	}

	private static long committed(String group, String topic) {
		return KafkaTestSupport.committed(group, new TopicPartition(topic, 0));
	}

	private static HttpResponse<String> send(ConfigurableApplicationContext context, String method, String path,
			String body) throws Exception {
		URI uri = URI.create(
				"http://localhost:" + context.getEnvironment().getRequiredProperty("local.server.port") + path);
		HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60));
		request = "POST".equals(method)
				? request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
				: request.GET();
		return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

	}

	/** The bug the records were dead-lettered for. */
	static class BugException extends RuntimeException {

		BugException(String message) {
			super(message);
		}

	}

	/** Fails every record with a bug until it is fixed; then counts what it processes, by value. */
	static class BuggyListener {

		final Map<String, AtomicInteger> processed = new ConcurrentHashMap<>();

		final List<String> marks = new CopyOnWriteArrayList<>();

		/** Replayed records without their original header, or with a header of the dead-lettering left on. */
		final AtomicInteger wrongHeaders = new AtomicInteger();

		volatile boolean fixed;

		@HealingListener(id = "buggy", topics = "${replay.topic}", ordering = Ordering.PARTITION)
		void process(ConsumerRecord<String, String> record) {
			if (!this.fixed) {
				throw new BugException("bug in " + record.value());
			}
			this.processed.computeIfAbsent(record.value(), (value) -> new AtomicInteger()).incrementAndGet();
			Header mark = record.headers().lastHeader(DeadLetterHeaders.REPLAYED);
			if (mark != null) {
				this.marks.add(new String(mark.value(), StandardCharsets.UTF_8));
			}
			if (record.headers().lastHeader("x-tenant") == null
					|| record.headers().lastHeader(DeadLetterHeaders.ATTEMPTS) != null) {
				this.wrongHeaders.incrementAndGet();
			}
		}

	}

}
