package io.waterhealer.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.BatchInterceptor;
import org.springframework.kafka.listener.ContainerProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Exceptions thrown on the consumer thread while a poll is handed out (an application's batch interceptor, a
 * record's key in debug mode): they reach the container's error handler, and no error handling may commit past a
 * record that was not processed, nor turn the records that were not handed out into holes.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConsumerPathFailureIntegrationTests {

	/**
	 * spring-kafka's default error handler acknowledges a batch after handling its exception, and in MANUAL ack mode
	 * the container then commits one past the poll's last record. Here the position is held at 5 (HALT) and nothing
	 * changes in the ledger afterwards (every record from 5 on fails), so nothing would overwrite such a commit.
	 */
	@Test
	void anApplicationBatchInterceptorThatThrowsOnceNeverLetsTheContainerCommitPastAHaltedRecord() {
		interceptorThrowsOnceWhilePositionIsHalted("interceptor-throws");
	}

	/**
	 * With a Kafka transaction manager (Boot creates one for {@code spring.kafka.producer.transaction-id-prefix}),
	 * spring-kafka calls the batch interceptor before the transaction, outside the error handling: its exception
	 * drops the poll, whose records would become holes; an early interceptor that returns null acknowledges the whole
	 * poll; and after any error handling the container sends offsets past the poll to the transaction.
	 */
	@Test
	void withATransactionManagerTheContainerStillNeverCommitsPastAHaltedRecord() {
		interceptorThrowsOnceWhilePositionIsHalted("interceptor-throws-tx",
				"spring.kafka.producer.transaction-id-prefix=waterhealer-tx-");
	}

	private void interceptorThrowsOnceWhilePositionIsHalted(String name, String... properties) {
		String topic = KafkaTestSupport.uniqueName(name);
		String group = topic + "-group";
		TopicPartition partition = new TopicPartition(topic, 0);
		KafkaTestSupport.createTopic(topic, 1);
		KafkaTestSupport.sendValues(topic, 0, values(0, 10));
		FailingFromFive listener = new FailingFromFive();
		ThrowOnceInterceptor interceptor = InterceptorConfiguration.INTERCEPTOR;
		interceptor.reset();
		List<String> all = new java.util.ArrayList<>(List.of("consumerpath.topic=" + topic,
				"waterhealer.failure.policy=halt"));
		all.addAll(List.of(properties));
		try (ConfigurableApplicationContext context = TestApplications.start(group, listener,
				InterceptorConfiguration.class, all.toArray(String[]::new))) {
			await().atMost(Duration.ofSeconds(30)).until(() -> KafkaTestSupport.committed(group, partition) == 5L);
			assertThat(listener.done).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L);
			ContainerProperties containerProperties = context.getBean(HealingListenerRegistrar.class)
				.runtimes()
				.get("consumerpath")
				.container()
				.getContainerProperties();
			assertThat(containerProperties.getKafkaAwareTransactionManager()).isNull();
			assertThat(interceptor.intercepted.get()).as("the application's interceptor is on the container")
				.isPositive();
			interceptor.armed = true;
			KafkaTestSupport.sendValues(topic, 0, values(10, 20));
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.attempted.contains(19L));
			assertThat(interceptor.thrown.get()).isEqualTo(1);
			await().during(Duration.ofSeconds(2))
				.atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(KafkaTestSupport.committed(group, partition))
					.as("committed offset of the halted partition").isLessThanOrEqualTo(5L));
		}
	}

	/**
	 * The debug line of a record whose key cannot be printed throws inside the hand-out. That partition stops before
	 * the record (it is fetched again, fails again, and is never committed past); the other partition of the same
	 * polls is handed out and committed; the failure is logged once, not once per poll.
	 */
	@Test
	void aHandOutFailureStopsOnlyItsPartitionBeforeTheRecordAndIsLoggedOnce(CapturedOutput output) {
		String topic = KafkaTestSupport.uniqueName("handout-throws");
		String group = topic + "-group";
		TopicPartition broken = new TopicPartition(topic, 0);
		TopicPartition healthy = new TopicPartition(topic, 1);
		KafkaTestSupport.createTopic(topic, 2);
		try (KafkaProducer<String, String> producer = KafkaTestSupport.producer()) {
			for (int i = 0; i < 10; i++) {
				producer.send(new ProducerRecord<>(topic, 0, (i == 3) ? UnprintableKey.MARK : "key-" + i, "0-" + i));
				producer.send(new ProducerRecord<>(topic, 1, "key-" + i, "1-" + i));
			}
			producer.flush();
		}
		Collector listener = new Collector();
		try (ConfigurableApplicationContext context = TestApplications.start(group, listener,
				"consumerpath.topic=" + topic, "waterhealer.listener.debug=true",
				"spring.kafka.consumer.key-deserializer=" + UnprintableKeyDeserializer.class.getName(),
				"spring.kafka.consumer.max-poll-records=20")) {
			await().atMost(Duration.ofSeconds(30)).until(() -> KafkaTestSupport.committed(group, healthy) == 10L);
			await().atMost(Duration.ofSeconds(10)).until(() -> listener.done.containsAll(List.of("0-0", "0-1", "0-2")));
			await().during(Duration.ofSeconds(3))
				.atMost(Duration.ofSeconds(6))
				.untilAsserted(() -> assertThat(KafkaTestSupport.committed(group, broken))
					.as("committed offset of the partition that failed").isLessThanOrEqualTo(3L));
			assertThat(listener.done).doesNotContain("0-3", "0-4", "0-9");
		}
		assertThat(occurrences(output.toString(), "key that cannot be printed")).isEqualTo(1);
	}

	private static int occurrences(String text, String fragment) {
		Matcher matcher = Pattern.compile(Pattern.quote(fragment)).matcher(text);
		int count = 0;
		while (matcher.find()) {
			count++;
		}
		return count;
	}

	private static List<String> values(int from, int to) {
		return java.util.stream.IntStream.range(from, to).mapToObj(Integer::toString).toList();
	}

	/** Fails every record from offset 5 on, every time. */
	static class FailingFromFive {

		final Set<Long> done = ConcurrentHashMap.newKeySet();

		final Set<Long> attempted = ConcurrentHashMap.newKeySet();

		@HealingListener(id = "consumerpath", topics = "${consumerpath.topic}", ordering = Ordering.UNORDERED)
		void process(ConsumerRecord<String, String> record) {
			this.attempted.add(record.offset());
			if (record.offset() >= 5) {
				throw new IllegalStateException("record " + record.offset() + " keeps failing");
			}
			this.done.add(record.offset());
		}

	}

	static class Collector {

		final Set<String> done = ConcurrentHashMap.newKeySet();

		@HealingListener(id = "consumerpath", topics = "${consumerpath.topic}", ordering = Ordering.UNORDERED)
		void process(ConsumerRecord<Object, String> record) {
			this.done.add(record.value());
		}

	}

	/** A single {@link BatchInterceptor} bean, which Boot sets on its listener container factory. */
	@Configuration(proxyBeanMethods = false)
	static class InterceptorConfiguration {

		static final ThrowOnceInterceptor INTERCEPTOR = new ThrowOnceInterceptor();

		@Bean
		BatchInterceptor<Object, Object> applicationBatchInterceptor() {
			return INTERCEPTOR;
		}

	}

	/** Passes every poll on, except the first non-empty one after it was armed. */
	static final class ThrowOnceInterceptor implements BatchInterceptor<Object, Object> {

		final AtomicInteger intercepted = new AtomicInteger();

		final AtomicInteger thrown = new AtomicInteger();

		volatile boolean armed;

		void reset() {
			this.intercepted.set(0);
			this.thrown.set(0);
			this.armed = false;
		}

		@Override
		public @Nullable ConsumerRecords<Object, Object> intercept(ConsumerRecords<Object, Object> records,
				Consumer<Object, Object> consumer) {
			this.intercepted.incrementAndGet();
			if (this.armed && !records.isEmpty()) {
				this.armed = false;
				this.thrown.incrementAndGet();
				throw new IllegalStateException("the application's interceptor failed once");
			}
			return records;
		}

	}

	/** A key whose {@code toString} throws, as an application type with a broken {@code toString} would. */
	record UnprintableKey(String text) {

		static final String MARK = "unprintable";

		@Override
		public String toString() {
			if (MARK.equals(this.text)) {
				throw new IllegalStateException("a key that cannot be printed");
			}
			return this.text;
		}

	}

	public static final class UnprintableKeyDeserializer implements Deserializer<Object> {

		@Override
		public Object deserialize(String topic, byte[] data) {
			return new UnprintableKey(new String(data, StandardCharsets.UTF_8));
		}

	}

}
