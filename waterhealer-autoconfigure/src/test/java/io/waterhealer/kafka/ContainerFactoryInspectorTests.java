package io.waterhealer.kafka;

import java.util.Map;

import io.waterhealer.InvalidHealingListenerException;
import io.waterhealer.kafka.ContainerFactoryInspector.InspectedContainerFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The container factory a listener names is found, its consumers' configuration read, and a factory that cannot
 * work with waterhealer (missing, or auto-committing) is reported with the listener and the fix.
 */
class ContainerFactoryInspectorTests {

	private final DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();

	private final ContainerFactoryInspector inspector = new ContainerFactoryInspector(this.beanFactory);

	@Test
	void readsTheConsumerConfiguration() {
		Map<String, Object> config = Map.of(ConsumerConfig.GROUP_ID_CONFIG, "group");
		ConcurrentKafkaListenerContainerFactory<String, String> factory = factory(
				new DefaultKafkaConsumerFactory<>(config));
		this.beanFactory.registerSingleton("kafkaListenerContainerFactory", factory);
		InspectedContainerFactory inspected = this.inspector.inspect("orders", "kafkaListenerContainerFactory");
		assertThat(inspected.factory()).isSameAs(factory);
		assertThat(inspected.consumerConfig()).isEqualTo(config);
		assertThat(inspected.hasDeserializerInstances()).isFalse();
	}

	@Test
	void seesDeserializerInstances() {
		this.beanFactory.registerSingleton("instances", factory(new DefaultKafkaConsumerFactory<>(Map.of(),
				new StringDeserializer(), new StringDeserializer())));
		assertThat(this.inspector.inspect("orders", "instances").hasDeserializerInstances()).isTrue();
	}

	@Test
	void factoryWithoutConsumerFactoryHasNoConfiguration() {
		this.beanFactory.registerSingleton("bare", new ConcurrentKafkaListenerContainerFactory<String, String>());
		InspectedContainerFactory inspected = this.inspector.inspect("orders", "bare");
		assertThat(inspected.consumerConfig()).isEmpty();
		assertThat(inspected.hasDeserializerInstances()).isFalse();
	}

	@Test
	void missingFactoryIsReported() {
		assertThatExceptionOfType(InvalidHealingListenerException.class)
			.isThrownBy(() -> this.inspector.inspect("orders", "nope"))
			.withMessage("@HealingListener 'orders': containerFactory names 'nope', no such bean. Define a "
					+ "KafkaListenerContainerFactory bean of that name (Spring Boot's Kafka auto-configuration defines "
					+ "kafkaListenerContainerFactory), or name one in containerFactory.");
	}

	@Test
	void autoCommitIsRejected() {
		this.beanFactory.registerSingleton("autoCommit", factory(
				new DefaultKafkaConsumerFactory<>(Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "TRUE"))));
		assertThatExceptionOfType(InvalidHealingListenerException.class)
			.isThrownBy(() -> this.inspector.inspect("orders", "autoCommit"))
			.withMessage("@HealingListener 'orders': spring.kafka.consumer.enable-auto-commit (enable.auto.commit) is "
					+ "true, but Kafka's auto-commit commits every polled record, including records still being "
					+ "processed and records that failed. Remove the property or set it to false: waterhealer commits "
					+ "only up to the lowest record not yet processed successfully.");
		this.beanFactory.registerSingleton("noAutoCommit", factory(
				new DefaultKafkaConsumerFactory<>(Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false))));
		assertThat(this.inspector.inspect("orders", "noAutoCommit").consumerConfig()).hasSize(1);
	}

	private static ConcurrentKafkaListenerContainerFactory<String, String> factory(
			DefaultKafkaConsumerFactory<String, String> consumerFactory) {
		ConcurrentKafkaListenerContainerFactory<String, String> factory = new ConcurrentKafkaListenerContainerFactory<>();
		factory.setConsumerFactory(consumerFactory);
		return factory;
	}

}
