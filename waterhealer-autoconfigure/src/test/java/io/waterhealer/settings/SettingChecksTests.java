package io.waterhealer.settings;

import java.time.Duration;
import java.util.List;

import io.waterhealer.FailurePolicy;
import io.waterhealer.InvalidHealingListenerException;
import io.waterhealer.Ordering;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The one place listener settings are checked: each check accepts the values it should and rejects the rest with
 * the message the properties side and the annotation side gave before the checks were gathered here, word for word
 * (the expected texts below are copied from those two places).
 */
class SettingChecksTests {

	private static final SettingName PARALLELISM = SettingName.property("waterhealer.listener.parallelism");

	private static final SettingName PARALLELISM_ATTRIBUTE = SettingName.attribute("orders", "parallelism",
			"or leave it empty for the default from waterhealer.listener.parallelism");

	@Test
	void countsAreAtLeastOne() {
		assertThat(SettingChecks.atLeastOne(PARALLELISM, 1)).isEqualTo(1);
		assertThat(SettingChecks.atLeastOne(PARALLELISM_ATTRIBUTE, " 12 ")).isEqualTo(12);
		assertRejected(() -> SettingChecks.atLeastOne(PARALLELISM, 0),
				"Property waterhealer.listener.parallelism is 0. Set it to a whole number of at least 1.");
		assertRejected(() -> SettingChecks.atLeastOne(PARALLELISM_ATTRIBUTE, " 0"),
				"@HealingListener 'orders': parallelism is ' 0'. Set it to a whole number of at least 1, or leave it "
						+ "empty for the default from waterhealer.listener.parallelism.");
		assertRejected(() -> SettingChecks.atLeastOne(PARALLELISM_ATTRIBUTE, "many"),
				"@HealingListener 'orders': parallelism is 'many'. Set it to a whole number of at least 1, or leave it "
						+ "empty for the default from waterhealer.listener.parallelism.");
	}

	@Test
	void attemptsAreAtLeastOneOrUnlimited() {
		SettingName property = SettingName.property("waterhealer.retry.max-attempts");
		SettingName attribute = SettingName.attribute("orders", "maxAttempts");
		assertThat(SettingChecks.maxAttempts(property, FailureSettings.UNLIMITED)).isEqualTo(-1);
		assertThat(SettingChecks.maxAttempts(attribute, " 3")).isEqualTo(3);
		assertThat(SettingChecks.maxAttempts(attribute, "-1")).isEqualTo(-1);
		assertRejected(() -> SettingChecks.maxAttempts(property, 0),
				"Property waterhealer.retry.max-attempts is 0. Set it to a whole number of at least 1, or -1 for unlimited.");
		assertRejected(() -> SettingChecks.maxAttempts(attribute, "-2"),
				"@HealingListener 'orders': maxAttempts is '-2'. Set it to a whole number of at least 1, or -1 for "
						+ "unlimited.");
	}

	@Test
	void spanIsNotBelowInFlight() {
		SettingName span = SettingName.property("waterhealer.listener.max-span");
		SettingName inFlight = SettingName.property("waterhealer.listener.max-in-flight");
		assertThat(SettingChecks.maxSpan(span, 10, inFlight, 10)).isEqualTo(10);
		assertRejected(() -> SettingChecks.maxSpan(span, 9, inFlight, 10),
				"Property waterhealer.listener.max-span is 9, below waterhealer.listener.max-in-flight (10). Set it to "
						+ "at least max-in-flight; the default is 1048576.");
	}

	@Test
	void metadataLimitIsZeroOrMore() {
		SettingName name = SettingName.property("waterhealer.listener.metadata-max-bytes");
		assertThat(SettingChecks.metadataMaxChars(name, 0)).isZero();
		assertRejected(() -> SettingChecks.metadataMaxChars(name, -1),
				"Property waterhealer.listener.metadata-max-bytes is -1. Set it to 0 (no metadata) or up to the "
						+ "broker's offset.metadata.max.bytes (4096 by default).");
	}

	@Test
	void intervalsArePositive() {
		SettingName property = SettingName.property("waterhealer.listener.commit-interval");
		assertThat(SettingChecks.positive(property, Duration.ofMillis(1))).isEqualTo(Duration.ofMillis(1));
		assertRejected(() -> SettingChecks.positive(property, Duration.ZERO),
				"Property waterhealer.listener.commit-interval is PT0S. Set it to a positive duration, e.g. 1s or 500ms.");
		SettingName attribute = SettingName.attribute("orders", "batchTimeout",
				"or leave it empty for waterhealer.batch.timeout");
		assertThat(SettingChecks.positive(attribute, "2s", (text) -> Duration.ofSeconds(2)))
			.isEqualTo(Duration.ofSeconds(2));
		String rejected = "@HealingListener 'orders': batchTimeout is 'soon'. Set a positive duration such as 500ms or "
				+ "2s, or leave it empty for waterhealer.batch.timeout.";
		assertRejected(() -> SettingChecks.positive(attribute, "soon", (text) -> {
			throw new IllegalArgumentException(text);
		}), rejected);
		assertRejected(() -> SettingChecks.positive(attribute, "soon", (text) -> Duration.ofSeconds(-1)), rejected);
	}

	@Test
	void waitsMayBeZero() {
		SettingName name = SettingName.property("waterhealer.listener.drain-timeout");
		assertThat(SettingChecks.notNegative(name, Duration.ZERO, "5s")).isZero();
		assertRejected(() -> SettingChecks.notNegative(name, Duration.ofSeconds(-1), "5s"),
				"Property waterhealer.listener.drain-timeout is PT-1S. Set it to zero or a positive duration, e.g. 5s.");
	}

	@Test
	void backOffGrowsAndIsCapped() {
		SettingName multiplier = SettingName.property("waterhealer.retry.multiplier");
		assertThat(SettingChecks.multiplier(multiplier, 1.0)).isEqualTo(1.0);
		for (double wrong : new double[] { 0.5, Double.NaN, Double.POSITIVE_INFINITY }) {
			assertRejected(() -> SettingChecks.multiplier(multiplier, wrong), "Property waterhealer.retry.multiplier is "
					+ wrong + ". Set it to 1 (fixed back-off) or more (exponential back-off).");
		}
		SettingName max = SettingName.property("waterhealer.retry.max-interval");
		SettingName initial = SettingName.property("waterhealer.retry.initial-interval");
		assertRejected(() -> SettingChecks.maxInterval(max, Duration.ofMillis(50), initial, Duration.ofMillis(100)),
				"Property waterhealer.retry.max-interval is PT0.05S, shorter than waterhealer.retry.initial-interval "
						+ "(PT0.1S). Set it to at least the initial interval.");
	}

	@Test
	void deadLetterSuffixMakesAnotherLegalTopic() {
		SettingName name = SettingName.property("waterhealer.failure.dead-letter-suffix");
		assertThat(SettingChecks.deadLetterSuffix(name, ".DLT_1")).isEqualTo(".DLT_1");
		String empty = "Property waterhealer.failure.dead-letter-suffix is empty, so dead letters would go back to the "
				+ "topic they came from. Set a suffix such as -dlt, or name a deadLetterTopic on the listener.";
		assertRejected(() -> SettingChecks.deadLetterSuffix(name, " "), empty);
		assertRejected(() -> SettingChecks.deadLetterSuffix(name, null), empty);
		assertRejected(() -> SettingChecks.deadLetterSuffix(name, "-d/lt"),
				"Property waterhealer.failure.dead-letter-suffix is '-d/lt', which Kafka does not allow in a topic name. "
						+ "Use only letters, digits, '.', '_' and '-', e.g. -dlt.");
	}

	@Test
	@SuppressWarnings({ "unchecked", "rawtypes" })
	void exceptionTypesAreExceptions() {
		SettingName name = SettingName.property("waterhealer.retry.not-retryable");
		assertThat(SettingChecks.exceptionTypes(name, List.of(IllegalStateException.class)))
			.containsExactly(IllegalStateException.class);
		List wrong = List.of(String.class);
		assertRejected(() -> SettingChecks.exceptionTypes(name, wrong),
				"Property waterhealer.retry.not-retryable names java.lang.String, which is not an exception, so it would "
						+ "never match. List exception classes only, e.g. java.lang.IllegalArgumentException.");
	}

	@Test
	void enumAttributesNameOneConstant() {
		SettingName ordering = SettingName.attribute("orders", "ordering");
		assertThat(SettingChecks.oneOf(ordering, new Ordering[0], Ordering.KEY)).isEqualTo(Ordering.KEY);
		assertThat(SettingChecks.oneOf(ordering, new Ordering[] { Ordering.UNORDERED }, Ordering.KEY))
			.isEqualTo(Ordering.UNORDERED);
		assertRejected(
				() -> SettingChecks.oneOf(ordering, new Ordering[] { Ordering.KEY, Ordering.PARTITION }, Ordering.KEY),
				"@HealingListener 'orders': ordering names [KEY, PARTITION]. Choose one of KEY, PARTITION or UNORDERED.");
		SettingName policy = SettingName.attribute("orders", "failurePolicy");
		assertRejected(() -> SettingChecks.oneOf(policy, FailurePolicy.values(), FailurePolicy.HALT),
				"@HealingListener 'orders': failurePolicy names [HALT, DEAD_LETTER, SKIP]. Choose one of HALT, "
						+ "DEAD_LETTER or SKIP.");
	}

	@Test
	void switchesAreTrueOrFalse() {
		SettingName property = SettingName.property("waterhealer.enabled");
		SettingName debug = SettingName.attribute("orders", "debug", "or leave it empty for the default");
		SettingName autoStartup = SettingName.attribute("orders", "autoStartup", "or leave it empty");
		assertThat(SettingChecks.bool(property, "TRUE")).isTrue();
		assertThat(SettingChecks.bool(autoStartup, " false ")).isFalse();
		assertRejected(() -> SettingChecks.bool(property, "yes"),
				"Property waterhealer.enabled is 'yes', not a boolean. Set it to true or false.");
		assertRejected(() -> SettingChecks.bool(debug, "on"),
				"@HealingListener 'orders': debug is 'on'. Set it to true or false, or leave it empty for the default.");
		assertRejected(() -> SettingChecks.bool(autoStartup, " on"),
				"@HealingListener 'orders': autoStartup is ' on'. Set it to true or false, or leave it empty.");
	}

	@Test
	void exitCodeIsAFailureStatus() {
		SettingName name = SettingName.property("waterhealer.shutdown.exit-code");
		assertThat(SettingChecks.exitCode(name, 255)).isEqualTo(255);
		assertRejected(() -> SettingChecks.exitCode(name, 0),
				"Property waterhealer.shutdown.exit-code is 0. Set a non-zero status, so that Kubernetes or systemd sees "
						+ "the exit as a failure and restarts the application.");
		assertRejected(() -> SettingChecks.exitCode(name, 256),
				"Property waterhealer.shutdown.exit-code is 256, outside 1..255, so the orchestrator would see the status "
						+ "modulo 256 (0). Set a status from 1 to 255, e.g. 1.");
	}

	private static void assertRejected(ThrowingCallable check, String message) {
		assertThatExceptionOfType(InvalidHealingListenerException.class).isThrownBy(check)
			.withMessage(message);
	}

}
