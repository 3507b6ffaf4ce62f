package io.waterhealer.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three application instances in one consumer group share 50,000 keyed records; mid-stream one instance stops and a
 * new one joins. Run with the eager assignor, the cooperative-sticky assignor and the consumer group protocol of
 * KIP-848: no record is lost, the records of a key are never processed out of order (a partition that moves is
 * replayed from its committed position, never skipped ahead), and the group's committed offsets (read with the
 * AdminClient) reach the end.
 * <p>
 * Also run with two consumer threads per instance, where a partition moves between sibling consumers of one
 * instance as well as between instances, and with {@code PARTITION} ordering, where no offset of a partition is
 * skipped ahead either and a partition runs one record at a time (across instances too: a revoked partition drains
 * before its next owner fetches, and the drain timeout of those runs is long enough for that).
 */
class RebalanceIntegrationTests {

	static final int RECORDS = 50_000;

	static final int KEYS = 1_000;

	static final int PARTITIONS = 6;

	@ParameterizedTest(name = "{0}, {1}, concurrency {2}")
	@CsvSource({ "eager, KEY, 1", "cooperative-sticky, KEY, 1", "consumer-protocol, KEY, 1", "eager, KEY, 2",
			"cooperative-sticky, PARTITION, 2", "consumer-protocol, PARTITION, 1", "consumer-protocol, KEY, 2" })
	void noRecordLostAndOrderHeldWhileInstancesComeAndGo(String protocol, Ordering ordering, int concurrency) {
		String topic = KafkaTestSupport.uniqueName("rebalance-" + protocol + "-" + ordering.name().toLowerCase() + "-c"
				+ concurrency);
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
				instances.add(start(protocol, ordering, concurrency, topic, group, journal));
			}
			await().atMost(Duration.ofMinutes(1)).until(() -> journal.processed.get() >= RECORDS / 4);
			instances.remove(0).close();
			await().atMost(Duration.ofMinutes(1)).until(() -> journal.processed.get() >= RECORDS / 2);
			instances.add(start(protocol, ordering, concurrency, topic, group, journal));
			await().atMost(Duration.ofMinutes(2))
				.untilAsserted(() -> assertThat(KafkaTestSupport.committed(group))
					.isEqualTo(KafkaTestSupport.endOffsets(topic, PARTITIONS)));
			instances.forEach((instance) -> assertThat(((ConcurrentMessageListenerContainer<?, ?>) instance
				.getBean(KafkaListenerEndpointRegistry.class)
				.getListenerContainer("rebalance")).getContainers()).as("consumers of an instance").hasSize(concurrency));
		}
		finally {
			instances.forEach(ConfigurableApplicationContext::close);
		}
		assertThat(journal.gaps.get()).as("records of a key processed ahead of an unprocessed one").isZero();
		assertThat(journal.highest).hasSize(KEYS);
		assertThat(journal.highest.values()).allSatisfy((highest) -> assertThat(highest.get())
			.isEqualTo(RECORDS / KEYS - 1));
		assertThat(journal.processed.get()).isGreaterThanOrEqualTo(RECORDS);
		assertThat(journal.distinct).as("distinct records processed").hasSize(RECORDS);
		if (ordering == Ordering.PARTITION) {
			assertThat(journal.offsetGaps.get()).as("offsets of a partition processed ahead of an unprocessed one")
				.isZero();
			assertThat(journal.concurrentSamePartition.get()).as("records of one partition running at the same time")
				.isZero();
		}
		System.out.println("rebalance (" + protocol + ", " + ordering + ", concurrency " + concurrency + "): "
				+ journal.processed.get() + " processed for " + RECORDS + " records, "
				+ (journal.processed.get() - RECORDS) + " duplicates");
	}

	private static ConfigurableApplicationContext start(String protocol, Ordering ordering, int concurrency,
			String topic, String group, Journal journal) {
		String drainTimeout = (ordering == Ordering.PARTITION) ? "10s" : "2s";
		List<String> properties = new ArrayList<>(List.of("rebalance.topic=" + topic,
				"waterhealer.listener.drain-timeout=" + drainTimeout, "spring.kafka.consumer.max-poll-records=200",
				"waterhealer.listener.ordering=" + ordering, "waterhealer.listener.concurrency=" + concurrency));
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

		final Set<String> distinct = ConcurrentHashMap.newKeySet();

		final AtomicInteger offsetGaps = new AtomicInteger();

		final AtomicInteger concurrentSamePartition = new AtomicInteger();

		final Map<Integer, AtomicLong> highestOffset = new ConcurrentHashMap<>();

		final Map<Integer, AtomicInteger> running = new ConcurrentHashMap<>();

		/** A record of the partition starts (counted when another record of it is running); the running count. */
		AtomicInteger start(int partition) {
			AtomicInteger runningOfPartition = this.running.computeIfAbsent(partition, (p) -> new AtomicInteger());
			if (runningOfPartition.incrementAndGet() > 1) {
				this.concurrentSamePartition.incrementAndGet();
			}
			return runningOfPartition;
		}

		void record(ConsumerRecord<String, String> record) {
			this.distinct.add(record.partition() + "@" + record.offset());
			AtomicLong highOffset = this.highestOffset.computeIfAbsent(record.partition(), (p) -> new AtomicLong(-1));
			if (record.offset() > highOffset.getAndAccumulate(record.offset(), Math::max) + 1) {
				this.offsetGaps.incrementAndGet();
			}
			record(record.key(), Integer.parseInt(record.value()));
		}

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

		@HealingListener(id = "rebalance", topics = "${rebalance.topic}", parallelism = "8")
		void process(ConsumerRecord<String, String> record) throws InterruptedException {
			AtomicInteger running = this.journal.start(record.partition());
			try {
				Thread.sleep(1);
				this.journal.record(record);
			}
			finally {
				running.decrementAndGet();
			}
		}

	}

}
