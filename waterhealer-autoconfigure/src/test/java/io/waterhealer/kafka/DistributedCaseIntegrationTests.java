package io.waterhealer.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * water-healer's distributed case: three records processed at once; the first takes longest and fails, the other
 * two succeed first. The committed position must not pass the first record until it succeeds on retry.
 */
class DistributedCaseIntegrationTests {

	static final String TOPIC = KafkaTestSupport.uniqueName("distributed");

	static final String GROUP = KafkaTestSupport.uniqueName("distributed-group");

	@Test
	void committedPositionWaitsForTheSlowFailingFirstRecord() throws Exception {
		KafkaTestSupport.createTopic(TOPIC, 1);
		KafkaTestSupport.sendValues(TOPIC, 0, List.of("a", "b", "c"));
		TopicPartition partition = new TopicPartition(TOPIC, 0);
		SlowFirst listener = new SlowFirst();

		try (ConfigurableApplicationContext context = TestApplications.start(GROUP, listener,
				"distributed.topic=" + TOPIC)) {
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.succeeded.containsAll(Set.of(1L, 2L)));
			assertThat(listener.firstAttempts.get()).isEqualTo(1);
			// the other two are done while the first is still running: the group commits 0, not 3
			await().atMost(Duration.ofSeconds(10)).until(() -> KafkaTestSupport.committed(GROUP, partition) == 0L);

			listener.releaseFirst.countDown();
			await().atMost(Duration.ofSeconds(10)).until(() -> listener.firstAttempts.get() == 2);
			await().atMost(Duration.ofSeconds(10)).until(() -> KafkaTestSupport.committed(GROUP, partition) == 3L);
			assertThat(listener.succeeded).containsExactlyInAnyOrder(0L, 1L, 2L);
			assertThat(listener.firstAttemptReleased).as("the first attempt ended because the test released it, "
					+ "not because its wait timed out").containsExactly(true);
		}
	}

	static class SlowFirst {

		final CountDownLatch releaseFirst = new CountDownLatch(1);

		final AtomicInteger firstAttempts = new AtomicInteger();

		final Set<Long> succeeded = ConcurrentHashMap.newKeySet();

		/**
		 * What the first attempt saw, asserted on the test thread: an assertion failing in the handler would be one
		 * more handler exception, retried like the planned one, and the test would pass anyway.
		 */
		final List<Boolean> firstAttemptReleased = new CopyOnWriteArrayList<>();

		@HealingListener(id = "distributed", topics = "${distributed.topic}", parallelism = "3",
				ordering = Ordering.UNORDERED)
		void process(ConsumerRecord<String, String> record) throws InterruptedException {
			if (record.offset() == 0 && this.firstAttempts.incrementAndGet() == 1) {
				this.firstAttemptReleased.add(this.releaseFirst.await(30, TimeUnit.SECONDS));
				throw new IllegalStateException("the first record fails on its first attempt");
			}
			this.succeeded.add(record.offset());
		}

	}

}
