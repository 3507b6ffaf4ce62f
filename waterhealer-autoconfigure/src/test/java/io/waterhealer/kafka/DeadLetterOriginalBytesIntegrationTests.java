package io.waterhealer.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.waterhealer.DeadLetterHeaders;
import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.support.KafkaHeaders;

import static io.waterhealer.kafka.KafkaTestSupport.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A dead letter is the record as it was on the topic (issue 16, item 2), tried as a new user would: a JSON listener
 * ({@code JacksonJsonDeserializer} / {@code JacksonJsonSerializer}) receives a record of the wrong shape, which
 * deserializes to an object of nulls that the handler refuses. Re-serializing that object put
 * {@code {"id":null,"amount":null}} and a {@code __TypeId__} header on the dead-letter topic, the payload gone; the
 * dead letter must carry the original key and value bytes and headers, and the root cause in headers of its own.
 */
@ExtendWith(OutputCaptureExtension.class)
class DeadLetterOriginalBytesIntegrationTests {

	private static final String WRONG_SHAPE = "{\"paymentId\":\"p-1\",\"sum\":12}";

	@Test
	void aRecordOfTheWrongShapeIsDeadLetteredWithItsOriginalBytesAndHeaders() throws Exception {
		String topic = KafkaTestSupport.uniqueName("dlt-original");
		PaymentListener listener = new PaymentListener(null);
		try (ConfigurableApplicationContext context = start(topic, listener)) {
			produce(topic, "key-1", WRONG_SHAPE);
			List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestSupport.readRaw(topic + "-dlt", 1,
					Duration.ofSeconds(30));
			ConsumerRecord<byte[], byte[]> letter = dead.get(0);
			assertThat(new String(letter.value(), StandardCharsets.UTF_8)).isEqualTo(WRONG_SHAPE);
			assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("key-1");
			assertThat(letter.headers().lastHeader("__TypeId__")).isNull();
			assertThat(header(letter, "x-tenant")).isEqualTo("acme");
			assertThat(header(letter, KafkaHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(topic);
			assertThat(header(letter, DeadLetterHeaders.ROOT_CAUSE_CLASS))
				.isEqualTo(IllegalArgumentException.class.getName());
			assertThat(header(letter, DeadLetterHeaders.ROOT_CAUSE_MESSAGE)).isEqualTo("a payment needs an id");
			assertThat(header(letter, DeadLetterHeaders.LISTENER)).isEqualTo("payments");
			assertThat(listener.seen).containsExactly(new Payment(null, null));
		}
	}

	@Test
	void aRecordGoneByRetentionBeforeItIsDeadLetteredFallsBackToTheReSerializedValueAndSaysSo(CapturedOutput output)
			throws Exception {
		String topic = KafkaTestSupport.uniqueName("dlt-gone");
		PaymentListener listener = new PaymentListener(topic);
		try (ConfigurableApplicationContext context = start(topic, listener)) {
			produce(topic, "key-1", WRONG_SHAPE);
			List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestSupport.readRaw(topic + "-dlt", 1,
					Duration.ofSeconds(30));
			assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).contains("\"id\":null");
			assertThat(header(dead.get(0), DeadLetterHeaders.ROOT_CAUSE_CLASS))
				.isEqualTo(IllegalArgumentException.class.getName());
		}
		assertThat(output).contains("is no longer on the broker").contains(topic + "-0@0");
	}

	private static ConfigurableApplicationContext start(String topic, PaymentListener listener) {
		KafkaTestSupport.createTopic(topic, 1);
		KafkaTestSupport.createTopic(topic + "-dlt", 1);
		return TestApplications.start(topic + "-group", listener, "payments.topic=" + topic,
				"waterhealer.failure.policy=dead-letter", "waterhealer.retry.max-attempts=1",
				"spring.kafka.consumer.value-deserializer="
						+ "org.springframework.kafka.support.serializer.JacksonJsonDeserializer",
				"spring.kafka.consumer.properties[spring.json.value.default.type]=" + Payment.class.getName(),
				"spring.kafka.consumer.properties[spring.json.trusted.packages]=*",
				"spring.kafka.producer.value-serializer="
						+ "org.springframework.kafka.support.serializer.JacksonJsonSerializer",
				"logging.level.io.waterhealer.failures=off");
	}

	private static void produce(String topic, String key, String json) throws Exception {
		try (KafkaProducer<String, String> producer = KafkaTestSupport.producer()) {
			ProducerRecord<String, String> record = new ProducerRecord<>(topic, 0, key, json);
			record.headers().add(new RecordHeader("x-tenant", "acme".getBytes(StandardCharsets.UTF_8)));
			producer.send(record).get(30, TimeUnit.SECONDS);
		}
	}

	record Payment(@Nullable String id, @Nullable Integer amount) {
	}

	static class PaymentListener {

		final List<Payment> seen = new CopyOnWriteArrayList<>();

		/** When set, the handler deletes the record from this topic (as retention would) before it fails. */
		private final @Nullable String deleteFrom;

		PaymentListener(@Nullable String deleteFrom) {
			this.deleteFrom = deleteFrom;
		}

		@HealingListener(id = "payments", topics = "${payments.topic}", ordering = Ordering.PARTITION)
		void on(Payment payment) throws Exception {
			this.seen.add(payment);
			if (this.deleteFrom != null) {
				try (Admin admin = KafkaTestSupport.admin()) {
					admin.deleteRecords(Map.of(new TopicPartition(this.deleteFrom, 0), RecordsToDelete.beforeOffset(1)))
						.all()
						.get(30, TimeUnit.SECONDS);
				}
			}
			if (payment.id() == null) {
				throw new IllegalArgumentException("a payment needs an id");
			}
		}

	}

}
