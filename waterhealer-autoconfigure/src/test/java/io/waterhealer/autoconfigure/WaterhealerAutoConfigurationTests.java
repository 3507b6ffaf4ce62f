package io.waterhealer.autoconfigure;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.waterhealer.HealingListener;
import io.waterhealer.InvalidHealingListenerException;
import io.waterhealer.Ordering;
import io.waterhealer.health.ListenerHealthMonitor;
import io.waterhealer.health.WaterhealerHealthIndicator;
import io.waterhealer.kafka.HealingListenerAnnotationBeanPostProcessor;
import io.waterhealer.kafka.HealingListenerRegistrar;
import io.waterhealer.kafka.ListenerView;
import io.waterhealer.metrics.WaterhealerMetrics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.ContainerProperties.AckMode;
import org.springframework.kafka.listener.MessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Auto-configuration and start-up validation, without a broker: containers are created but not started.
 */
class WaterhealerAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class, WaterhealerAutoConfiguration.class))
		.withPropertyValues("spring.kafka.listener.auto-startup=false", "spring.kafka.bootstrap-servers=localhost:1",
				"waterhealer.shutdown.enabled=false");

	@Test
	void whenAListenerIsDeclaredThenAManualAckContainerIsRegisteredUnderItsId() {
		this.runner.withUserConfiguration(ValidListener.class).run((context) -> {
			assertThat(context).hasSingleBean(HealingListenerRegistrar.class);
			MessageListenerContainer container = context.getBean(KafkaListenerEndpointRegistry.class)
				.getListenerContainer("orders");
			assertThat(container).isNotNull();
			assertThat(container.getContainerProperties().getAckMode()).isEqualTo(AckMode.MANUAL);
			assertThat(container.getGroupId()).isEqualTo("orders");
			ListenerView runtime = context.getBean(HealingListenerRegistrar.class).runtimes().get("orders");
			assertThat(runtime.settings().parallelism()).isEqualTo(32);
			assertThat(runtime.settings().ordering()).isEqualTo(Ordering.UNORDERED);
		});
	}

	@Test
	void whenPropertiesSetDefaultsThenListenersWithoutAttributesUseThem() {
		this.runner.withUserConfiguration(ListenerWithDefaults.class)
			.withPropertyValues("waterhealer.listener.parallelism=7", "waterhealer.listener.ordering=partition",
					"spring.kafka.consumer.group-id=shared")
			.run((context) -> {
				ListenerView runtime = context.getBean(HealingListenerRegistrar.class).runtimes().get("defaults");
				assertThat(runtime.settings().parallelism()).isEqualTo(7);
				assertThat(runtime.settings().ordering()).isEqualTo(Ordering.PARTITION);
				assertThat(context.getBean(KafkaListenerEndpointRegistry.class)
					.getListenerContainer("defaults")
					.getGroupId()).isEqualTo("shared");
			});
	}

	@Test
	void whenWaterhealerIsDisabledThenNoListenerIsRegistered() {
		this.runner.withUserConfiguration(ValidListener.class)
			.withPropertyValues("waterhealer.enabled=false")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(HealingListenerRegistrar.class);
				assertThat(context).doesNotHaveBean(HealingListenerAnnotationBeanPostProcessor.class);
			});
	}

	@Test
	void whenAMeterRegistryExistsThenListenersGetMetrics() {
		this.runner.withUserConfiguration(ValidListener.class)
			.withBean(SimpleMeterRegistry.class)
			.withConfiguration(AutoConfigurations.of(WaterhealerMetricsAutoConfiguration.class))
			.run((context) -> assertThat(context).hasSingleBean(WaterhealerMetrics.class));
	}

	@Test
	void whenMeterRegistryIsMissingThenMetricsBackOff() {
		this.runner.withUserConfiguration(ValidListener.class)
			.withConfiguration(AutoConfigurations.of(WaterhealerMetricsAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(WaterhealerMetrics.class));
	}

	@Test
	void whenMetricsAreDisabledThenNoMetricsAreRegistered() {
		this.runner.withUserConfiguration(ValidListener.class)
			.withBean(SimpleMeterRegistry.class)
			.withConfiguration(AutoConfigurations.of(WaterhealerMetricsAutoConfiguration.class))
			.withPropertyValues("waterhealer.metrics.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(WaterhealerMetrics.class));
	}

	@Test
	void whenTheActuatorIsPresentThenTheWaterhealerHealthIndicatorIsRegistered() {
		this.runner.withUserConfiguration(ValidListener.class)
			.withConfiguration(AutoConfigurations.of(WaterhealerHealthAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasSingleBean(ListenerHealthMonitor.class);
				assertThat(context).hasBean("waterhealerHealthIndicator");
				assertThat(context.getBean(WaterhealerHealthIndicator.class).health(true).getStatus())
					.isEqualTo(Status.UP);
			});
	}

	@Test
	void whenTheHealthIndicatorIsDisabledThenOnlyTheMonitorRemains() {
		this.runner.withUserConfiguration(ValidListener.class)
			.withConfiguration(AutoConfigurations.of(WaterhealerHealthAutoConfiguration.class))
			.withPropertyValues("management.health.waterhealer.enabled=false")
			.run((context) -> {
				assertThat(context).hasSingleBean(ListenerHealthMonitor.class);
				assertThat(context).doesNotHaveBean(WaterhealerHealthIndicator.class);
			});
	}

	@Test
	void whenTheExitCodeIsZeroThenStartupFailsNamingTheProperty() {
		this.runner.withUserConfiguration(ValidListener.class)
			.withConfiguration(AutoConfigurations.of(WaterhealerHealthAutoConfiguration.class))
			.withPropertyValues("waterhealer.shutdown.exit-code=0")
			.run((context) -> assertThat(mostSpecificCause(context))
				.hasMessageStartingWith("Property waterhealer.shutdown.exit-code is 0."));
	}

	@Test
	void whenAutoCommitIsForcedOnThenStartupFailsSayingWhy() {
		this.runner.withUserConfiguration(ValidListener.class)
			.withPropertyValues("spring.kafka.consumer.enable-auto-commit=true")
			.run((context) -> assertThat(mostSpecificCause(context))
				.isInstanceOf(InvalidHealingListenerException.class)
				.hasMessageContaining("'orders'")
				.hasMessageContaining("spring.kafka.consumer.enable-auto-commit")
				.hasMessageContaining("set it to false"));
	}

	@Test
	void whenParallelismIsBelowOneThenStartupFailsNamingTheListener() {
		this.runner.withUserConfiguration(ZeroParallelism.class)
			.run((context) -> assertThat(mostSpecificCause(context))
				.hasMessage("@HealingListener 'zero': parallelism is '0'. Set it to a whole number of at least 1, "
						+ "or leave it empty for the default from waterhealer.listener.parallelism."));
	}

	@Test
	void whenNoTopicIsNamedThenStartupFails() {
		this.runner.withUserConfiguration(NoTopics.class)
			.run((context) -> assertThat(mostSpecificCause(context))
				.hasMessageContaining("'noTopics'")
				.hasMessageContaining("topics is empty"));
	}

	@Test
	void whenAParameterCannotBeBoundThenStartupFailsNamingIt() {
		this.runner.withUserConfiguration(TwoValues.class)
			.run((context) -> assertThat(mostSpecificCause(context))
				.hasMessageContaining("'twoValues'")
				.hasMessageContaining("cannot be bound"));
	}

	@Test
	void whenABatchMethodAlsoTakesARecordThenStartupFailsNamingIt() {
		this.runner.withUserConfiguration(BatchWithRecord.class)
			.run((context) -> assertThat(mostSpecificCause(context)).hasMessageContaining("'mixedBatch'")
				.hasMessageContaining("takes a List (a batch) and a per-record parameter"));
	}

	@Test
	void whenABatchTimeoutIsNotADurationThenStartupFailsNamingIt() {
		this.runner.withUserConfiguration(BadBatchTimeout.class)
			.run((context) -> assertThat(mostSpecificCause(context)).hasMessageContaining("'badTimeout'")
				.hasMessageContaining("batchTimeout is 'soon'"));
	}

	@Test
	void whenARateIsNotARateThenStartupFailsNamingItAndTheFormsThatWork() {
		this.runner.withUserConfiguration(BadRate.class)
			.run((context) -> assertThat(mostSpecificCause(context)).hasMessageContaining("'badRate'")
				.hasMessageContaining("rate is '500/d'")
				.hasMessageContaining("Write N/s, N/m or N/h"));
	}

	@Test
	void whenTwoListenersShareAnIdThenStartupFails() {
		this.runner.withUserConfiguration(ValidListener.class, SameId.class)
			.run((context) -> assertThat(mostSpecificCause(context))
				.hasMessageContaining("'orders'")
				.hasMessageContaining("own id"));
	}

	@Test
	void whenAPropertyIsInvalidThenStartupFailsNamingTheProperty() {
		this.runner.withUserConfiguration(ValidListener.class)
			.withPropertyValues("waterhealer.listener.max-in-flight=0")
			.run((context) -> assertThat(mostSpecificCause(context))
				.hasMessageStartingWith("Property waterhealer.listener.max-in-flight is 0."));
	}

	private static Throwable mostSpecificCause(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		return NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure());
	}

	@Configuration(proxyBeanMethods = false)
	static class ValidListener {

		@Bean
		Orders orders() {
			return new Orders();
		}

	}

	static class Orders {

		@HealingListener(id = "orders", topics = "orders", parallelism = "32", ordering = Ordering.UNORDERED)
		void handle(String value) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SameId {

		@Bean
		OtherOrders otherOrders() {
			return new OtherOrders();
		}

	}

	static class OtherOrders {

		@HealingListener(id = "orders", topics = "other")
		void handle(String value) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ListenerWithDefaults {

		@Bean
		Object defaultsListener() {
			return new Object() {

				@HealingListener(id = "defaults", topics = "t")
				void handle(ConsumerRecord<String, String> record) {
				}

			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ZeroParallelism {

		@Bean
		Object zeroListener() {
			return new Object() {

				@HealingListener(id = "zero", topics = "t", parallelism = "0")
				void handle(String value) {
				}

			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class NoTopics {

		@Bean
		Object noTopicsListener() {
			return new Object() {

				@HealingListener(id = "noTopics")
				void handle(String value) {
				}

			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BatchWithRecord {

		@Bean
		Object mixedBatchListener() {
			return new Object() {

				@HealingListener(id = "mixedBatch", topics = "t")
				void handle(java.util.List<String> batch, org.apache.kafka.common.header.Headers headers) {
				}

			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BadBatchTimeout {

		@Bean
		Object badTimeoutListener() {
			return new Object() {

				@HealingListener(id = "badTimeout", topics = "t", batchTimeout = "soon")
				void handle(java.util.List<String> batch) {
				}

			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BadRate {

		@Bean
		Object badRateListener() {
			return new Object() {

				@HealingListener(id = "badRate", topics = "t", rate = "500/d")
				void handle(String value) {
				}

			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoValues {

		@Bean
		Object twoValuesListener() {
			return new Object() {

				@HealingListener(id = "twoValues", topics = "t")
				void handle(String value, String other) {
				}

			};
		}

	}

}
