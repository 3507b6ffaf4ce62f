package io.waterhealer.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.BatchInterceptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application's single {@link BatchInterceptor} bean, which Boot sets on its container factory, keeps working
 * beside waterhealer's poll hook on a {@code @HealingListener}'s container: it sees the polls, and the records it
 * filters out never reach the listener and count as holes, so the committed offset (read with Kafka's AdminClient)
 * moves past them, the last record of the topic included (a hole the ledger learns of only from the fetch position).
 */
class ApplicationBatchInterceptorIntegrationTests {

	@Test
	void theApplicationsBatchInterceptorSeesThePollsAndWhatItFiltersOutIsCommittedPast() {
		String topic = KafkaTestSupport.uniqueName("app-interceptor");
		String group = topic + "-group";
		TopicPartition partition = new TopicPartition(topic, 0);
		KafkaTestSupport.createTopic(topic, 1);
		KafkaTestSupport.sendValues(topic, 0,
				IntStream.range(0, 10).mapToObj((i) -> (i % 4 == 3 || i == 9) ? "drop-" + i : "keep-" + i).toList());
		Collector listener = new Collector();
		FilteringInterceptor interceptor = InterceptorConfiguration.INTERCEPTOR;
		interceptor.reset();
		try (ConfigurableApplicationContext context = TestApplications.start(group, listener,
				InterceptorConfiguration.class, "interceptor.topic=" + topic)) {
			await().atMost(Duration.ofSeconds(30)).until(() -> KafkaTestSupport.committed(group, partition) == 10L);
			assertThat(listener.values).containsExactlyInAnyOrder("keep-0", "keep-1", "keep-2", "keep-4", "keep-5",
					"keep-6", "keep-8");
			assertThat(interceptor.intercepted).containsExactlyInAnyOrder("keep-0", "keep-1", "keep-2", "drop-3",
					"keep-4", "keep-5", "keep-6", "drop-7", "keep-8", "drop-9");
			assertThat(interceptor.setups.get()).as("setupThreadState, before every poll").isPositive();
			assertThat(interceptor.successes.get()).as("success, after a poll the listener took").isPositive();
			assertThat(interceptor.clears.get()).as("clearThreadState").isPositive();
		}
	}

	static class Collector {

		final Set<String> values = ConcurrentHashMap.newKeySet();

		@HealingListener(id = "app-interceptor", topics = "${interceptor.topic}", ordering = Ordering.UNORDERED)
		void process(ConsumerRecord<String, String> record) {
			this.values.add(record.value());
		}

	}

	/** A single {@link BatchInterceptor} bean, which Boot sets on its listener container factory. */
	@Configuration(proxyBeanMethods = false)
	static class InterceptorConfiguration {

		static final FilteringInterceptor INTERCEPTOR = new FilteringInterceptor();

		@Bean
		BatchInterceptor<Object, Object> applicationBatchInterceptor() {
			return INTERCEPTOR;
		}

	}

	/** Drops the records whose value starts with {@code drop-} and counts every call. */
	static final class FilteringInterceptor implements BatchInterceptor<Object, Object> {

		final Set<Object> intercepted = ConcurrentHashMap.newKeySet();

		final AtomicInteger setups = new AtomicInteger();

		final AtomicInteger successes = new AtomicInteger();

		final AtomicInteger clears = new AtomicInteger();

		void reset() {
			this.intercepted.clear();
			this.setups.set(0);
			this.successes.set(0);
			this.clears.set(0);
		}

		@Override
		public void setupThreadState(Consumer<?, ?> consumer) {
			this.setups.incrementAndGet();
		}

		@Override
		public @Nullable ConsumerRecords<Object, Object> intercept(ConsumerRecords<Object, Object> records,
				Consumer<Object, Object> consumer) {
			java.util.Map<TopicPartition, List<ConsumerRecord<Object, Object>>> kept = new java.util.HashMap<>();
			for (TopicPartition topicPartition : records.partitions()) {
				List<ConsumerRecord<Object, Object>> partitionRecords = new java.util.ArrayList<>();
				for (ConsumerRecord<Object, Object> record : records.records(topicPartition)) {
					this.intercepted.add(record.value());
					if (!String.valueOf(record.value()).startsWith("drop-")) {
						partitionRecords.add(record);
					}
				}
				kept.put(topicPartition, partitionRecords);
			}
			return new ConsumerRecords<>(kept, records.nextOffsets());
		}

		@Override
		public void success(ConsumerRecords<Object, Object> records, Consumer<Object, Object> consumer) {
			this.successes.incrementAndGet();
		}

		@Override
		public void clearThreadState(Consumer<?, ?> consumer) {
			this.clears.incrementAndGet();
		}

	}

}
