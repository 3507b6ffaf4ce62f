package io.waterhealer.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * 100,000 keyed records over 6 partitions, handlers that take 0-2 ms, parallelism 64, ordering KEY: every record is
 * processed exactly once, records of one key run one at a time in the order they were produced, and the group's
 * committed offsets reach the topic's end offsets.
 */
class KeyOrderingLoadTest {

	static final String TOPIC = KafkaTestSupport.uniqueName("load");

	static final String GROUP = KafkaTestSupport.uniqueName("load-group");

	static final int RECORDS = 100_000;

	static final int KEYS = 500;

	@Test
	void everyRecordProcessedInKeyOrderAndCommittedToTheEnd() {
		KafkaTestSupport.createTopic(TOPIC, 6);
		try (KafkaProducer<String, String> producer = KafkaTestSupport.producer()) {
			int[] sequence = new int[KEYS];
			for (int i = 0; i < RECORDS; i++) {
				int key = i % KEYS;
				producer.send(new ProducerRecord<>(TOPIC, "key-" + key, Integer.toString(sequence[key]++)));
			}
			producer.flush();
		}
		KeyedWork listener = new KeyedWork();

		try (ConfigurableApplicationContext context = TestApplications.start(GROUP, listener, "load.topic=" + TOPIC,
				"spring.kafka.consumer.max-poll-records=1000")) {
			await().atMost(Duration.ofMinutes(3)).until(() -> listener.processed.get() >= RECORDS);
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(KafkaTestSupport.committed(GROUP))
					.isEqualTo(KafkaTestSupport.endOffsets(TOPIC, 6)));
		}
		assertThat(listener.processed.get()).isEqualTo(RECORDS);
		assertThat(listener.orderViolations.get()).isZero();
		assertThat(listener.concurrentSameKey.get()).isZero();
		assertThat(listener.lastSequence).hasSize(KEYS);
		assertThat(listener.lastSequence.values()).allSatisfy((last) -> assertThat(last.get())
			.isEqualTo(RECORDS / KEYS - 1));
		assertThat(listener.maxConcurrent.get()).isGreaterThan(8);
	}

	static class KeyedWork {

		final AtomicInteger processed = new AtomicInteger();

		final AtomicInteger orderViolations = new AtomicInteger();

		final AtomicInteger concurrentSameKey = new AtomicInteger();

		final Map<String, AtomicInteger> lastSequence = new ConcurrentHashMap<>();

		final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();

		final AtomicInteger concurrent = new AtomicInteger();

		final AtomicLong maxConcurrent = new AtomicLong();

		@HealingListener(id = "load", topics = "${load.topic}", parallelism = "64", ordering = Ordering.KEY)
		void process(org.apache.kafka.clients.consumer.ConsumerRecord<String, String> record)
				throws InterruptedException {
			int now = this.concurrent.incrementAndGet();
			this.maxConcurrent.accumulateAndGet(now, Math::max);
			if (this.running.computeIfAbsent(record.key(), (k) -> new AtomicInteger()).incrementAndGet() > 1) {
				this.concurrentSameKey.incrementAndGet();
			}
			try {
				int sequence = Integer.parseInt(record.value());
				AtomicInteger last = this.lastSequence.computeIfAbsent(record.key(), (k) -> new AtomicInteger(-1));
				if (last.get() != sequence - 1) {
					this.orderViolations.incrementAndGet();
				}
				last.set(sequence);
				int delayMicros = ThreadLocalRandom.current().nextInt(2_001);
				if (delayMicros >= 1000) {
					Thread.sleep(delayMicros / 1000, (delayMicros % 1000) * 1000);
				}
				else if (delayMicros > 0) {
					Thread.sleep(0, delayMicros * 1000);
				}
				this.processed.incrementAndGet();
			}
			finally {
				this.running.get(record.key()).decrementAndGet();
				this.concurrent.decrementAndGet();
			}
		}

	}

}
