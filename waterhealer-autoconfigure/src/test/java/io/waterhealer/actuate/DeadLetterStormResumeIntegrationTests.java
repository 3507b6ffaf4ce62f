package io.waterhealer.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import io.waterhealer.health.ListenerHealthMonitor;
import io.waterhealer.kafka.KafkaTestSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator's side of a dead-letter storm, over real HTTP against a real broker: an outage (every record fails
 * with the same exception) trips the guard after the threshold, {@code GET /actuator/waterhealer} says why, and once
 * the outage is over {@code POST /actuator/waterhealer/{listener}} lets the held records through, without another
 * dead letter and without a restart. The write is refused until the application grants access to it.
 */
class DeadLetterStormResumeIntegrationTests {

	private static final int RECORDS = 2_000;

	private static final int THRESHOLD = 100;

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	@Test
	void afterTheOutageAResumeOverHttpProcessesTheHeldRecordsWithoutAnotherDeadLetter() throws Exception {
		String topic = KafkaTestSupport.uniqueName("storm-resume");
		produce(topic);
		OutageListener listener = new OutageListener();
		try (ConfigurableApplicationContext context = start(topic, listener,
				"management.endpoint.waterhealer.access=unrestricted")) {
			await().atMost(Duration.ofSeconds(30))
				.until(() -> send(context, "GET", "/actuator/waterhealer").body().contains("dead-letter storm"));
			assertThat(send(context, "GET", "/actuator/waterhealer").body()).contains("\"storm\"")
				.contains("the last " + THRESHOLD + " records failed with java.lang.IllegalStateException");
			// the records admitted before the guard tripped may still be on their way to the dead-letter topic when the
			// storm is reported (each re-reads its original bytes first): all of them, and no more, arrive
			await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters(topic + "-dlt") == THRESHOLD);
			assertThat(committed(topic)).isLessThan(RECORDS);

			listener.healed = true;
			HttpResponse<String> resumed = send(context, "POST", "/actuator/waterhealer/storm");
			assertThat(resumed.statusCode()).isEqualTo(200);
			assertThat(resumed.body()).contains("\"resumed\":true");
			await().atMost(Duration.ofSeconds(30)).until(() -> committed(topic) == RECORDS);
			assertThat(listener.processed.get()).isEqualTo(RECORDS - THRESHOLD);
			assertThat(deadLetters(topic + "-dlt")).isEqualTo(THRESHOLD);
			ListenerHealthMonitor monitor = context.getBean(ListenerHealthMonitor.class);
			monitor.check();
			assertThat(monitor.verdict().up()).as(monitor.verdict().describe()).isTrue();
			assertThat(send(context, "GET", "/actuator/waterhealer").body()).doesNotContain("dead-letter storm");
			assertThat(send(context, "POST", "/actuator/waterhealer/storm").body()).contains("\"resumed\":false");
			assertThat(send(context, "POST", "/actuator/waterhealer/nosuch").statusCode()).isEqualTo(404);
		}
	}

	@Test
	void resumingIsRefusedUntilTheApplicationGrantsWriteAccess() throws Exception {
		String topic = KafkaTestSupport.uniqueName("storm-refused");
		produce(topic);
		OutageListener listener = new OutageListener();
		try (ConfigurableApplicationContext context = start(topic, listener)) {
			await().atMost(Duration.ofSeconds(30))
				.until(() -> send(context, "GET", "/actuator/waterhealer").body().contains("dead-letter storm"));
			listener.healed = true;
			// the write operation is not even mapped with the endpoint's READ_ONLY default access
			assertThat(send(context, "POST", "/actuator/waterhealer/storm").statusCode()).isEqualTo(404);
			assertThat(send(context, "GET", "/actuator/waterhealer").body()).contains("dead-letter storm");
		}
	}

	private static void produce(String topic) {
		KafkaTestSupport.createTopic(topic, 1);
		KafkaTestSupport.createTopic(topic + "-dlt", 1);
		try (KafkaProducer<String, String> producer = KafkaTestSupport.producer()) {
			for (int i = 0; i < RECORDS; i++) {
				producer.send(new ProducerRecord<>(topic, 0, "key-" + i, Integer.toString(i)));
			}
			producer.flush();
		}
	}

	private static ConfigurableApplicationContext start(String topic, OutageListener listener, String... extra) {
		return new SpringApplicationBuilder(App.class).web(WebApplicationType.SERVLET)
			.initializers((context) -> ((GenericApplicationContext) context).registerBean("outageListener",
					OutageListener.class, () -> listener))
			.properties("spring.kafka.bootstrap-servers=" + KafkaTestSupport.bootstrapServers(),
					"spring.kafka.consumer.group-id=" + topic + "-group", "spring.kafka.consumer.auto-offset-reset=earliest",
					"spring.main.banner-mode=off", "server.port=0", "waterhealer.shutdown.enabled=false",
					"waterhealer.listener.commit-interval=100ms", "waterhealer.failure.policy=dead-letter",
					"waterhealer.retry.max-attempts=1", "waterhealer.failure.storm-threshold=" + THRESHOLD,
					"management.endpoints.web.exposure.include=health,waterhealer", "storm.topic=" + topic,
					"logging.level.io.waterhealer.failures=off")
			.properties(extra)
			.run();
	}

	private static long committed(String topic) {
		return KafkaTestSupport.committed(topic + "-group", new TopicPartition(topic, 0));
	}

	private static long deadLetters(String topic) {
		Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
				KafkaTestSupport.bootstrapServers(), ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
				ByteArrayDeserializer.class, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
				ByteArrayDeserializer.class);
		try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
			TopicPartition partition = new TopicPartition(topic, 0);
			return consumer.endOffsets(List.of(partition)).get(partition);
		}
	}

	private static HttpResponse<String> send(ConfigurableApplicationContext context, String method, String path)
			throws Exception {
		URI uri = URI.create(
				"http://localhost:" + context.getEnvironment().getRequiredProperty("local.server.port") + path);
		HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
		request = "POST".equals(method) ? request.POST(HttpRequest.BodyPublishers.noBody()) : request.GET();
		return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

	}

	/** Every record fails the same way while its database is down. */
	static class OutageListener {

		final AtomicInteger processed = new AtomicInteger();

		volatile boolean healed;

		@HealingListener(id = "storm", topics = "${storm.topic}", ordering = Ordering.UNORDERED)
		void process(String value) {
			if (!this.healed) {
				throw new IllegalStateException("database down");
			}
			this.processed.incrementAndGet();
		}

	}

}
