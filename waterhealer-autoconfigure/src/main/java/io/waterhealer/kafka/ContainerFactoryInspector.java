package io.waterhealer.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.waterhealer.InvalidHealingListenerException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.DirectFieldAccessor;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.core.convert.converter.Converter;
import org.springframework.format.support.DefaultFormattingConversionService;
import org.springframework.kafka.config.AbstractKafkaListenerContainerFactory;
import org.springframework.kafka.config.KafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.support.converter.MessagingMessageConverter;
import org.springframework.kafka.support.converter.RecordMessageConverter;

/**
 * Finds the container factory a listener runs in and reads what waterhealer needs to know about its consumers: their
 * configuration (group, deserializers, offset reset) and whether the deserializers are instances rather than class
 * names. A factory whose consumers auto-commit is rejected here, because Kafka would then commit records that are
 * still being processed or that failed; so is a listener method whose value parameter the configured value
 * deserializer can never feed, because every record would go to the failure policy.
 */
final class ContainerFactoryInspector {

	/** What spring-kafka's default handler method factory converts with, to tell what a parameter can receive. */
	private static final DefaultFormattingConversionService CONVERSIONS = conversions();

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

	/**
	 * Refuse a value parameter that the value deserializer can never feed: the deserializer's output is known
	 * ({@link DeserializerOutputs}), no {@code RecordMessageConverter} converts payloads, and neither the type
	 * itself nor a conversion service (the one spring-kafka gives {@code @KafkaListener} methods) turns the output
	 * into the parameter's type.
	 * @param listenerId the listener
	 * @param factory its inspected container factory
	 * @param parameterType the class the method takes the value as, {@code null} if it takes none
	 * @param parameter the parameter, for the message
	 */
	void checkValueType(String listenerId, InspectedContainerFactory factory, @Nullable Class<?> parameterType,
			String parameter) {
		RecordMessageConverter converter = factory.recordMessageConverter();
		if (parameterType == null || (converter != null && converter.getClass() != MessagingMessageConverter.class)) {
			return;
		}
		String deserializer = DeserializerOutputs.valueDeserializer(factory.consumerConfig(),
				factory.valueDeserializerInstance());
		Class<?> output = DeserializerOutputs.output(deserializer);
		if (output == null || parameterType.isAssignableFrom(output)
				|| CONVERSIONS.canConvert(output, parameterType)) {
			return;
		}
		throw new InvalidHealingListenerException(listenerId, parameter,
				"takes " + parameterType.getName() + " but the value deserializer " + deserializer
						+ " produces " + output.getName() + ", and no RecordMessageConverter converts it",
				"Set spring.kafka.consumer.value-deserializer to one that produces " + parameterType.getSimpleName()
						+ ", define a RecordMessageConverter bean (e.g. StringJacksonJsonMessageConverter for JSON "
						+ "in Strings, ByteArrayJacksonJsonMessageConverter for JSON in byte[]), or take "
						+ output.getSimpleName() + ".");
	}

	private static DefaultFormattingConversionService conversions() {
		DefaultFormattingConversionService conversions = new DefaultFormattingConversionService();
		conversions.addConverter(byte[].class, String.class,
				(Converter<byte[], String>) (bytes) -> new String(bytes, StandardCharsets.UTF_8));
		return conversions;
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

		/** The value deserializer instance of the consumer factory, which wins over the configuration. */
		@Nullable Object valueDeserializerInstance() {
			if (this.factory instanceof AbstractKafkaListenerContainerFactory<?, ?, ?> abstractFactory
					&& abstractFactory.getConsumerFactory() instanceof DefaultKafkaConsumerFactory<?, ?> consumerFactory) {
				return consumerFactory.getValueDeserializer();
			}
			return null;
		}

		/**
		 * The record message converter set on the container factory, which spring-kafka gives every
		 * {@code @KafkaListener} endpoint of the factory (Spring Boot sets its {@code RecordMessageConverter} bean
		 * there). The factory has no getter, so its field is read.
		 * @return the converter, or {@code null} if none was set
		 */
		@Nullable RecordMessageConverter recordMessageConverter() {
			if (!(this.factory instanceof AbstractKafkaListenerContainerFactory<?, ?, ?>)) {
				return null;
			}
			DirectFieldAccessor fields = new DirectFieldAccessor(this.factory);
			return fields.isReadableProperty("recordMessageConverter")
					&& fields.getPropertyValue("recordMessageConverter") instanceof RecordMessageConverter converter
							? converter : null;
		}

	}

}
