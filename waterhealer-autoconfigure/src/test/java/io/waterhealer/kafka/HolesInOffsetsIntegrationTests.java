package io.waterhealer.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Topics whose offsets are not consecutive: transaction markers (and aborted records) occupy offsets, compaction
 * removes records. The ledger treats offsets that are never handed out as done, so the committed offsets still
 * reach the end offsets.
 */
class HolesInOffsetsIntegrationTests {

	@ParameterizedTest
	@ValueSource(strings = { "read_committed", "read_uncommitted" })
	void transactionalTopicIsCommittedToItsEndOffsets(String isolation) throws Exception {
		String topic = KafkaTestSupport.uniqueName("tx-" + isolation.replace('_', '-'));
		KafkaTestSupport.createTopic(topic, 2);
		Properties config = new Properties();
		config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaTestSupport.bootstrapServers());
		config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
		config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
		config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, topic + "-tx");
		int committedRecords = 0;
		int abortedRecords = 0;
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
			producer.initTransactions();
			for (int transaction = 0; transaction < 6; transaction++) {
				producer.beginTransaction();
				for (int i = 0; i < 50; i++) {
					producer.send(new ProducerRecord<>(topic, "key-" + i, "t" + transaction + "-" + i));
				}
				producer.flush();
				if (transaction == 3) {
					producer.abortTransaction();
					abortedRecords += 50;
				}
				else {
					producer.commitTransaction();
					committedRecords += 50;
				}
			}
		}
		Collector listener = new Collector();
		String group = topic + "-group";
		try (ConfigurableApplicationContext context = TestApplications.start(group, listener, "holes.topic=" + topic,
				"spring.kafka.consumer.isolation-level=" + isolation.replace('_', '-'))) {
			int expected = isolation.equals("read_committed") ? committedRecords : committedRecords + abortedRecords;
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.values.size() == expected);
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(KafkaTestSupport.committed(group))
					.isEqualTo(KafkaTestSupport.endOffsets(topic, 2)));
		}
		Map<TopicPartition, Long> end = KafkaTestSupport.endOffsets(topic, 2);
		long endTotal = end.values().stream().mapToLong(Long::longValue).sum();
		assertThat(endTotal).as("markers occupy offsets").isGreaterThan(committedRecords + abortedRecords);
	}

	/**
	 * The cleaner may still be compacting while the listener consumes, so the records the listener will see cannot
	 * be known beforehand: a snapshot taken before the run may hold records the cleaner removes before the listener
	 * fetches them. Compaction only ever removes records, so every record still in the topic after the run was there
	 * throughout and must have been processed; and the listener must have met holes (offsets it never received)
	 * while the committed offset still reached the end.
	 */
	@Test
	void compactedTopicIsCommittedToItsEndOffsets() {
		String topic = KafkaTestSupport.uniqueName("compacted");
		KafkaTestSupport.createTopic(new NewTopic(topic, 1, (short) 1).configs(Map.of("cleanup.policy", "compact",
				"segment.ms", "100", "min.cleanable.dirty.ratio", "0.001", "min.compaction.lag.ms", "0",
				"delete.retention.ms", "100")));
		try (KafkaProducer<String, String> producer = KafkaTestSupport.producer()) {
			for (int version = 0; version < 20; version++) {
				for (int key = 0; key < 50; key++) {
					producer.send(new ProducerRecord<>(topic, 0, "key-" + key, "v" + version));
				}
				producer.flush();
			}
		}
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
			try (KafkaProducer<String, String> producer = KafkaTestSupport.producer()) {
				producer.send(new ProducerRecord<>(topic, 0, "roll", "roll"));
			}
			return readAll(topic).size() < 900;
		});
		Collector listener = new Collector();
		String group = topic + "-group";
		try (ConfigurableApplicationContext context = TestApplications.start(group, listener, "holes.topic=" + topic)) {
			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(KafkaTestSupport.committed(group))
					.isEqualTo(KafkaTestSupport.endOffsets(topic, 1)));
		}
		List<Long> remaining = readAll(topic).stream().map(ConsumerRecord::offset).toList();
		assertThat(listener.offsets).as("offsets processed").containsAll(remaining);
		long end = KafkaTestSupport.endOffsets(topic, 1).get(new TopicPartition(topic, 0));
		assertThat(listener.offsets).as("offsets processed").allSatisfy((offset) -> assertThat(offset).isLessThan(end));
		assertThat(end - listener.offsets.size()).as("offsets the listener never received (removed by compaction)")
			.isPositive();
	}

	private static List<ConsumerRecord<String, String>> readAll(String topic) {
		Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
				KafkaTestSupport.bootstrapServers(), ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
				StringDeserializer.class, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
		try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
			TopicPartition partition = new TopicPartition(topic, 0);
			consumer.assign(List.of(partition));
			consumer.seekToBeginning(List.of(partition));
			long end = consumer.endOffsets(List.of(partition)).get(partition);
			List<ConsumerRecord<String, String>> records = new ArrayList<>();
			while (consumer.position(partition) < end) {
				consumer.poll(Duration.ofMillis(200)).forEach(records::add);
			}
			return records;
		}
	}

	static class Collector {

		final Set<String> values = ConcurrentHashMap.newKeySet();

		final Set<Long> offsets = ConcurrentHashMap.newKeySet();

		@HealingListener(id = "holes", topics = "${holes.topic}", parallelism = "8", ordering = Ordering.UNORDERED)
		void process(ConsumerRecord<String, String> record) {
			this.values.add(record.partition() + ":" + record.value());
			this.offsets.add(record.offset());
		}

	}

}
