package io.waterhealer.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import org.springframework.kafka.test.EmbeddedKafkaBroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Facts about Kafka for tests, read and written with Kafka's own clients against the shared embedded broker:
 * never through waterhealer's view of itself.
 */
public final class KafkaTestSupport {

	private KafkaTestSupport() {
	}

	public static String bootstrapServers() {
		String servers = System.getProperty(EmbeddedKafkaBroker.SPRING_EMBEDDED_KAFKA_BROKERS);
		if (servers == null) {
			throw new IllegalStateException("No embedded broker: a test that needs one is named *IntegrationTests and "
					+ "runs in failsafe (./mvnw verify, or test-compile failsafe:integration-test -Dit.test=...), "
					+ "not in surefire's unit-test JVM, which starts none; elsewhere junit-platform.properties "
					+ "should enable spring.kafka.global.embedded.enabled");
		}
		return servers;
	}

	public static String uniqueName(String prefix) {
		return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	public static Admin admin() {
		return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
	}

	public static void createTopic(String topic, int partitions) {
		createTopic(new NewTopic(topic, partitions, (short) 1));
	}

	/**
	 * Create a topic and wait until every partition has a leader and the end offsets answer, so that the first
	 * produce does not race the topic's creation (which makes the producer retry and reorder batches).
	 */
	public static void createTopic(NewTopic topic) {
		try (Admin admin = admin()) {
			admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
			org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
				var description = admin.describeTopics(List.of(topic.name()))
					.allTopicNames()
					.get(10, TimeUnit.SECONDS)
					.get(topic.name());
				return description.partitions().size() == topic.numPartitions()
						&& description.partitions().stream().allMatch((p) -> p.leader() != null)
						&& endOffsets(topic.name(), topic.numPartitions()).size() == topic.numPartitions();
			});
		}
		catch (Exception ex) {
			throw new IllegalStateException("Could not create topic " + topic.name(), ex);
		}
	}

	public static KafkaProducer<String, String> producer() {
		Properties properties = new Properties();
		properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
		properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
		properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
		properties.put(ProducerConfig.LINGER_MS_CONFIG, 5);
		properties.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
		return new KafkaProducer<>(properties);
	}

	/** Send values in order to one partition and wait until all are acknowledged. */
	public static void sendValues(String topic, int partition, List<String> values) {
		try (KafkaProducer<String, String> producer = producer()) {
			for (String value : values) {
				producer.send(new ProducerRecord<>(topic, partition, null, value));
			}
			producer.flush();
		}
	}

	/** The group's committed offsets, as the broker has them. */
	public static Map<TopicPartition, Long> committed(String groupId) {
		try (Admin admin = admin()) {
			Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(groupId)
				.partitionsToOffsetAndMetadata()
				.get(30, TimeUnit.SECONDS);
			Map<TopicPartition, Long> result = new HashMap<>();
			offsets.forEach((tp, offset) -> {
				if (offset != null) {
					result.put(tp, offset.offset());
				}
			});
			return result;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		catch (ExecutionException | java.util.concurrent.TimeoutException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * A group's committed offset of one partition with its metadata, as the broker has it.
	 * @return the offset and metadata, or {@code null} when the partition has no commit
	 */
	public static OffsetAndMetadata committedWithMetadata(String groupId, TopicPartition topicPartition)
			throws Exception {
		try (Admin admin = admin()) {
			return admin.listConsumerGroupOffsets(groupId)
				.partitionsToOffsetAndMetadata()
				.get(10, TimeUnit.SECONDS)
				.get(topicPartition);
		}
	}

	public static long committed(String groupId, TopicPartition topicPartition) {
		return committed(groupId).getOrDefault(topicPartition, -1L);
	}

	/** A group's committed offset on another cluster than the shared embedded broker. */
	public static long committedAt(String bootstrapServers, String groupId, TopicPartition topicPartition)
			throws Exception {
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
			OffsetAndMetadata offset = admin.listConsumerGroupOffsets(groupId)
				.partitionsToOffsetAndMetadata()
				.get(10, TimeUnit.SECONDS)
				.get(topicPartition);
			return (offset != null) ? offset.offset() : -1;
		}
	}

	/** The topic's end offsets (log end, including transaction markers), as the broker has them. */
	public static Map<TopicPartition, Long> endOffsets(String topic, int partitions) {
		try (Admin admin = admin()) {
			Map<TopicPartition, OffsetSpec> request = java.util.stream.IntStream.range(0, partitions)
				.mapToObj((p) -> new TopicPartition(topic, p))
				.collect(Collectors.toMap(Function.identity(), (tp) -> OffsetSpec.latest()));
			return admin.listOffsets(request)
				.all()
				.get(30, TimeUnit.SECONDS)
				.entrySet()
				.stream()
				.collect(Collectors.toMap(Map.Entry::getKey, (e) -> e.getValue().offset()));
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * A consumer of the topic's records as they are on the broker (key and value bytes), in a group of its own that
	 * starts at the earliest offset.
	 */
	public static KafkaConsumer<byte[], byte[]> rawConsumer(String topic) {
		Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
				ConsumerConfig.GROUP_ID_CONFIG, topic + "-reader", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
				ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
				ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
		KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config);
		consumer.subscribe(List.of(topic));
		return consumer;
	}

	/**
	 * Reads the topic's records as bytes until at least {@code count} came, for at most {@code atMost}, and asserts
	 * that exactly {@code count} did.
	 */
	public static List<ConsumerRecord<byte[], byte[]>> readRaw(String topic, int count, Duration atMost) {
		List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
		try (KafkaConsumer<byte[], byte[]> consumer = rawConsumer(topic)) {
			await().atMost(atMost).until(() -> {
				consumer.poll(Duration.ofMillis(200)).forEach(found::add);
				return found.size() >= count;
			});
		}
		assertThat(found).hasSize(count);
		return found;
	}

	/** The last value of a header as UTF-8 text, asserting the record has the header. */
	public static String header(ConsumerRecord<?, ?> record, String name) {
		Header header = record.headers().lastHeader(name);
		assertThat(header).as(name).isNotNull();
		return new String(header.value(), StandardCharsets.UTF_8);
	}

}
