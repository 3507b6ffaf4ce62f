package io.waterhealer.autoconfigure;

import java.time.Duration;
import java.util.List;

import io.waterhealer.FailurePolicy;
import io.waterhealer.InvalidHealingListenerException;
import io.waterhealer.Ordering;
import io.waterhealer.settings.BatchSettings;
import io.waterhealer.settings.FailureSettings;
import io.waterhealer.settings.ListenerSettings;
import io.waterhealer.settings.RateLimit;
import io.waterhealer.settings.RetryBackOff;
import io.waterhealer.settings.ShutdownSettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Every bound property lands in its own setting, and with several wrong values the first in the order of the
 * properties is the one reported (the order the checks ran in when they lived in {@link WaterhealerProperties}).
 * The mapper is reached through the properties' {@code toListenerDefaults()} and {@code toShutdownSettings()},
 * which the auto-configurations call, so that this test also ran against the checks before they moved.
 */
class WaterhealerSettingsMapperTests {

	private final WaterhealerProperties properties = new WaterhealerProperties();

	@Test
	void eachPropertyLandsInItsSetting() {
		WaterhealerProperties.Listener listener = this.properties.getListener();
		listener.setParallelism(3);
		listener.setOrdering(Ordering.PARTITION);
		listener.setConcurrency(4);
		listener.setMaxInFlight(5);
		listener.setMaxSpan(6);
		listener.setCommitInterval(Duration.ofMillis(7));
		listener.setDrainTimeout(Duration.ofMillis(8));
		listener.setCompletionTimeout(Duration.ofMillis(15));
		listener.setMetadataMaxBytes(9);
		listener.setDebug(true);
		WaterhealerProperties.Retry retry = this.properties.getRetry();
		retry.setInitialInterval(Duration.ofMillis(10));
		retry.setMultiplier(1.5);
		retry.setMaxInterval(Duration.ofMillis(11));
		retry.setMaxAttempts(12);
		retry.setNotRetryable(List.of(IllegalStateException.class));
		this.properties.getFailure().setPolicy(FailurePolicy.SKIP);
		this.properties.getFailure().setDeadLetterSuffix(".parked");
		this.properties.getFailure().setStormThreshold(15);
		this.properties.getShutdown().setFatalExceptions(List.of(OutOfMemoryError.class));
		this.properties.getBatch().setSize(13);
		this.properties.getBatch().setTimeout(Duration.ofMillis(14));
		this.properties.getBatch().setCheckLeakage(true);
		assertThat(this.properties.toListenerDefaults()).isEqualTo(new ListenerSettings(
				"*", 3, Ordering.PARTITION, 4, 5, 6, Duration.ofMillis(7), Duration.ofMillis(8), 9,
				new FailureSettings(FailurePolicy.SKIP, 12,
						new RetryBackOff(Duration.ofMillis(10), 1.5, Duration.ofMillis(11)),
						List.of(IllegalStateException.class), null, ".parked", List.of(OutOfMemoryError.class), 15),
				true, new BatchSettings(13, Duration.ofMillis(14), true), Duration.ofMillis(15)));
	}

	@Test
	void aNegativeCompletionTimeoutNamesThePropertyAndZeroMeansNone() {
		this.properties.getListener().setCompletionTimeout(Duration.ZERO);
		assertThat(this.properties.toListenerDefaults().completionTimeout()).isZero();
		this.properties.getListener().setCompletionTimeout(Duration.ofSeconds(-1));
		assertThatExceptionOfType(InvalidHealingListenerException.class)
			.isThrownBy(() -> this.properties.toListenerDefaults())
			.withMessage("Property waterhealer.listener.completion-timeout is PT-1S. Set it to zero or a positive duration, "
					+ "e.g. 5m.");
	}

	@Test
	void theRatePropertyIsReadAndAWrongOneNamesThePropertyAndTheForms() {
		this.properties.getListener().setRate("250/s");
		assertThat(this.properties.toListenerDefaults().rate()).isEqualTo(RateLimit.parse("250/s"));
		this.properties.getListener().setRate("250");
		assertThatExceptionOfType(InvalidHealingListenerException.class)
			.isThrownBy(() -> this.properties.toListenerDefaults())
			.withMessage("Property waterhealer.listener.rate is '250'. Write N/s, N/m or N/h with N a whole number of "
					+ "at least 1 (e.g. 500/s), or unlimited.");
	}

	@Test
	void eachShutdownPropertyLandsInItsSetting() {
		WaterhealerProperties.Shutdown shutdown = this.properties.getShutdown();
		shutdown.setEnabled(false);
		shutdown.setInterval(Duration.ofMillis(1));
		shutdown.setStallTimeout(Duration.ofMillis(2));
		shutdown.setBrokerTimeout(Duration.ofMillis(3));
		shutdown.setDelay(Duration.ZERO);
		shutdown.setExitCode(4);
		assertThat(this.properties.toShutdownSettings()).isEqualTo(new ShutdownSettings(
				false, Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(3), Duration.ZERO, 4));
	}

	@Test
	void theFirstWrongListenerPropertyIsReported() {
		this.properties.getBatch().setSize(0);
		assertFirstWrong("waterhealer.batch.size");
		this.properties.getFailure().setStormThreshold(-1);
		assertFirstWrong("waterhealer.failure.storm-threshold");
		this.properties.getFailure().setDeadLetterSuffix("");
		assertFirstWrong("waterhealer.failure.dead-letter-suffix");
		this.properties.getListener().setMetadataMaxBytes(-1);
		assertFirstWrong("waterhealer.listener.metadata-max-bytes");
		this.properties.getRetry().setMaxAttempts(0);
		assertFirstWrong("waterhealer.retry.max-attempts");
		this.properties.getRetry().setMultiplier(0);
		assertFirstWrong("waterhealer.retry.multiplier");
		this.properties.getListener().setDrainTimeout(Duration.ofSeconds(-1));
		assertFirstWrong("waterhealer.listener.drain-timeout");
		this.properties.getListener().setMaxSpan(1);
		assertFirstWrong("waterhealer.listener.max-span");
		this.properties.getListener().setParallelism(0);
		assertFirstWrong("waterhealer.listener.parallelism");
	}

	@Test
	void theFirstWrongShutdownPropertyIsReported() {
		this.properties.getShutdown().setExitCode(0);
		this.properties.getShutdown().setDelay(Duration.ofSeconds(-1));
		this.properties.getShutdown().setInterval(Duration.ZERO);
		assertThatExceptionOfType(InvalidHealingListenerException.class)
			.isThrownBy(() -> this.properties.toShutdownSettings())
			.satisfies((ex) -> assertThat(ex.getSetting()).isEqualTo("waterhealer.shutdown.interval"));
	}

	@Test
	void aNegativeStormThresholdSaysThatZeroTurnsTheGuardOff() {
		this.properties.getFailure().setStormThreshold(-1);
		assertThatExceptionOfType(InvalidHealingListenerException.class)
			.isThrownBy(() -> this.properties.toListenerDefaults())
			.withMessageContaining("waterhealer.failure.storm-threshold")
			.withMessageContaining("is -1")
			.withMessageContaining("or 0 to turn the dead-letter storm guard off");
	}

	@Test
	void theStormThresholdDefaultsToTheCoresDefault() {
		assertThat(this.properties.toListenerDefaults().failure().stormThreshold())
			.isEqualTo(FailureSettings.DEFAULT_STORM_THRESHOLD)
			.isEqualTo(100);
	}

	private void assertFirstWrong(String property) {
		assertThatExceptionOfType(InvalidHealingListenerException.class)
			.isThrownBy(() -> this.properties.toListenerDefaults())
			.satisfies((ex) -> assertThat(ex.getSetting()).isEqualTo(property));
	}

}
