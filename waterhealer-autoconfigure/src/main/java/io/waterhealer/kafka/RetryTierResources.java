package io.waterhealer.kafka;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.waterhealer.kafka.worker.OriginalRecords;
import io.waterhealer.kafka.worker.RetryTierPublisher;
import io.waterhealer.settings.RetryTiers;
import io.waterhealer.settings.RetryTiers.Tier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Makes what a listener's retry tiers need beside its containers: the tier topics, and a
 * {@link RetryTierPublisher} with a byte-array producer and reader of its own, built from the configuration of the
 * application's {@link KafkaTemplate} and of the listener's consumer factory (so they reach the same brokers with
 * the same security), and closes them when the context closes.
 */
final class RetryTierResources implements AutoCloseable {

	private static final LogAccessor logger = new LogAccessor(RetryTierResources.class);

	/** What the container id of a listener's tier endpoint adds to the listener id. */
	static final String ENDPOINT_SUFFIX = "-retry";

	private final List<AutoCloseable> opened = new ArrayList<>();

	/**
	 * The tier topics of a listener's topics and the tier of each.
	 * @param tiers the listener's tiers
	 * @param topics the listener's topics
	 * @return each tier topic with its tier, in tier order
	 */
	static Map<String, Tier> tierTopics(RetryTiers tiers, List<String> topics) {
		Map<String, Tier> tierTopics = new LinkedHashMap<>();
		for (Tier tier : tiers.tiers()) {
			for (String topic : topics) {
				tierTopics.put(tiers.topic(topic, tier), tier);
			}
		}
		return tierTopics;
	}

	/**
	 * A publisher for one listener's tiers.
	 * @param listenerId the listener
	 * @param tiers its tiers
	 * @param tierTopics its tier topics
	 * @param consumerConfig its consumer factory's configuration
	 * @param template the application's template, whose producer configuration is used with byte-array serializers
	 * @return the publisher
	 */
	RetryTierPublisher publisher(String listenerId, RetryTiers tiers, Map<String, Tier> tierTopics,
			Map<String, Object> consumerConfig, KafkaTemplate<?, ?> template) {
		Map<String, Object> producerConfig = new HashMap<>(template.getProducerFactory().getConfigurationProperties());
		producerConfig.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
		producerConfig.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
		producerConfig.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
		producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, "waterhealer-" + listenerId + "-retry-tiers");
		Producer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(),
				new ByteArraySerializer());
		this.opened.add(producer);
		OriginalRecords reader = OriginalRecords.forListener(listenerId, "retry-reader", consumerConfig);
		this.opened.add(reader);
		return new RetryTierPublisher(tiers, tierTopics, reader, producer);
	}

	@Override
	public void close() {
		for (AutoCloseable resource : this.opened) {
			try {
				resource.close();
			}
			catch (Exception ex) {
				logger.debug(() -> "Could not close " + resource + ": " + ex);
			}
		}
		this.opened.clear();
	}

}
