package io.waterhealer.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import io.waterhealer.autoconfigure.WaterhealerProperties.Batch;
import io.waterhealer.autoconfigure.WaterhealerProperties.Failure;
import io.waterhealer.autoconfigure.WaterhealerProperties.Listener;
import io.waterhealer.autoconfigure.WaterhealerProperties.Retry;
import io.waterhealer.autoconfigure.WaterhealerProperties.Shutdown;
import io.waterhealer.settings.BatchSettings;
import io.waterhealer.settings.FailureSettings;
import io.waterhealer.settings.ListenerSettings;
import io.waterhealer.settings.RetryBackOff;
import io.waterhealer.settings.RetryTiers;
import io.waterhealer.settings.SettingChecks;
import io.waterhealer.settings.SettingName;
import io.waterhealer.settings.ShutdownSettings;

import org.springframework.boot.context.properties.PropertyMapper;

/**
 * Maps the bound {@link WaterhealerProperties} to the settings the listeners and the health checks run with, the
 * way Spring Boot's own configurers map {@code spring.kafka.*} onto a container factory. Every value goes through its
 * check in {@link SettingChecks} under its property name, so that a wrong value stops the start-up with the property
 * to fix; the properties class itself only binds and documents. The checks run in the order of the settings, so the
 * first wrong one is the one reported.
 */
final class WaterhealerSettingsMapper {

	private final PropertyMapper map = PropertyMapper.get();

	private final WaterhealerProperties properties;

	WaterhealerSettingsMapper(WaterhealerProperties properties) {
		this.properties = properties;
	}

	/**
	 * The defaults for every listener, which annotation attributes override.
	 * @return the checked settings, with {@code *} as the id
	 */
	ListenerSettings listenerDefaults() {
		Listener listener = this.properties.getListener();
		int parallelism = checked(listener::getParallelism,
				(value) -> SettingChecks.atLeastOne(property("waterhealer.listener.parallelism"), value));
		int concurrency = checked(listener::getConcurrency,
				(value) -> SettingChecks.atLeastOne(property("waterhealer.listener.concurrency"), value));
		SettingName maxInFlightName = property("waterhealer.listener.max-in-flight");
		int maxInFlight = checked(listener::getMaxInFlight, (value) -> SettingChecks.atLeastOne(maxInFlightName, value));
		long maxSpan = checked(listener::getMaxSpan, (value) -> SettingChecks
			.maxSpan(property("waterhealer.listener.max-span"), value, maxInFlightName, maxInFlight));
		Duration commitInterval = checked(listener::getCommitInterval,
				(value) -> SettingChecks.positive(property("waterhealer.listener.commit-interval"), value));
		Duration drainTimeout = checked(listener::getDrainTimeout,
				(value) -> SettingChecks.notNegative(property("waterhealer.listener.drain-timeout"), value, "5s"));
		RetryBackOff backOff = backOff();
		Retry retry = this.properties.getRetry();
		int maxAttempts = checked(retry::getMaxAttempts,
				(value) -> SettingChecks.maxAttempts(property("waterhealer.retry.max-attempts"), value));
		int metadataMaxChars = checked(listener::getMetadataMaxBytes,
				(value) -> SettingChecks.metadataMaxChars(property("waterhealer.listener.metadata-max-bytes"), value));
		Failure failure = this.properties.getFailure();
		String deadLetterSuffix = checked(failure::getDeadLetterSuffix,
				(value) -> SettingChecks.deadLetterSuffix(property("waterhealer.failure.dead-letter-suffix"), value));
		List<Class<? extends Throwable>> notRetryable = checked(retry::getNotRetryable,
				(value) -> SettingChecks.exceptionTypes(property("waterhealer.retry.not-retryable"), value));
		List<Class<? extends Throwable>> fatal = checked(this.properties.getShutdown()::getFatalExceptions,
				(value) -> SettingChecks.exceptionTypes(property("waterhealer.shutdown.fatal-exceptions"), value));
		int stormThreshold = checked(failure::getStormThreshold,
				(value) -> SettingChecks.stormThreshold(property("waterhealer.failure.storm-threshold"), value));
		String tierSuffix = checked(retry::getTopicSuffix,
				(value) -> SettingChecks.retryTopicSuffix(property("waterhealer.retry.topic-suffix"), value));
		RetryTiers tiers = SettingChecks.retryTiers(property("waterhealer.retry.topics"), retry.getTopics(),
				tierSuffix);
		FailureSettings failureSettings = new FailureSettings(failure.getPolicy(), maxAttempts, backOff, notRetryable,
				null, deadLetterSuffix, fatal, stormThreshold, tiers);
		return new ListenerSettings("*", parallelism, listener.getOrdering(), concurrency, maxInFlight, maxSpan,
				commitInterval, drainTimeout, metadataMaxChars, failureSettings, listener.isDebug(), batch(),
				checked(listener::getCompletionTimeout, (value) -> SettingChecks
					.notNegative(property("waterhealer.listener.completion-timeout"), value, "5m")))
			.withRate(this.map.from(listener::getRate)
				.as((text) -> SettingChecks.rate(property("waterhealer.listener.rate"), text))
				.toInstance(Function.identity()));
	}

	/**
	 * The health checks and the shutdown after a listener stays DOWN.
	 * @return the checked settings
	 */
	ShutdownSettings shutdownSettings() {
		Shutdown shutdown = this.properties.getShutdown();
		Duration interval = checked(shutdown::getInterval,
				(value) -> SettingChecks.positive(property("waterhealer.shutdown.interval"), value));
		Duration stallTimeout = checked(shutdown::getStallTimeout,
				(value) -> SettingChecks.positive(property("waterhealer.shutdown.stall-timeout"), value));
		Duration brokerTimeout = checked(shutdown::getBrokerTimeout,
				(value) -> SettingChecks.positive(property("waterhealer.shutdown.broker-timeout"), value));
		Duration delay = checked(shutdown::getDelay,
				(value) -> SettingChecks.notNegative(property("waterhealer.shutdown.delay"), value, "15s"));
		int exitCode = checked(shutdown::getExitCode,
				(value) -> SettingChecks.exitCode(property("waterhealer.shutdown.exit-code"), value));
		return new ShutdownSettings(shutdown.isEnabled(), interval, stallTimeout, brokerTimeout, delay, exitCode);
	}

	private RetryBackOff backOff() {
		Retry retry = this.properties.getRetry();
		SettingName initialName = property("waterhealer.retry.initial-interval");
		Duration initial = checked(retry::getInitialInterval, (value) -> SettingChecks.positive(initialName, value));
		double multiplier = checked(retry::getMultiplier,
				(value) -> SettingChecks.multiplier(property("waterhealer.retry.multiplier"), value));
		Duration max = checked(retry::getMaxInterval, (value) -> SettingChecks
			.maxInterval(property("waterhealer.retry.max-interval"), value, initialName, initial));
		return new RetryBackOff(initial, multiplier, max);
	}

	private BatchSettings batch() {
		Batch batch = this.properties.getBatch();
		int size = checked(batch::getSize, (value) -> SettingChecks.atLeastOne(property("waterhealer.batch.size"), value));
		Duration timeout = checked(batch::getTimeout,
				(value) -> SettingChecks.positive(property("waterhealer.batch.timeout"), value));
		return new BatchSettings(size, timeout, batch.isCheckLeakage());
	}

	private <T> T checked(Supplier<T> property, Function<T, T> check) {
		return this.map.from(property).as(check::apply).toInstance(Function.identity());
	}

	private static SettingName property(String name) {
		return SettingName.property(name);
	}

}
