package io.waterhealer.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import com.jayway.jsonpath.JsonPath;
import io.micrometer.observation.ObservationRegistry;
import io.waterhealer.HealingListener;
import io.waterhealer.autoconfigure.WaterhealerAutoConfiguration;
import io.waterhealer.autoconfigure.WaterhealerCheckpointAutoConfiguration;
import io.waterhealer.autoconfigure.WaterhealerHealthAutoConfiguration;
import io.waterhealer.autoconfigure.WaterhealerMetricsAutoConfiguration;
import io.waterhealer.autoconfigure.WaterhealerObservationAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Bad configuration (issue 9, case 5): every {@code waterhealer.*} property (as listed by the generated configuration
 * metadata, which also feeds the README's table) with an invalid value, and the
 * contradictory combinations, must stop the start-up; the report a user sees (Spring Boot's failure analysis, as
 * printed under "APPLICATION FAILED TO START") must name the property and say what to change.
 */
class BadConfigurationTests {

	private static final String WHOLE_NUMBER = "at least 1";

	private static final String DURATION = "positive duration";

	/** Spring Boot's own answer to a value it cannot convert. */
	private static final String UPDATE = "Update your application's configuration";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(KafkaAutoConfiguration.class, WaterhealerAutoConfiguration.class,
				WaterhealerMetricsAutoConfiguration.class, WaterhealerHealthAutoConfiguration.class,
				WaterhealerCheckpointAutoConfiguration.class, WaterhealerObservationAutoConfiguration.class))
		// a registry, so that the observation switch is read (it is not without one)
		.withBean(ObservationRegistry.class, ObservationRegistry::create)
		.withUserConfiguration(Listener.class)
		.withPropertyValues("spring.kafka.listener.auto-startup=false", "spring.kafka.bootstrap-servers=localhost:1");

	/**
	 * Rows: the property at fault, the settings that break it, and a fragment of the fix the report must give.
	 * @return the table
	 */
	static Stream<Arguments> invalidSettings() {
		return Stream.of(
				// values that cannot be converted: Spring Boot's binder names the property and the valid values
				row("waterhealer.enabled", "true or false", "waterhealer.enabled=perhaps"),
				row("waterhealer.listener.parallelism", UPDATE, "waterhealer.listener.parallelism=lots"),
				row("waterhealer.listener.ordering", "KEY", "waterhealer.listener.ordering=sideways"),
				row("waterhealer.listener.debug", UPDATE, "waterhealer.listener.debug=verbose"),
				row("waterhealer.listener.commit-interval", UPDATE, "waterhealer.listener.commit-interval=soon"),
				row("waterhealer.retry.multiplier", UPDATE, "waterhealer.retry.multiplier=double"),
				row("waterhealer.retry.not-retryable", UPDATE,
						"waterhealer.retry.not-retryable=com.example.NoSuchException"),
				row("waterhealer.failure.policy", "DEAD_LETTER", "waterhealer.failure.policy=retry_forever"),
				row("waterhealer.metrics.enabled", UPDATE, "waterhealer.metrics.enabled=perhaps"),
				row("waterhealer.metrics.time-execution", UPDATE, "waterhealer.metrics.time-execution=perhaps"),
				row("waterhealer.metrics.data-size", UPDATE, "waterhealer.metrics.data-size=perhaps"),
				row("waterhealer.batch.check-leakage", UPDATE, "waterhealer.batch.check-leakage=perhaps"),
				row("waterhealer.checkpoint.enabled", "true or false", "waterhealer.checkpoint.enabled=perhaps"),
				row("waterhealer.ledger-page.enabled", UPDATE, "waterhealer.ledger-page.enabled=perhaps"),
				row("waterhealer.shutdown.enabled", UPDATE, "waterhealer.shutdown.enabled=perhaps"),
				row("waterhealer.shutdown.exit-code", UPDATE, "waterhealer.shutdown.exit-code=one"),
				row("waterhealer.shutdown.fatal-exceptions", UPDATE,
						"waterhealer.shutdown.fatal-exceptions=com.example.NoSuchError"),
				// values that convert but cannot work: waterhealer's own checks
				row("waterhealer.listener.parallelism", WHOLE_NUMBER, "waterhealer.listener.parallelism=0"),
				row("waterhealer.listener.parallelism", WHOLE_NUMBER, "waterhealer.listener.parallelism=-4"),
				row("waterhealer.listener.concurrency", WHOLE_NUMBER, "waterhealer.listener.concurrency=0"),
				row("waterhealer.listener.max-in-flight", WHOLE_NUMBER, "waterhealer.listener.max-in-flight=-1"),
				row("waterhealer.listener.max-span", "at least max-in-flight", "waterhealer.listener.max-span=0"),
				row("waterhealer.listener.commit-interval", DURATION, "waterhealer.listener.commit-interval=0s"),
				row("waterhealer.listener.commit-interval", DURATION, "waterhealer.listener.commit-interval=-1s"),
				row("waterhealer.listener.drain-timeout", "zero or a positive duration",
						"waterhealer.listener.drain-timeout=-5s"),
				row("waterhealer.listener.completion-timeout", "zero or a positive duration",
						"waterhealer.listener.completion-timeout=-1s"),
				row("waterhealer.listener.rate", "N/s, N/m or N/h", "waterhealer.listener.rate=500 per second"),
				row("waterhealer.listener.rate", "N/s, N/m or N/h", "waterhealer.listener.rate=0/s"),
				row("waterhealer.observation.enabled", "true or false", "waterhealer.observation.enabled=perhaps"),
				row("waterhealer.listener.metadata-max-bytes", "offset.metadata.max.bytes",
						"waterhealer.listener.metadata-max-bytes=-1"),
				row("waterhealer.retry.initial-interval", DURATION, "waterhealer.retry.initial-interval=0ms"),
				row("waterhealer.retry.multiplier", "1 (fixed back-off)", "waterhealer.retry.multiplier=0.5"),
				row("waterhealer.retry.multiplier", "1 (fixed back-off)", "waterhealer.retry.multiplier=NaN"),
				row("waterhealer.retry.multiplier", "1 (fixed back-off)", "waterhealer.retry.multiplier=-2"),
				row("waterhealer.retry.max-interval", "at least the initial interval",
						"waterhealer.retry.max-interval=-1s"),
				row("waterhealer.retry.max-attempts", "-1 for unlimited", "waterhealer.retry.max-attempts=0"),
				row("waterhealer.retry.max-attempts", "-1 for unlimited", "waterhealer.retry.max-attempts=-2"),
				row("waterhealer.retry.not-retryable", "exception classes only",
						"waterhealer.retry.not-retryable=java.lang.String"),
				row("waterhealer.retry.topics", "Write delays such as 10s,1m,10m", "waterhealer.retry.topics=1m,10s"),
				row("waterhealer.retry.topics", "shortest first", "waterhealer.retry.topics=ten seconds"),
				row("waterhealer.retry.topic-suffix", "Use a suffix with {delay}",
						"waterhealer.retry.topic-suffix=-retry"),
				row("waterhealer.retry.topic-suffix", "besides, e.g. -retry-{delay}",
						"waterhealer.retry.topic-suffix=/retry {delay}"),
				row("waterhealer.failure.dead-letter-suffix", "suffix such as -dlt",
						"waterhealer.failure.dead-letter-suffix="),
				row("waterhealer.failure.dead-letter-suffix", "letters, digits",
						"waterhealer.failure.dead-letter-suffix=/dead letters"),
				row("waterhealer.failure.storm-threshold", "or 0 to turn the dead-letter storm guard off",
						"waterhealer.failure.storm-threshold=-1"),
				row("waterhealer.batch.size", WHOLE_NUMBER, "waterhealer.batch.size=0"),
				row("waterhealer.batch.size", WHOLE_NUMBER, "waterhealer.batch.size=-100"),
				row("waterhealer.batch.timeout", DURATION, "waterhealer.batch.timeout=0s"),
				row("waterhealer.checkpoint.max-value-length", "at least 1",
						"waterhealer.checkpoint.max-value-length=0"),
				row("waterhealer.checkpoint.show-values", UPDATE, "waterhealer.checkpoint.show-values=sometimes"),
				row("waterhealer.checkpoint.roles", "show-values=when-authorized", "waterhealer.checkpoint.roles=admin"),
				row("waterhealer.shutdown.interval", DURATION, "waterhealer.shutdown.interval=0s"),
				row("waterhealer.shutdown.stall-timeout", DURATION, "waterhealer.shutdown.stall-timeout=-90m"),
				row("waterhealer.shutdown.broker-timeout", DURATION, "waterhealer.shutdown.broker-timeout=0s"),
				row("waterhealer.shutdown.delay", "zero or a positive duration", "waterhealer.shutdown.delay=-15s"),
				row("waterhealer.shutdown.exit-code", "non-zero status", "waterhealer.shutdown.exit-code=0"),
				row("waterhealer.shutdown.exit-code", "from 1 to 255", "waterhealer.shutdown.exit-code=256"),
				row("waterhealer.shutdown.exit-code", "from 1 to 255", "waterhealer.shutdown.exit-code=-1"),
				row("waterhealer.shutdown.fatal-exceptions", "exception classes only",
						"waterhealer.shutdown.fatal-exceptions=java.lang.Object"),
				// contradictory combinations
				row("waterhealer.listener.max-span", "at least max-in-flight", "waterhealer.listener.max-in-flight=500",
						"waterhealer.listener.max-span=100"),
				row("waterhealer.retry.max-interval", "at least the initial interval",
						"waterhealer.retry.initial-interval=5s", "waterhealer.retry.max-interval=1s"),
				row("spring.kafka.consumer.enable-auto-commit", "set it to false",
						"spring.kafka.consumer.enable-auto-commit=true"),
				row("waterhealer.failure.dead-letter-suffix", "suffix such as -dlt", "waterhealer.failure.policy=dead_letter",
						"waterhealer.failure.dead-letter-suffix= "));
	}

	private static Arguments row(String property, String fix, String... settings) {
		return arguments(property, fix, List.of(settings));
	}

	@ParameterizedTest(name = "{2}")
	@MethodSource("invalidSettings")
	void anInvalidSettingStopsTheStartupNamingThePropertyAndTheFix(String property, String fix,
			List<String> settings) {
		this.runner.withPropertyValues(settings.toArray(String[]::new)).run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis).as("Spring Boot's failure analysis of %s", context.getStartupFailure()).isNotNull();
			String report = analysis.getDescription() + "\n" + analysis.getAction();
			assertThat(report).contains(property);
			assertThat(analysis.getAction()).contains(fix);
		});
	}

	@Test
	void everyPropertyIsCovered() throws IOException {
		List<String> covered = invalidSettings().map((row) -> (String) row.get()[0]).distinct().toList();
		try (InputStream in = BadConfigurationTests.class
			.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(in).as("generated configuration metadata").isNotNull();
			List<String> properties = JsonPath.read(in, "$.properties[*].name");
			List<String> waterhealer = properties.stream().filter((name) -> name.startsWith("waterhealer.")).toList();
			assertThat(waterhealer).hasSizeGreaterThan(30);
			assertThat(covered).containsAll(waterhealer);
		}
	}

	@Test
	void theValidDefaultsStartUp() {
		this.runner.run((context) -> assertThat(context).hasNotFailed());
	}

	/** The analysis Spring Boot would print, from the failure analyzers registered in spring.factories. */
	private static FailureAnalysis analyze(Throwable failure) {
		ArgumentResolver arguments = ArgumentResolver.of(BeanFactory.class, new DefaultListableBeanFactory())
			.and(Environment.class, new StandardEnvironment());
		return SpringFactoriesLoader.forDefaultResourceLocation(BadConfigurationTests.class.getClassLoader())
			.load(FailureAnalyzer.class, arguments, (factoryType, implementationName, ex) -> {
				// as Spring Boot does: an analyzer whose optional dependency is absent is left out
			})
			.stream()
			.map((analyzer) -> analyzer.analyze(failure))
			.filter(Objects::nonNull)
			.findFirst()
			.orElse(null);
	}

	@Configuration(proxyBeanMethods = false)
	static class Listener {

		@Bean
		Handler handler() {
			return new Handler();
		}

	}

	static class Handler {

		@HealingListener(id = "table", topics = "orders")
		void handle(String value) {
		}

	}

}
