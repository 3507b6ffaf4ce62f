package io.waterhealer.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three application instances in one consumer group share 50,000 keyed records; mid-stream one instance stops and a
 * new one joins. Run with the eager assignor, the cooperative-sticky assignor and the consumer group protocol of
 * KIP-848: no record is lost, the records of a key are never processed out of order (a partition that moves is
 * replayed from its committed position, never skipped ahead), and the group's committed offsets reach the end.
 */
class RebalanceTest {

	static final int RECORDS = 50_000;

	static final int KEYS = 1_000;

	static final int PARTITIONS = 6;

	@ParameterizedTest
	@ValueSource(strings = { "eager", "cooperative-sticky", "consumer-protocol" })
	void noRecordLostAndKeyOrderHeldWhileInstancesComeAndGo(String protocol) {
		String topic = KafkaTestSupport.uniqueName("rebalance-" + protocol);
		String group = topic + "-group";
		KafkaTestSupport.createTopic(topic, PARTITIONS);
		try (KafkaProducer<String, String> producer = KafkaTestSupport.producer()) {
			int[] sequence = new int[KEYS];
			for (int i = 0; i < RECORDS; i++) {
				int key = i % KEYS;
				producer.send(new ProducerRecord<>(topic, "key-" + key, Integer.toString(sequence[key]++)));
			}
			producer.flush();
		}
		Journal journal = new Journal();
		List<ConfigurableApplicationContext> instances = new ArrayList<>();
		try {
			for (int i = 0; i < 3; i++) {
				instances.add(start(protocol, topic, group, journal));
			}
			await().atMost(Duration.ofMinutes(1)).until(() -> journal.processed.get() >= RECORDS / 4);
			instances.remove(0).close();
			await().atMost(Duration.ofMinutes(1)).until(() -> journal.processed.get() >= RECORDS / 2);
			instances.add(start(protocol, topic, group, journal));
			await().atMost(Duration.ofMinutes(2))
				.untilAsserted(() -> assertThat(KafkaTestSupport.committed(group))
					.isEqualTo(KafkaTestSupport.endOffsets(topic, PARTITIONS)));
		}
		finally {
			instances.forEach(ConfigurableApplicationContext::close);
		}
		assertThat(journal.gaps.get()).as("records of a key processed ahead of an unprocessed one").isZero();
		assertThat(journal.highest).hasSize(KEYS);
		assertThat(journal.highest.values()).allSatisfy((highest) -> assertThat(highest.get())
			.isEqualTo(RECORDS / KEYS - 1));
		assertThat(journal.processed.get()).isGreaterThanOrEqualTo(RECORDS);
		System.out.println("rebalance (" + protocol + "): " + journal.processed.get() + " processed for " + RECORDS
				+ " records, " + (journal.processed.get() - RECORDS) + " duplicates");
	}

	private static ConfigurableApplicationContext start(String protocol, String topic, String group, Journal journal) {
		List<String> properties = new ArrayList<>(List.of("rebalance.topic=" + topic,
				"waterhealer.listener.drain-timeout=2s", "spring.kafka.consumer.max-poll-records=200"));
		switch (protocol) {
			case "eager" -> properties.add("spring.kafka.consumer.properties.partition.assignment.strategy="
					+ "org.apache.kafka.clients.consumer.RangeAssignor");
			case "cooperative-sticky" -> properties.add("spring.kafka.consumer.properties.partition.assignment.strategy="
					+ "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
			case "consumer-protocol" -> properties.add("spring.kafka.consumer.properties.group.protocol=consumer");
			default -> throw new IllegalArgumentException(protocol);
		}
		return TestApplications.start(group, new JournalingListener(journal), properties.toArray(String[]::new));
	}

	/** What all instances processed, in the order they processed it. */
	static final class Journal {

		final AtomicInteger processed = new AtomicInteger();

		final AtomicInteger gaps = new AtomicInteger();

		final Map<String, AtomicInteger> highest = new ConcurrentHashMap<>();

		void record(String key, int sequence) {
			AtomicInteger high = this.highest.computeIfAbsent(key, (k) -> new AtomicInteger(-1));
			synchronized (high) {
				if (sequence > high.get() + 1) {
					this.gaps.incrementAndGet();
				}
				if (sequence > high.get()) {
					high.set(sequence);
				}
			}
			this.processed.incrementAndGet();
		}

	}

	static class JournalingListener {

		private final Journal journal;

		JournalingListener(Journal journal) {
			this.journal = journal;
		}

		@HealingListener(id = "rebalance", topics = "${rebalance.topic}", parallelism = "8", ordering = Ordering.KEY)
		void process(ConsumerRecord<String, String> record) throws InterruptedException {
			Thread.sleep(1);
			this.journal.record(record.key(), Integer.parseInt(record.value()));
		}

	}

}
