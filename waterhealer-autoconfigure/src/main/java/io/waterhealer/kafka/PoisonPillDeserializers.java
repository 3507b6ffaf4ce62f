package io.waterhealer.kafka;

import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;

/**
 * Makes sure a record that cannot be deserialized reaches the listener as a failed record instead of breaking the
 * poll: the configured key and value deserializers are wrapped in a {@link PoisonPillDeserializer} (as consumer
 * properties of the listener's endpoint), unless they are already wrapped in it or in spring-kafka's
 * {@link ErrorHandlingDeserializer}, which signals failures the same way. Without it, Kafka throws from
 * {@code poll()} and the consumer cannot get past the record; with it, the record goes through the failure policy
 * like any other failure.
 */
final class PoisonPillDeserializers {

	private static final LogAccessor logger = new LogAccessor(PoisonPillDeserializers.class);

	private PoisonPillDeserializers() {
	}

	/**
	 * Consumer properties that wrap the configured deserializers.
	 * @param listenerId the listener, for the log
	 * @param consumerConfig the consumer factory's configuration
	 * @param deserializerInstances whether the consumer factory was given deserializer instances, which win over
	 * configuration and so cannot be wrapped this way
	 * @return properties to add to the endpoint's consumer properties
	 */
	static Properties wrap(String listenerId, Map<String, Object> consumerConfig, boolean deserializerInstances) {
		Properties properties = new Properties();
		if (deserializerInstances) {
			logger.warn(() -> "@HealingListener '" + listenerId + "': the consumer factory has deserializer instances, "
					+ "so waterhealer cannot wrap them in ErrorHandlingDeserializer; a record that cannot be "
					+ "deserialized will then fail the poll instead of going through the failure policy. Wrap them "
					+ "yourself (new ErrorHandlingDeserializer<>(delegate)) to let the policy handle it.");
			return properties;
		}
		wrap(consumerConfig, ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, PoisonPillDeserializer.KEY_DELEGATE, properties);
		wrap(consumerConfig, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, PoisonPillDeserializer.VALUE_DELEGATE,
				properties);
		return properties;
	}

	private static void wrap(Map<String, Object> consumerConfig, String property, String delegateProperty,
			Properties properties) {
		String configured = className(consumerConfig.get(property));
		if (configured == null || configured.equals(ErrorHandlingDeserializer.class.getName())
				|| configured.equals(PoisonPillDeserializer.class.getName())) {
			return;
		}
		properties.setProperty(property, PoisonPillDeserializer.class.getName());
		properties.setProperty(delegateProperty, configured);
	}

	private static @Nullable String className(@Nullable Object value) {
		if (value instanceof Class<?> type) {
			return type.getName();
		}
		return (value instanceof String name && !name.isBlank()) ? name.trim() : null;
	}

}
