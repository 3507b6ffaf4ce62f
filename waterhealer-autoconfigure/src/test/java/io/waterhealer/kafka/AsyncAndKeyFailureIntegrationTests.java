package io.waterhealer.kafka;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A listener that returns {@link CompletableFuture}s completed on another thread, with ordering KEY: one key keeps
 * failing (its futures complete exceptionally) while every other key keeps flowing; the committed offset holds at
 * the failing record until its future finally succeeds.
 */
class AsyncAndKeyFailureIntegrationTests {

	static final String TOPIC = KafkaTestSupport.uniqueName("async");

	static final String GROUP = KafkaTestSupport.uniqueName("async-group");

	@Test
	void aFailingKeyHoldsTheCommitWhileOtherKeysFlow() {
		KafkaTestSupport.createTopic(TOPIC, 1);
		try (KafkaProducer<String, String> producer = KafkaTestSupport.producer()) {
			for (int i = 0; i < 200; i++) {
				String key = (i == 50 || i == 120) ? "bad" : "key-" + (i % 10);
				producer.send(new ProducerRecord<>(TOPIC, 0, key, Integer.toString(i)));
			}
			producer.flush();
		}
		TopicPartition partition = new TopicPartition(TOPIC, 0);
		AsyncListener listener = new AsyncListener();

		try (ConfigurableApplicationContext context = TestApplications.start(GROUP, listener, "async.topic=" + TOPIC)) {
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.completed.size() == 198);
			assertThat(listener.completed).doesNotContain(50L, 120L);
			assertThat(listener.badAttempts.get()).isGreaterThanOrEqualTo(1);
			await().atMost(Duration.ofSeconds(10)).until(() -> KafkaTestSupport.committed(GROUP, partition) == 50L);
			await().during(Duration.ofSeconds(1))
				.atMost(Duration.ofSeconds(5))
				.until(() -> KafkaTestSupport.committed(GROUP, partition) == 50L);

			listener.healed.set(true);
			await().atMost(Duration.ofSeconds(10)).until(() -> KafkaTestSupport.committed(GROUP, partition) == 200L);
			assertThat(listener.completed).hasSize(200);
			assertThat(listener.badOrder).containsExactly(50L, 120L);
		}
	}

	static class AsyncListener {

		final Set<Long> completed = ConcurrentHashMap.newKeySet();

		final java.util.List<Long> badOrder = new java.util.concurrent.CopyOnWriteArrayList<>();

		final AtomicInteger badAttempts = new AtomicInteger();

		final AtomicBoolean healed = new AtomicBoolean();

		private final Executor later = CompletableFuture.delayedExecutor(2, TimeUnit.MILLISECONDS);

		@HealingListener(id = "async", topics = "${async.topic}", parallelism = "8", ordering = Ordering.KEY)
		CompletableFuture<Void> process(ConsumerRecord<String, String> record) {
			return CompletableFuture.runAsync(() -> {
				if ("bad".equals(record.key())) {
					this.badAttempts.incrementAndGet();
					if (!this.healed.get()) {
						throw new IllegalStateException("key 'bad' is not healed yet");
					}
					this.badOrder.add(record.offset());
				}
				this.completed.add(record.offset());
			}, this.later);
		}

	}

}
