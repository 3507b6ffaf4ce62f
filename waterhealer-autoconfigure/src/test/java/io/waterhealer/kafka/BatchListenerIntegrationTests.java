package io.waterhealer.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.waterhealer.HealingBatch;
import io.waterhealer.HealingListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Batch listeners against a real broker: a half-full batch delivered by its timer, a batch of ten with two failing
 * elements (only those two are retried and hold the commit), and a leaking batch method caught by the leakage check.
 */
@ExtendWith(OutputCaptureExtension.class)
class BatchListenerIntegrationTests {

	@Test
	void aHalfFullBatchIsDeliveredByItsTimer() {
		String topic = topicWith(7);
		TimedBatches listener = new TimedBatches();
		long start = System.nanoTime();
		try (ConfigurableApplicationContext context = TestApplications.start(topic + "-group", listener,
				"batch.topic=" + topic)) {
			// no record follows the seventh and the application keeps running: only the timer can deliver the batch
			await().atMost(Duration.ofSeconds(60)).until(() -> !listener.batches.isEmpty());
			assertThat(listener.batches).hasSize(1);
			assertThat(listener.batches.get(0)).containsExactly("0", "1", "2", "3", "4", "5", "6");
			assertThat(Duration.ofNanos(listener.deliveredAt.get(0) - start))
				.as("delivered after its batch timeout (2 s) ran out, not when its poll ended")
				.isGreaterThanOrEqualTo(Duration.ofMillis(1_900));
			await().atMost(Duration.ofSeconds(30))
				.until(() -> KafkaTestSupport.committed(topic + "-group", new TopicPartition(topic, 0)) == 7L);
		}
	}

	@Test
	void onlyTheFailedElementsOfABatchAreRetried() {
		String topic = topicWith(10);
		PartlyFailing listener = new PartlyFailing();
		try (ConfigurableApplicationContext context = TestApplications.start(topic + "-group", listener,
				"batch.topic=" + topic)) {
			await().atMost(Duration.ofSeconds(30))
				.until(() -> KafkaTestSupport.committed(topic + "-group", new TopicPartition(topic, 0)) == 10L);
		}
		assertThat(listener.batchSizes.get(0)).isEqualTo(10);
		for (long offset = 0; offset < 10; offset++) {
			int expected = (offset == 3 || offset == 7) ? 2 : 1;
			assertThat(listener.attempts.get(offset).get()).as("attempts at offset %d", offset).isEqualTo(expected);
		}
	}

	@Test
	void aLeakingBatchMethodFailsTheRecordItLost(CapturedOutput output) {
		String topic = topicWith(6);
		Leaking listener = new Leaking();
		try (ConfigurableApplicationContext context = TestApplications.start(topic + "-group", listener,
				"batch.topic=" + topic, "waterhealer.failure.policy=halt", "waterhealer.retry.max-attempts=1")) {
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.calls.get() >= 2);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> KafkaTestSupport.committed(topic + "-group", new TopicPartition(topic, 0)) == 4L);
			// an AdminClient call that fails on a loaded machine restarts the window; a commit past 4 never ends it
			await().during(Duration.ofSeconds(1))
				.atMost(Duration.ofSeconds(15))
				.ignoreExceptions()
				.until(() -> KafkaTestSupport.committed(topic + "-group", new TopicPartition(topic, 0)) == 4L);
		}
		assertThat(output).contains("lost " + topic + "-0@4").contains("leakage check");
	}

	private static String topicWith(int records) {
		String topic = KafkaTestSupport.uniqueName("batch");
		KafkaTestSupport.createTopic(topic, 1);
		List<String> values = new ArrayList<>();
		for (int i = 0; i < records; i++) {
			values.add(Integer.toString(i));
		}
		KafkaTestSupport.sendValues(topic, 0, values);
		return topic;
	}

	static class TimedBatches {

		final List<List<String>> batches = new CopyOnWriteArrayList<>();

		final List<Long> deliveredAt = new CopyOnWriteArrayList<>();

		@HealingListener(id = "timed", topics = "${batch.topic}", batchSize = "100", batchTimeout = "2s")
		void handle(List<String> batch) {
			this.deliveredAt.add(System.nanoTime());
			this.batches.add(List.copyOf(batch));
		}

	}

	static class PartlyFailing {

		final Map<Long, AtomicInteger> attempts = new ConcurrentHashMap<>();

		final List<Integer> batchSizes = new CopyOnWriteArrayList<>();

		private final Map<Long, Boolean> failedOnce = new ConcurrentHashMap<>();

		@HealingListener(id = "partly", topics = "${batch.topic}", batchSize = "10", batchTimeout = "5s")
		void handle(List<ConsumerRecord<String, String>> batch) {
			this.batchSizes.add(batch.size());
			HealingBatch.forEachConcurrently(batch, 4, (record) -> {
				this.attempts.computeIfAbsent(record.offset(), (o) -> new AtomicInteger()).incrementAndGet();
				if ((record.offset() == 3 || record.offset() == 7)
						&& this.failedOnce.putIfAbsent(record.offset(), Boolean.TRUE) == null) {
					throw new IllegalStateException("element " + record.offset() + " fails once");
				}
			});
		}

	}

	static class Leaking {

		final AtomicInteger calls = new AtomicInteger();

		@HealingListener(id = "leaking", topics = "${batch.topic}", batchSize = "6", checkLeakage = "true")
		List<String> handle(List<String> batch) {
			this.calls.incrementAndGet();
			List<String> result = new ArrayList<>(batch);
			result.removeIf("4"::equals);
			return result;
		}

	}

}
