package io.waterhealer.kafka;

import io.waterhealer.HealingListener;
import io.waterhealer.InvalidHealingListenerException;
import io.waterhealer.autoconfigure.WaterhealerAutoConfiguration;
import org.apache.kafka.clients.consumer.Consumer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.support.converter.StringJacksonJsonMessageConverter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What cannot be bound stops the start-up with the listener, the parameter and the fix (issue 15, items 1 and 5a):
 * a {@code Consumer} parameter, and a value parameter the configured value deserializer can never feed, which
 * before sent every record of the topic to the failure policy.
 */
class ListenerBindingStartupTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class, WaterhealerAutoConfiguration.class))
		.withPropertyValues("spring.kafka.listener.auto-startup=false", "spring.kafka.bootstrap-servers=localhost:1");

	@Test
	void aConsumerParameterIsRefusedBecauseItWouldBeUsedFromAWorkerThread() {
		this.runner.withUserConfiguration(ConsumerListener.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure())
				.isInstanceOf(InvalidHealingListenerException.class)
				.hasMessageContaining("@HealingListener 'withConsumer': parameter 'consumer' of ConsumerListener.on()")
				.hasMessageContaining("a KafkaConsumer must not be used from any thread but its consumer thread")
				.hasMessageContaining("take an Acknowledgment");
		});
	}

	@Test
	void aPojoWithBootsStringDeserializerAndNoConverterIsRefusedNamingBoth() {
		this.runner.withUserConfiguration(PojoListener.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure())
				.isInstanceOf(InvalidHealingListenerException.class)
				.hasMessageContaining("@HealingListener 'pojo': parameter 'order' of PojoListener.on() takes "
						+ Order.class.getName() + " but the value deserializer "
						+ "org.apache.kafka.common.serialization.StringDeserializer produces java.lang.String")
				.hasMessageContaining("StringJacksonJsonMessageConverter");
		});
	}

	@Test
	void aByteArrayDeserializerBehindTheErrorHandlingDeserializerIsSeenThrough() {
		this.runner.withUserConfiguration(PojoListener.class)
			.withPropertyValues(
					"spring.kafka.consumer.value-deserializer="
							+ "org.springframework.kafka.support.serializer.ErrorHandlingDeserializer",
					"spring.kafka.consumer.properties.spring.deserializer.value.delegate.class="
							+ "org.apache.kafka.common.serialization.ByteArrayDeserializer")
			.run((context) -> assertThat(context.getStartupFailure())
				.hasMessageContaining("ByteArrayDeserializer produces [B"));
	}

	@Test
	void aJsonConverterBeanLetsThePojoListenerStart() {
		this.runner.withUserConfiguration(PojoListener.class, JsonConverter.class)
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void aTypeTheConversionServiceReachesAndAStringParameterStart() {
		this.runner.withUserConfiguration(NumberListener.class).run((context) -> assertThat(context).hasNotFailed());
	}

	record Order(String id) {
	}

	@Configuration(proxyBeanMethods = false)
	static class ConsumerListener {

		@HealingListener(id = "withConsumer", topics = "t")
		void on(String value, Consumer<?, ?> consumer) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PojoListener {

		@HealingListener(id = "pojo", topics = "t")
		void on(Order order) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class NumberListener {

		@HealingListener(id = "number", topics = "t")
		void on(long number) {
		}

		@HealingListener(id = "text", topics = "t")
		void on(String text) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class JsonConverter {

		@Bean
		StringJacksonJsonMessageConverter jsonConverter() {
			return new StringJacksonJsonMessageConverter();
		}

	}

}
