package io.waterhealer.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import brave.handler.MutableSpan;
import brave.test.TestSpanHandler;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import io.waterhealer.observation.ListenerObservations;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static io.waterhealer.kafka.KafkaTestSupport.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A trace the producer started continues in a {@code @HealingListener} handler, on the worker thread, with Boot's
 * Brave tracing and nothing but {@code spring.kafka.listener.observation-enabled=true}: each record carries its own
 * W3C {@code traceparent}, and the spans brave reports, what the handler sees as the current span and in the MDC,
 * and the dead-letter record's headers are checked against it.
 * <p>
 * One worker thread runs every record in offset order, with records that carry no trace between the traced ones:
 * a scope left open on the thread would make such a record a child of the record before it.
 */
class TracingIntegrationTests {

	private static final String PARENT_SPAN = "00f067aa0ba902b7";

	@Test
	void eachAttemptIsAChildSpanOfTheProducersTraceOnTheWorkerThread() {
		String topic = KafkaTestSupport.uniqueName("traced");
		String asyncTopic = topic + "-async";
		String batchTopic = topic + "-batch";
		String group = topic + "-group";
		KafkaTestSupport.createTopic(topic, 1);
		KafkaTestSupport.createTopic(asyncTopic, 1);
		KafkaTestSupport.createTopic(batchTopic, 1);
		KafkaTestSupport.createTopic(topic + "-dlt", 1);
		Map<String, String> traces = Map.of("plain", trace(1), "future", trace(2), "retry", trace(3), "dead", trace(4),
				"batch-1", trace(5), "batch-2", trace(6));
		send(topic, traces, "plain", "untraced-1", "retry", "untraced-2", "dead", "untraced-3");
		send(asyncTopic, traces, "future", "untraced-4");
		send(batchTopic, traces, "batch-1", "batch-2");
		try (ConfigurableApplicationContext context = TestApplications.start(group, new Object(), Tracing.class,
				"traced.topic=" + topic, "traced.group=" + group, "spring.kafka.listener.observation-enabled=true",
				"spring.kafka.template.observation-enabled=true", "management.tracing.sampling.probability=1.0",
				"waterhealer.failure.policy=dead-letter", "waterhealer.retry.max-attempts=2")) {
			await().atMost(Duration.ofSeconds(30))
				.until(() -> KafkaTestSupport.committed(group, new TopicPartition(topic, 0)) == 6L
						&& KafkaTestSupport.committed(group + "-async", new TopicPartition(asyncTopic, 0)) == 2L
						&& KafkaTestSupport.committed(group + "-batch", new TopicPartition(batchTopic, 0)) == 2L);
			TracedListener listener = context.getBean(TracedListener.class);
			List<MutableSpan> spans = context.getBean(TestSpanHandler.class).spans();
			List<MutableSpan> attempts = spans.stream()
				.filter((span) -> span.tags().containsKey(ListenerObservations.LISTENER_KEY))
				.toList();
			// 10 records, 2 attempts each for "retry" and "dead"
			assertThat(attempts).hasSize(12);

			// each record of a batch has its own span, a child of its own producer's trace
			for (String value : List.of("batch-1", "batch-2")) {
				assertThat(attempts).as(value)
					.filteredOn((span) -> traces.get(value).equals(span.traceId()))
					.singleElement()
					.satisfies((span) -> {
						assertThat(span.parentId()).isEqualTo(PARENT_SPAN);
						assertThat(span.tags()).containsEntry(ListenerObservations.LISTENER_KEY, "traced-batch")
							.containsEntry(ListenerObservations.OUTCOME_KEY, "success");
					});
			}

			for (String value : List.of("plain", "future", "retry", "dead")) {
				List<Seen> seen = listener.seen.get(value);
				List<MutableSpan> ofRecord = attempts.stream()
					.filter((span) -> traces.get(value).equals(span.traceId()))
					.toList();
				int expectedAttempts = (value.equals("retry") || value.equals("dead")) ? 2 : 1;
				assertThat(seen).as(value).hasSize(expectedAttempts);
				assertThat(ofRecord).as(value).hasSize(expectedAttempts);
				for (int i = 0; i < expectedAttempts; i++) {
					Seen attempt = seen.get(i);
					assertThat(attempt.thread()).as(value).matches("waterhealer-traced(-async)?-\\d+");
					assertThat(attempt.traceId()).as(value).isEqualTo(traces.get(value));
					assertThat(attempt.mdcTraceId()).as(value).isEqualTo(traces.get(value));
					assertThat(attempt.mdcSpanId()).as(value).isEqualTo(attempt.spanId());
					MutableSpan span = ofRecord.stream()
						.filter((candidate) -> candidate.id().equals(attempt.spanId()))
						.findFirst()
						.orElseThrow();
					// a child of the producer's span, every attempt a span of its own
					assertThat(span.parentId()).as(value).isEqualTo(PARENT_SPAN);
					assertThat(span.tags()).containsEntry(ListenerObservations.ATTEMPT_KEY, Integer.toString(i + 1))
						.containsEntry(ListenerObservations.ORDERING_KEY, "UNORDERED")
						.containsEntry("spring.kafka.listener.id", span.tags().get(ListenerObservations.LISTENER_KEY));
				}
				assertThat(ofRecord.stream().map(MutableSpan::id).distinct()).as(value).hasSize(expectedAttempts);
			}
			assertThat(attempts.stream()
				.filter((span) -> traces.get("retry").equals(span.traceId()))
				.map((span) -> span.tags().get(ListenerObservations.OUTCOME_KEY))).containsExactlyInAnyOrder("failure",
						"success");

			// the future's span ends when the future completes, not when the method returns
			MutableSpan future = attempts.stream()
				.filter((span) -> traces.get("future").equals(span.traceId()))
				.findFirst()
				.orElseThrow();
			assertThat(future.finishTimestamp() - future.startTimestamp())
				.isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toMicros(TracedListener.FUTURE_DELAY_MS));

			// a record without a trace starts its own: nothing of the record before it stayed on the worker thread
			for (String value : List.of("untraced-1", "untraced-2", "untraced-3", "untraced-4")) {
				Seen untraced = listener.seen.get(value).get(0);
				assertThat(traces.values()).as(value).doesNotContain(untraced.traceId());
				MutableSpan span = attempts.stream()
					.filter((candidate) -> candidate.id().equals(untraced.spanId()))
					.findFirst()
					.orElseThrow();
				assertThat(span.parentId()).as(value).isNull();
			}

			// the dead letter was sent from inside the last attempt: its traceparent is the send's span, whose
			// parent is that attempt
			ConsumerRecord<String, String> dead = readOne(topic + "-dlt");
			String traceparent = header(dead, "traceparent");
			assertThat(traceparent).startsWith("00-" + traces.get("dead") + "-");
			String sendSpanId = traceparent.split("-")[2];
			MutableSpan sent = spans.stream().filter((span) -> span.id().equals(sendSpanId)).findFirst().orElseThrow();
			assertThat(sent.parentId()).isEqualTo(listener.seen.get("dead").get(1).spanId());

			// the observations' timer is scraped (the containers' own spring.kafka.listener timer, which would time
			// only the hand-out and has other tag keys, must not take the name first)
			assertThat(context.getBean(PrometheusMeterRegistry.class).scrape().lines())
				.anyMatch((line) -> line.startsWith("spring_kafka_listener_seconds_count{")
						&& line.contains("waterhealer_listener=\"traced\""));
		}
	}

	private static void send(String topic, Map<String, String> traces, String... values) {
		try (KafkaProducer<String, String> producer = KafkaTestSupport.producer()) {
			for (String value : values) {
				ProducerRecord<String, String> record = new ProducerRecord<>(topic, 0, value, value);
				String trace = traces.get(value);
				if (trace != null) {
					record.headers()
						.add("traceparent", ("00-" + trace + "-" + PARENT_SPAN + "-01").getBytes(StandardCharsets.UTF_8));
				}
				producer.send(record);
			}
		}
	}

	private static String trace(int n) {
		return "4bf92f3577b34da6a3ce929d0e0e47" + String.format("%02x", n);
	}

	private static ConsumerRecord<String, String> readOne(String topic) {
		Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
				KafkaTestSupport.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, topic + "-reader",
				ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
				StringDeserializer.class, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
		try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
			consumer.subscribe(List.of(topic));
			List<ConsumerRecord<String, String>> found = new ArrayList<>();
			await().atMost(Duration.ofSeconds(20)).until(() -> {
				ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
				records.forEach(found::add);
				return !found.isEmpty();
			});
			assertThat(found).hasSize(1);
			return found.get(0);
		}
	}

	/** What the handler saw of the current span and the MDC, per attempt. */
	record Seen(String thread, @Nullable String traceId, @Nullable String spanId, @Nullable String mdcTraceId,
			@Nullable String mdcSpanId) {
	}

	@Configuration(proxyBeanMethods = false)
	static class Tracing {

		@Bean
		TestSpanHandler testSpanHandler() {
			return new TestSpanHandler();
		}

		@Bean
		TracedListener tracedListener(Tracer tracer) {
			return new TracedListener(tracer);
		}

	}

	/**
	 * Notes what it sees: {@code process} returns plainly, "retry" fails once and "dead" always; {@code processAsync}
	 * returns a future another thread completes later.
	 */
	static class TracedListener {

		static final long FUTURE_DELAY_MS = 300;

		final Map<String, List<Seen>> seen = new ConcurrentHashMap<>();

		private final Tracer tracer;

		TracedListener(Tracer tracer) {
			this.tracer = tracer;
		}

		@HealingListener(id = "traced", topics = "${traced.topic}", ordering = Ordering.UNORDERED, parallelism = "1")
		void process(String value) {
			List<Seen> attempts = see(value);
			if (value.equals("dead") || (value.equals("retry") && attempts.size() == 1)) {
				throw new IllegalStateException(value + " fails");
			}
		}

		@HealingListener(id = "traced-async", topics = "${traced.topic}-async", groupId = "${traced.group}-async",
				ordering = Ordering.UNORDERED, parallelism = "1")
		CompletableFuture<String> processAsync(String value) {
			see(value);
			return CompletableFuture.supplyAsync(() -> value,
					CompletableFuture.delayedExecutor(FUTURE_DELAY_MS, TimeUnit.MILLISECONDS));
		}

		@HealingListener(id = "traced-batch", topics = "${traced.topic}-batch", groupId = "${traced.group}-batch",
				batchSize = "2", batchTimeout = "5s")
		void processBatch(List<String> values) {
		}

		private List<Seen> see(String value) {
			Span span = this.tracer.currentSpan();
			List<Seen> attempts = this.seen.computeIfAbsent(value, (key) -> new CopyOnWriteArrayList<>());
			attempts.add(new Seen(Thread.currentThread().getName(), (span != null) ? span.context().traceId() : null,
					(span != null) ? span.context().spanId() : null, MDC.get("traceId"), MDC.get("spanId")));
			return attempts;
		}

	}

}
