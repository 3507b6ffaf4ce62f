package io.waterhealer.kafka;

import java.util.Map;

import io.waterhealer.InvalidHealingListenerException;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.kafka.config.AbstractKafkaListenerContainerFactory;
import org.springframework.kafka.config.KafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;

/**
 * Finds the container factory a listener runs in and reads what waterhealer needs to know about its consumers: their
 * configuration (group, deserializers, offset reset) and whether the deserializers are instances rather than class
 * names. A factory whose consumers auto-commit is rejected here, because Kafka would then commit records that are
 * still being processed or that failed.
 */
final class ContainerFactoryInspector {

	private final BeanFactory beanFactory;

	ContainerFactoryInspector(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	/**
	 * The container factory bean of the given name, checked.
	 * @param listenerId the listener that runs in it
	 * @param name the bean name
	 * @return the factory and its consumer configuration
	 */
	InspectedContainerFactory inspect(String listenerId, String name) {
		if (!this.beanFactory.containsBean(name)) {
			throw new InvalidHealingListenerException(listenerId, "containerFactory",
					"names '" + name + "', no such bean",
					"Define a KafkaListenerContainerFactory bean of that name (Spring Boot's Kafka auto-configuration "
							+ "defines kafkaListenerContainerFactory), or name one in containerFactory.");
		}
		KafkaListenerContainerFactory<?> factory = this.beanFactory.getBean(name, KafkaListenerContainerFactory.class);
		Map<String, Object> consumerConfig = consumerConfig(factory);
		rejectAutoCommit(listenerId, consumerConfig);
		return new InspectedContainerFactory(factory, consumerConfig);
	}

	private static Map<String, Object> consumerConfig(KafkaListenerContainerFactory<?> factory) {
		if (factory instanceof AbstractKafkaListenerContainerFactory<?, ?, ?> abstractFactory
				&& abstractFactory.getConsumerFactory() != null) {
			return abstractFactory.getConsumerFactory().getConfigurationProperties();
		}
		return Map.of();
	}

	private static void rejectAutoCommit(String listenerId, Map<String, Object> consumerConfig) {
		Object autoCommit = consumerConfig.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
		if (autoCommit != null && Boolean.parseBoolean(autoCommit.toString())) {
			throw new InvalidHealingListenerException(listenerId,
					"spring.kafka.consumer.enable-auto-commit (enable.auto.commit)",
					"is true, but Kafka's auto-commit commits every polled record, including records still being "
							+ "processed and records that failed",
					"Remove the property or set it to false: waterhealer commits only up to the lowest record "
							+ "not yet processed successfully.");
		}
	}

	/**
	 * A listener's container factory and the configuration of the consumers it creates.
	 *
	 * @param factory the factory the endpoint is registered with
	 * @param consumerConfig its consumer factory's configuration, empty if it has none waterhealer can read
	 */
	record InspectedContainerFactory(KafkaListenerContainerFactory<?> factory, Map<String, Object> consumerConfig) {

		/**
		 * Whether the consumer factory holds deserializer instances, which win over the configuration and so cannot
		 * be wrapped through consumer properties.
		 * @return whether it does
		 */
		boolean hasDeserializerInstances() {
			if (this.factory instanceof AbstractKafkaListenerContainerFactory<?, ?, ?> abstractFactory
					&& abstractFactory.getConsumerFactory() instanceof DefaultKafkaConsumerFactory<?, ?> consumerFactory) {
				return consumerFactory.getKeyDeserializer() != null || consumerFactory.getValueDeserializer() != null;
			}
			return false;
		}

	}

}
