package io.waterhealer.kafka;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A partition that drained (everything handed out completed) is committed at the next poll, not a commit interval
 * later: the end of a burst must not wait for the interval, or a crash right after it re-processes the whole burst.
 */
class PromptCommitIntegrationTests {

	static final String TOPIC = KafkaTestSupport.uniqueName("prompt");

	static final String GROUP = KafkaTestSupport.uniqueName("prompt-group");

	@Test
	void drainedPartitionIsCommittedLongBeforeTheCommitInterval() {
		KafkaTestSupport.createTopic(TOPIC, 1);
		TopicPartition partition = new TopicPartition(TOPIC, 0);
		Counting listener = new Counting();

		try (ConfigurableApplicationContext context = TestApplications.start(GROUP, listener, "prompt.topic=" + TOPIC,
				"waterhealer.listener.commit-interval=60s")) {
			for (int burst = 1; burst <= 3; burst++) {
				KafkaTestSupport.sendValues(TOPIC, 0, IntStream.range(0, 50).mapToObj(String::valueOf).toList());
				long expected = burst * 50L;
				// the interval is a minute: only the drained-partition rule can commit this burst in time
				await().atMost(Duration.ofSeconds(20)).until(() -> KafkaTestSupport.committed(GROUP, partition) == expected);
			}
			assertThat(listener.processed.get()).isEqualTo(150);
		}
	}

	static class Counting {

		final AtomicInteger processed = new AtomicInteger();

		@HealingListener(id = "prompt", topics = "${prompt.topic}", parallelism = "4", ordering = Ordering.UNORDERED)
		void process(String value) {
			this.processed.incrementAndGet();
		}

	}

}
