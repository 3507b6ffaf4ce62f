package io.waterhealer.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.kafka.core.KafkaTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A classpath without spring-kafka fails the start with a report naming it, instead of every
 * {@code @HealingListener} being skipped without a word (the main auto-configuration is conditional on
 * spring-kafka's classes).
 */
class WaterhealerCompatibilityAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(WaterhealerCompatibilityAutoConfiguration.class, WaterhealerAutoConfiguration.class));

	@Test
	void theBuildsClasspathStarts() {
		this.runner.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void withoutSpringKafkaTheStartFailsNamingIt() {
		this.runner.withClassLoader(new FilteredClassLoader(KafkaTemplate.class)).run((context) -> {
			assertThat(context).hasFailed();
			Throwable cause = NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure());
			assertThat(cause).isInstanceOf(UnsupportedVersionsException.class)
				.hasMessageContaining("spring-kafka is not on the classpath");
			FailureAnalysis analysis = new UnsupportedVersionsFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("  - spring-kafka is not on the classpath");
			assertThat(analysis.getAction()).contains("spring-kafka 4.0.0+", "kafka-clients 4.0.0+");
		});
	}

	@Test
	void turnedOffWithWaterhealerItDoesNotCheck() {
		this.runner.withClassLoader(new FilteredClassLoader(KafkaTemplate.class))
			.withPropertyValues("waterhealer.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed());
	}

}
