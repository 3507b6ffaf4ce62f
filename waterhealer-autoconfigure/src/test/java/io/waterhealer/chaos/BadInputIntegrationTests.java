package io.waterhealer.chaos;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.waterhealer.HealingListener;
import io.waterhealer.health.WaterhealerHealthIndicator;
import io.waterhealer.kafka.KafkaTestSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.kafka.support.KafkaHeaders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bad input (issue 9, case 4): one partition mixes good JSON records with malformed JSON, a null key, a null value
 * (tombstone) for a typed listener, records of about 900 KB (the broker's limit is 1 MB), odd headers (binary, empty,
 * null, duplicate names) and a record the handler rejects. Under each failure policy every record is accounted for:
 * processed, or published to {@code <topic>-dlt} with its original bytes and headers (DEAD_LETTER), or logged
 * (SKIP), or held with the committed position and reported by health and metrics (HALT). Nothing is lost, nothing
 * is stuck silently.
 */
@ExtendWith(OutputCaptureExtension.class)
class BadInputIntegrationTests {

	static final String BIG = "x".repeat(900_000);

	/** The records by offset: key, value (null for a tombstone) and whether they carry the odd headers. */
	static final List<Input> INPUTS = List.of(new Input("k0", "{\"id\":0,\"note\":\"ok\"}", false),
			new Input("k1", "{not json", false), new Input(null, "{\"id\":2,\"note\":\"no key\"}", false),
			new Input("k3", null, false), new Input("k4", "{\"id\":4,\"note\":\"" + BIG + "\"}", false),
			new Input("k5", "{\"id\":5,\"note\":\"odd headers\"}", true), new Input("k6", "[1,2", true),
			new Input("k7", "{\"id\":7,\"note\":\"reject\"}", false), new Input("k8", "{\"id\":8,\"note\":\"ok\"}", false),
			new Input("k9", "{\"id\":9,\"note\":\"ok\"}", false), new Input("k10", "{" + BIG, false));

	static final Set<Long> GOOD = Set.of(0L, 2L, 4L, 5L, 8L, 9L);

	static final Set<Long> BAD = Set.of(1L, 3L, 6L, 7L, 10L);

	@Test
	void deadLetterPublishesEachBadRecordWithItsBytesAndHeadersAndMovesOn(CapturedOutput output) throws Exception {
		String topic = produce("bad-input-dlt");
		OrderListener listener = new OrderListener();
		try (ConfigurableApplicationContext context = start(topic, listener, "waterhealer.failure.policy=dead-letter",
				"spring.kafka.producer.value-serializer="
						+ "org.springframework.kafka.support.serializer.JacksonJsonSerializer",
				"spring.kafka.producer.properties.spring.json.add.type.headers=false")) {
			await().atMost(Duration.ofSeconds(60)).until(() -> committed(topic) == INPUTS.size());
			assertThat(listener.processed).containsExactlyInAnyOrderElementsOf(GOOD);
			List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestSupport.readRaw(topic + "-dlt", BAD.size(),
					Duration.ofSeconds(30));
			Set<Long> deadOffsets = new TreeSet<>();
			for (ConsumerRecord<byte[], byte[]> record : dead) {
				long offset = Long.parseLong(header(record, KafkaHeaders.DLT_ORIGINAL_OFFSET));
				deadOffsets.add(offset);
				Input input = INPUTS.get((int) offset);
				assertThat(record.value()).as("dead letter of offset %d", offset).isEqualTo(input.valueBytes());
				assertThat(record.key()).isEqualTo(input.keyBytes());
				if (input.oddHeaders()) {
					for (Header odd : oddHeaders()) {
						assertThat(record.headers().headers(odd.key())).as("header %s", odd.key())
							.anySatisfy((h) -> assertThat(h.value()).isEqualTo(odd.value()));
					}
					assertThat(record.headers().headers("dup")).hasSizeGreaterThanOrEqualTo(2);
				}
			}
			assertThat(deadOffsets).containsExactlyInAnyOrderElementsOf(BAD);
		}
		for (long offset : BAD) {
			assertThat(output).contains("offset=" + offset + " ");
		}
		assertThat(output).contains("policy DEAD_LETTER published it to " + topic + "-dlt");
	}

	/**
	 * A dead letter is the record's bytes as read again from the topic, so Boot's default {@code StringSerializer},
	 * which cannot write an {@code Order}, no longer holds the rejected record (it used to: the deserialized object
	 * was re-serialized, and the record stayed incomplete until the producer's serializer was changed).
	 */
	@Test
	void deadLetterNeedsNoProducerSerializerOfTheListenersType() throws Exception {
		String topic = produce("bad-input-dlt-serializer");
		OrderListener listener = new OrderListener();
		try (ConfigurableApplicationContext context = start(topic, listener, "waterhealer.failure.policy=dead-letter")) {
			await().atMost(Duration.ofSeconds(60)).until(() -> committed(topic) == INPUTS.size());
			assertThat(listener.processed).containsExactlyInAnyOrderElementsOf(GOOD);
			List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestSupport.readRaw(topic + "-dlt", BAD.size(),
					Duration.ofSeconds(30));
			ConsumerRecord<byte[], byte[]> rejected = dead.stream()
				.filter((record) -> header(record, KafkaHeaders.DLT_ORIGINAL_OFFSET).equals("7"))
				.findFirst()
				.orElseThrow();
			assertThat(rejected.value()).isEqualTo(INPUTS.get(7).valueBytes());
			assertThat(rejected.key()).isEqualTo(INPUTS.get(7).keyBytes());
		}
	}

	@Test
	void skipLogsEachBadRecordAndMovesOn(CapturedOutput output) throws Exception {
		String topic = produce("bad-input-skip");
		OrderListener listener = new OrderListener();
		try (ConfigurableApplicationContext context = start(topic, listener, "waterhealer.failure.policy=skip")) {
			await().atMost(Duration.ofSeconds(60)).until(() -> committed(topic) == INPUTS.size());
			assertThat(listener.processed).containsExactlyInAnyOrderElementsOf(GOOD);
		}
		for (long offset : BAD) {
			assertThat(output.getAll().lines()
				.filter((line) -> line.contains("topic=" + topic) && line.contains("offset=" + offset + " ")
						&& line.contains("policy SKIP")))
				.as("the SKIP line of offset %d", offset)
				.hasSize(1);
		}
	}

	@Test
	void haltHoldsTheFirstBadRecordAndSaysSoThroughHealthAndMetrics(CapturedOutput output) throws Exception {
		String topic = produce("bad-input-halt");
		OrderListener listener = new OrderListener();
		try (ConfigurableApplicationContext context = start(topic, listener, "waterhealer.failure.policy=halt",
				"waterhealer.shutdown.stall-timeout=2s", "waterhealer.shutdown.interval=200ms")) {
			await().atMost(Duration.ofSeconds(60)).until(() -> listener.processed.containsAll(GOOD));
			WaterhealerHealthIndicator health = context.getBean(WaterhealerHealthIndicator.class);
			await().atMost(Duration.ofSeconds(30)).until(() -> Status.DOWN.equals(health.health(true).getStatus()));
			Health down = health.health(true);
			assertThat(String.valueOf(down.getDetails().get("reason"))).contains("stalled").contains(topic + "-0");
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.get("waterhealer.partition.incomplete").tag("topic", topic).gauge().value())
				.isEqualTo(BAD.size());
			assertThat(meters.get("waterhealer.partition.oldest.incomplete.age").tag("topic", topic).timeGauge()
				.value(TimeUnit.MILLISECONDS)).isPositive();
			assertThat(committed(topic)).as("the committed position waits at the first bad record").isEqualTo(1L);
		}
		assertThat(output).contains("policy HALT holds the committed position");
		assertThat(committed(topic)).isEqualTo(1L);
	}

	private static ConfigurableApplicationContext start(String topic, OrderListener listener, String... properties) {
		List<String> all = new ArrayList<>(List.of("spring.kafka.bootstrap-servers=" + KafkaTestSupport.bootstrapServers(),
				"spring.kafka.consumer.group-id=" + topic + "-group", "spring.kafka.consumer.auto-offset-reset=earliest",
				"spring.kafka.consumer.value-deserializer="
						+ "org.springframework.kafka.support.serializer.JacksonJsonDeserializer",
				"spring.kafka.consumer.properties.spring.json.value.default.type=" + Order.class.getName(),
				"spring.kafka.consumer.properties.spring.json.trusted.packages=io.waterhealer.chaos",
				"spring.main.banner-mode=off", "bad.topic=" + topic, "waterhealer.listener.commit-interval=100ms",
				"waterhealer.retry.initial-interval=20ms", "waterhealer.retry.max-interval=100ms",
				"waterhealer.retry.max-attempts=3", "waterhealer.shutdown.enabled=false",
				"logging.level.io.waterhealer.failures=WARN"));
		all.addAll(List.of(properties));
		return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
			.initializers((context) -> ((GenericApplicationContext) context).registerBean("listener",
					OrderListener.class, () -> listener))
			.properties(all.toArray(String[]::new))
			.run();
	}

	private static String produce(String name) throws Exception {
		String topic = KafkaTestSupport.uniqueName(name);
		KafkaTestSupport.createTopic(topic, 1);
		KafkaTestSupport.createTopic(topic + "-dlt", 1);
		try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
				KafkaTestSupport.bootstrapServers(), ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
				ByteArraySerializer.class, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
			for (Input input : INPUTS) {
				RecordHeaders headers = new RecordHeaders();
				if (input.oddHeaders()) {
					oddHeaders().forEach(headers::add);
				}
				producer.send(new ProducerRecord<>(topic, 0, null, input.keyBytes(), input.valueBytes(), headers))
					.get(30, TimeUnit.SECONDS);
			}
		}
		return topic;
	}

	static List<Header> oddHeaders() {
		return List.of(new RecordHeader("binary", new byte[] { (byte) 0xFF, 0, (byte) 0x80, 0x7F }),
				new RecordHeader("empty", new byte[0]), new RecordHeader("null", null),
				new RecordHeader("dup", "first".getBytes(StandardCharsets.UTF_8)),
				new RecordHeader("dup", "second".getBytes(StandardCharsets.UTF_8)),
				new RecordHeader("ünïcødé ☃", "✓".getBytes(StandardCharsets.UTF_8)));
	}

	private static long committed(String topic) {
		return KafkaTestSupport.committed(topic + "-group", new TopicPartition(topic, 0));
	}

	private static String header(ConsumerRecord<?, ?> record, String name) {
		Header header = record.headers().lastHeader(name);
		assertThat(header).as(name).isNotNull();
		byte[] value = header.value();
		// spring-kafka writes the original offset as an 8-byte long
		return (value.length == 8 && name.equals(KafkaHeaders.DLT_ORIGINAL_OFFSET))
				? Long.toString(java.nio.ByteBuffer.wrap(value).getLong())
				: new String(value, StandardCharsets.UTF_8);
	}

	/** A record of the topic. */
	record Input(String key, String value, boolean oddHeaders) {

		byte[] keyBytes() {
			return (this.key != null) ? this.key.getBytes(StandardCharsets.UTF_8) : null;
		}

		byte[] valueBytes() {
			return (this.value != null) ? this.value.getBytes(StandardCharsets.UTF_8) : null;
		}

	}

	/** The JSON payload the listener takes. */
	public record Order(int id, String note) {
	}

	/** A typed listener: takes an {@link Order}; rejects the one whose note says so. */
	static class OrderListener {

		final Set<Long> processed = ConcurrentHashMap.newKeySet();

		@HealingListener(id = "orders", topics = "${bad.topic}", notRetryable = IllegalArgumentException.class)
		void handle(Order order, ConsumerRecord<String, Order> record) {
			if ("reject".equals(order.note())) {
				throw new IllegalArgumentException("order " + order.id() + " is rejected by the business rule");
			}
			this.processed.add(record.offset());
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

	}

}
