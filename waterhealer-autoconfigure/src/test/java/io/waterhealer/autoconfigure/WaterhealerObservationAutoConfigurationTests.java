package io.waterhealer.autoconfigure;

import io.micrometer.observation.ObservationRegistry;
import io.waterhealer.observation.ListenerObservations;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.NestedExceptionUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The switch of attempt observation: {@code waterhealer.observation.enabled} when it is set, otherwise Boot's
 * {@code spring.kafka.listener.observation-enabled}, otherwise off; and only with an {@link ObservationRegistry}.
 */
class WaterhealerObservationAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class, WaterhealerAutoConfiguration.class,
				WaterhealerObservationAutoConfiguration.class))
		.withBean(ObservationRegistry.class, ObservationRegistry::create);

	@Test
	void whenNothingIsSetThenAttemptsAreNotObserved() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(ListenerObservations.class));
	}

	@Test
	void whenSpringKafkaObservationIsEnabledThenAttemptsAreObserved() {
		this.runner.withPropertyValues("spring.kafka.listener.observation-enabled=true")
			.run((context) -> assertThat(context).hasSingleBean(ListenerObservations.class));
	}

	@Test
	void whenWaterhealerObservationIsDisabledThenItOverridesSpringKafka() {
		this.runner
			.withPropertyValues("spring.kafka.listener.observation-enabled=true", "waterhealer.observation.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ListenerObservations.class));
	}

	@Test
	void whenWaterhealerObservationIsEnabledThenItOverridesSpringKafka() {
		this.runner
			.withPropertyValues("spring.kafka.listener.observation-enabled=false", "waterhealer.observation.enabled=true")
			.run((context) -> assertThat(context).hasSingleBean(ListenerObservations.class));
	}

	@Test
	void whenThereIsNoObservationRegistryThenAttemptsAreNotObserved() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class, WaterhealerAutoConfiguration.class,
					WaterhealerObservationAutoConfiguration.class))
			.withPropertyValues("waterhealer.observation.enabled=true")
			.run((context) -> assertThat(context).doesNotHaveBean(ListenerObservations.class));
	}

	@Test
	void whenTheSwitchIsNotABooleanThenStartUpNamesIt() {
		this.runner.withPropertyValues("waterhealer.observation.enabled=yes please")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure()))
					.hasMessageContaining("waterhealer.observation.enabled");
			});
	}

}
