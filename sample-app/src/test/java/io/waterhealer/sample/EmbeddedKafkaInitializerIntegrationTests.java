package io.waterhealer.sample;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two ways the sample finds its broker: an address the user gave, or one it starts and stops itself.
 */
class EmbeddedKafkaInitializerIntegrationTests {

	@Test
	void whenBootstrapServersAreSetThenNoBrokerIsStarted() {
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			TestPropertyValues.of("spring.kafka.bootstrap-servers=kafka.example.com:9092").applyTo(context);
			new EmbeddedKafkaInitializer().initialize(context);
			context.refresh();
			assertThat(context.containsBean(EmbeddedKafkaBroker.BEAN_NAME)).isFalse();
			assertThat(context.getEnvironment().getProperty("spring.kafka.bootstrap-servers"))
				.isEqualTo("kafka.example.com:9092");
		}
	}

	@Test
	void whenTheEmbeddedBrokerIsSwitchedOffThenNoneIsStarted() {
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			TestPropertyValues.of(EmbeddedKafkaInitializer.ENABLED + "=false").applyTo(context);
			new EmbeddedKafkaInitializer().initialize(context);
			context.refresh();
			assertThat(context.containsBean(EmbeddedKafkaBroker.BEAN_NAME)).isFalse();
			assertThat(context.getEnvironment().containsProperty("spring.kafka.bootstrap-servers")).isFalse();
		}
	}

	@Test
	void whenBootstrapServersAreNotSetThenABrokerRunsAsLongAsTheContext() {
		EmbeddedKafkaKraftBroker broker;
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			new EmbeddedKafkaInitializer().initialize(context);
			context.refresh();
			broker = context.getBean(EmbeddedKafkaKraftBroker.class);
			assertThat(broker.getCluster()).isNotNull();
			assertThat(context.getEnvironment().getProperty("spring.kafka.bootstrap-servers"))
				.isEqualTo(broker.getBrokersAsString());
		}
		assertThat(broker.getCluster()).isNull();
	}

}
