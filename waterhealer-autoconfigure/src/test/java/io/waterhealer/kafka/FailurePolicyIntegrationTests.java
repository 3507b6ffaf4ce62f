package io.waterhealer.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import io.waterhealer.kafka.worker.DeadLetterPublisher;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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
 * Each failure policy against a real broker, for records whose handler throws and for poison pills (values the
 * configured deserializer cannot read: 3 bytes where {@code IntegerDeserializer} needs 4).
 */
@ExtendWith(OutputCaptureExtension.class)
class FailurePolicyIntegrationTests {

	@Test
	void haltHoldsThePositionThenRecoversWhenTheFailureStops() {
		Fixture fixture = new Fixture("halt", 20, 7);
		ThrowingListener listener = new ThrowingListener(7);
		try (ConfigurableApplicationContext context = fixture.start(listener, "waterhealer.failure.policy=halt",
				"waterhealer.retry.max-attempts=3")) {
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.attempts.get() >= 5);
			assertThat(listener.done).hasSize(19);
			await().atMost(Duration.ofSeconds(10)).until(() -> fixture.committed() == 7L);
			listener.healed = true;
			await().atMost(Duration.ofSeconds(10)).until(() -> fixture.committed() == 20L);
		}
	}

	@Test
	void deadLetterPublishesTheRecordWithItsCoordinatesThenMovesOn() {
		Fixture fixture = new Fixture("dlt", 20, 7);
		ThrowingListener listener = new ThrowingListener(7);
		try (ConfigurableApplicationContext context = fixture.start(listener, "waterhealer.failure.policy=dead-letter",
				"waterhealer.retry.max-attempts=3")) {
			await().atMost(Duration.ofSeconds(30)).until(() -> fixture.committed() == 20L);
			assertThat(listener.attempts.get()).isEqualTo(3);
			ConsumerRecord<byte[], byte[]> dead = fixture.readOne(fixture.topic + "-dlt");
			assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("7");
			assertThat(header(dead, KafkaHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(fixture.topic);
			assertThat(ByteBuffer.wrap(dead.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_OFFSET).value()).getLong())
				.isEqualTo(7L);
			assertThat(ByteBuffer.wrap(dead.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_PARTITION).value()).getInt())
				.isZero();
			assertThat(header(dead, KafkaHeaders.DLT_EXCEPTION_FQCN)).isEqualTo(IllegalStateException.class.getName());
			assertThat(header(dead, KafkaHeaders.DLT_EXCEPTION_MESSAGE)).contains("record 7 is broken");
			assertThat(header(dead, DeadLetterPublisher.ATTEMPTS_HEADER)).isEqualTo("3");
		}
	}

	@Test
	void skipLogsTheRecordAndMovesOn(CapturedOutput output) {
		Fixture fixture = new Fixture("skip", 20, 7);
		ThrowingListener listener = new ThrowingListener(7);
		try (ConfigurableApplicationContext context = fixture.start(listener, "waterhealer.failure.policy=skip",
				"waterhealer.retry.max-attempts=2")) {
			await().atMost(Duration.ofSeconds(30)).until(() -> fixture.committed() == 20L);
			assertThat(listener.attempts.get()).isEqualTo(2);
			assertThat(listener.done).hasSize(19);
		}
		assertThat(output).contains("topic=" + fixture.topic + " partition=0 offset=7 key=key-7 attempt=2")
			.contains("policy SKIP");
	}

	@Test
	void aNonRetryableExceptionSkipsTheRetries() {
		Fixture fixture = new Fixture("notretryable", 20, 7);
		ThrowingListener listener = new ThrowingListener(7);
		try (ConfigurableApplicationContext context = fixture.start(listener, "waterhealer.failure.policy=skip",
				"waterhealer.retry.max-attempts=5",
				"waterhealer.retry.not-retryable=java.lang.IllegalStateException")) {
			await().atMost(Duration.ofSeconds(30)).until(() -> fixture.committed() == 20L);
			assertThat(listener.attempts.get()).isEqualTo(1);
		}
	}

	@Test
	void aPoisonPillUnderHaltHoldsThePositionAndSaysWhy(CapturedOutput output) {
		Fixture fixture = new Fixture("poison-halt", 20, 7).poisoned();
		IntListener listener = new IntListener();
		try (ConfigurableApplicationContext context = fixture.start(listener, "waterhealer.failure.policy=halt",
				"spring.kafka.consumer.value-deserializer=org.apache.kafka.common.serialization.IntegerDeserializer")) {
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.done.size() == 19);
			await().atMost(Duration.ofSeconds(10)).until(() -> fixture.committed() == 7L);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> output.toString().contains("topic=" + fixture.topic + " partition=0 offset=7"));
		}
		assertThat(output).contains("poison pill").contains("DeserializationException").contains("policy HALT")
			.contains("(root cause: org.apache.kafka.common.errors.SerializationException: Size of data received by "
					+ "IntegerDeserializer is not 4)");
	}

	@Test
	void aPoisonPillUnderDeadLetterArrivesWithItsOriginalBytes() {
		Fixture fixture = new Fixture("poison-dlt", 20, 7).poisoned();
		IntListener listener = new IntListener();
		try (ConfigurableApplicationContext context = fixture.start(listener,
				"waterhealer.failure.policy=dead-letter",
				"spring.kafka.consumer.value-deserializer=org.apache.kafka.common.serialization.IntegerDeserializer")) {
			await().atMost(Duration.ofSeconds(30)).until(() -> fixture.committed() == 20L);
			ConsumerRecord<byte[], byte[]> dead = fixture.readOne(fixture.topic + "-dlt");
			assertThat(dead.value()).containsExactly(1, 2, 3);
			assertThat(header(dead, KafkaHeaders.DLT_EXCEPTION_FQCN)).contains("DeserializationException");
			assertThat(header(dead, DeadLetterPublisher.ROOT_CAUSE_HEADER)).isEqualTo(
					"org.apache.kafka.common.errors.SerializationException: Size of data received by IntegerDeserializer "
							+ "is not 4");
			assertThat(listener.done).hasSize(19);
		}
	}

	@Test
	void aPoisonPillUnderSkipIsLoggedAndPassed(CapturedOutput output) {
		Fixture fixture = new Fixture("poison-skip", 20, 7).poisoned();
		IntListener listener = new IntListener();
		try (ConfigurableApplicationContext context = fixture.start(listener, "waterhealer.failure.policy=skip",
				"spring.kafka.consumer.value-deserializer=org.apache.kafka.common.serialization.IntegerDeserializer")) {
			await().atMost(Duration.ofSeconds(30)).until(() -> fixture.committed() == 20L);
			assertThat(listener.done).hasSize(19);
		}
		assertThat(output).contains("topic=" + "poison-skip").contains("offset=7").contains("policy SKIP");
	}

	/** A one-partition topic of {@code count} records, one of them possibly unreadable, and its consumer group. */
	static final class Fixture {

		final String topic;

		final String group;

		private final int count;

		private final int special;

		private boolean poisoned;

		Fixture(String name, int count, int special) {
			this.topic = KafkaTestSupport.uniqueName(name);
			this.group = this.topic + "-group";
			this.count = count;
			this.special = special;
		}

		Fixture poisoned() {
			this.poisoned = true;
			return this;
		}

		ConfigurableApplicationContext start(Object listener, String... properties) {
			KafkaTestSupport.createTopic(this.topic, 1);
			KafkaTestSupport.createTopic(this.topic + "-dlt", 1);
			Properties config = new Properties();
			config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestSupport.bootstrapServers());
			config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
			config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
			try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
				for (int i = 0; i < this.count; i++) {
					byte[] value;
					if (this.poisoned) {
						value = (i == this.special) ? new byte[] { 1, 2, 3 } : ByteBuffer.allocate(4).putInt(i).array();
					}
					else {
						value = Integer.toString(i).getBytes(StandardCharsets.UTF_8);
					}
					producer.send(new ProducerRecord<>(this.topic, 0, ("key-" + i).getBytes(StandardCharsets.UTF_8),
							value));
				}
			}
			List<String> all = new ArrayList<>(List.of(properties));
			all.add("policy.topic=" + this.topic);
			return TestApplications.start(this.group, listener, all.toArray(String[]::new));
		}

		long committed() {
			return KafkaTestSupport.committed(this.group, new TopicPartition(this.topic, 0));
		}

		ConsumerRecord<byte[], byte[]> readOne(String topic) {
			return KafkaTestSupport.readRaw(topic, 1, Duration.ofSeconds(20)).get(0);
		}

	}

	/** Throws for one record until healed. */
	static class ThrowingListener {

		final Set<Long> done = ConcurrentHashMap.newKeySet();

		final AtomicInteger attempts = new AtomicInteger();

		private final long failing;

		volatile boolean healed;

		ThrowingListener(long failing) {
			this.failing = failing;
		}

		@HealingListener(id = "policy", topics = "${policy.topic}", ordering = Ordering.UNORDERED)
		void process(ConsumerRecord<String, String> record) {
			if (record.offset() == this.failing) {
				this.attempts.incrementAndGet();
				if (!this.healed) {
					throw new IllegalStateException("record " + record.offset() + " is broken");
				}
			}
			this.done.add(record.offset());
		}

	}

	/** Takes int values; a record that is not 4 bytes never reaches it. */
	static class IntListener {

		final Set<Integer> done = ConcurrentHashMap.newKeySet();

		@HealingListener(id = "policy", topics = "${policy.topic}", ordering = Ordering.UNORDERED)
		void process(Integer value) {
			this.done.add(value);
		}

	}

}
