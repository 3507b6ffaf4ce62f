package io.waterhealer.actuate;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Where one listener's dead letters are and how to reach them: its dead-letter topics, the consumer group replays
 * commit in, and the client configuration of the listener's consumers and of the producer that dead-lettered them
 * (servers, security), from which the endpoint's own short-lived clients are made, with byte arrays for keys and
 * values so that nothing is deserialized and a record is replayed exactly as it was.
 * @param listener the listener id
 * @param deadLetterTopics its dead-letter topics (one per topic it consumes, or the one it names)
 * @param replayGroup the consumer group whose committed offsets say what was replayed
 * @param consumerConfig the listener's consumer configuration
 * @param producerConfig the configuration of the producer dead letters are published with
 */
public record DeadLetterSource(String listener, List<String> deadLetterTopics, String replayGroup,
		Map<String, Object> consumerConfig, Map<String, Object> producerConfig) {

	/** Suffix of the listener's group id that makes the replay group's. */
	public static final String REPLAY_GROUP_SUFFIX = "-replay";

	/**
	 * A consumer configuration in the replay group that reads bytes, commits only when told and joins no group
	 * (the endpoint assigns partitions itself).
	 * @param purpose what the consumer is for, in its client id
	 * @return the configuration
	 */
	Map<String, Object> replayConsumer(String purpose) {
		Map<String, Object> config = new HashMap<>(this.consumerConfig);
		config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
		config.remove(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG);
		config.put(ConsumerConfig.GROUP_ID_CONFIG, this.replayGroup);
		config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
		config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
		config.put(ConsumerConfig.CLIENT_ID_CONFIG, this.listener + "-dead-letters-" + purpose);
		config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
		config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
		return config;
	}

	/**
	 * A producer configuration that writes bytes, outside any transaction.
	 * @return the configuration
	 */
	Map<String, Object> replayProducer() {
		Map<String, Object> config = new HashMap<>(this.producerConfig);
		config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
		config.remove(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG);
		config.put(ProducerConfig.CLIENT_ID_CONFIG, this.listener + "-dead-letters-replay");
		config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
		config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
		return config;
	}

}
