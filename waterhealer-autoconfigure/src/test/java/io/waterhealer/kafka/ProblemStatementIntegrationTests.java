package io.waterhealer.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.waterhealer.HealingListener;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * water-healer's problem statement: a topic holds 1..6 and {@code plusOne} throws for values above 3. The committed
 * offset must stop at the offset of value 4, and a restarted application must resume at value 4.
 */
class ProblemStatementIntegrationTests {

	static final String TOPIC = KafkaTestSupport.uniqueName("problem");

	static final String GROUP = KafkaTestSupport.uniqueName("problem-group");

	@Test
	void committedOffsetStopsAtTheFirstFailureAndARestartResumesThere() {
		KafkaTestSupport.createTopic(TOPIC, 1);
		KafkaTestSupport.sendValues(TOPIC, 0, List.of("1", "2", "3", "4", "5", "6"));
		TopicPartition partition = new TopicPartition(TOPIC, 0);

		PlusOne failing = new PlusOne(3);
		try (ConfigurableApplicationContext context = start(failing)) {
			await().atMost(Duration.ofSeconds(30)).until(() -> failing.attempts(4) >= 3);
			assertThat(failing.results).containsExactlyInAnyOrder(2, 3, 4);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> KafkaTestSupport.committed(GROUP, partition) == 3L);
			await().during(Duration.ofSeconds(2))
				.atMost(Duration.ofSeconds(5))
				.until(() -> KafkaTestSupport.committed(GROUP, partition) == 3L);
		}

		PlusOne healed = new PlusOne(Integer.MAX_VALUE);
		try (ConfigurableApplicationContext context = start(healed)) {
			await().atMost(Duration.ofSeconds(30)).until(() -> healed.results.size() >= 3);
			// resumes at value 4: nothing before it is consumed again (4, 5 and 6 run in parallel, in any order)
			assertThat(healed.seen).containsExactlyInAnyOrder(4, 5, 6);
			assertThat(healed.results).containsExactlyInAnyOrder(5, 6, 7);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> KafkaTestSupport.committed(GROUP, partition) == 6L);
		}
	}

	private static ConfigurableApplicationContext start(PlusOne handler) {
		return TestApplications.start(GROUP, handler, "problem.topic=" + TOPIC);
	}

	/** The seed's handler: value + 1, throwing for values above a limit. */
	static class PlusOne {

		final List<Integer> results = new CopyOnWriteArrayList<>();

		final List<Integer> seen = new CopyOnWriteArrayList<>();

		final Map<Integer, AtomicInteger> attempts = new ConcurrentHashMap<>();

		private final int failAbove;

		PlusOne(int failAbove) {
			this.failAbove = failAbove;
		}

		@HealingListener(id = "plusOne", topics = "${problem.topic}", parallelism = "4")
		void plusOne(String value) {
			int x = Integer.parseInt(value);
			this.seen.add(x);
			this.attempts.computeIfAbsent(x, (k) -> new AtomicInteger()).incrementAndGet();
			if (x > this.failAbove) {
				throw new IllegalStateException("value " + x + " is above " + this.failAbove);
			}
			this.results.add(x + 1);
		}

		int attempts(int value) {
			AtomicInteger count = this.attempts.get(value);
			return (count != null) ? count.get() : 0;
		}

	}

}
