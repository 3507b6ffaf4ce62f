package io.waterhealer.settings;

import java.util.List;

import io.waterhealer.FailurePolicy;
import org.jspecify.annotations.Nullable;

/**
 * How one listener retries a failed record and what it does when the attempts are exhausted.
 *
 * @param policy what happens after the last attempt
 * @param maxAttempts attempts per record, the first included; {@link #UNLIMITED} for no limit
 * @param backOff delay between attempts
 * @param notRetryable exception types that skip the retries
 * @param deadLetterTopic fixed dead-letter topic, or {@code null} for the record's topic plus the suffix
 * @param deadLetterSuffix suffix of the default dead-letter topic
 * @param fatal exception types that make the application shut down (see {@code waterhealer.shutdown.*})
 * @param stormThreshold records in a row that reach DEAD_LETTER or SKIP with the same exception type before the
 * listener stops applying the policy and pauses; 0 for never
 * @param tiers retry topics a record is parked on after its attempts, before the policy applies
 */
public record FailureSettings(FailurePolicy policy, int maxAttempts, RetryBackOff backOff,
		List<Class<? extends Throwable>> notRetryable, @Nullable String deadLetterTopic, String deadLetterSuffix,
		List<Class<? extends Throwable>> fatal, int stormThreshold, RetryTiers tiers) {

	/** Value of {@code maxAttempts} that means: retry until the record succeeds. */
	public static final int UNLIMITED = -1;

	/** Default policy. */
	public static final FailurePolicy DEFAULT_POLICY = FailurePolicy.HALT;

	/** Default attempts per record before the policy applies (spring-kafka's DefaultErrorHandler also makes 10). */
	public static final int DEFAULT_MAX_ATTEMPTS = 10;

	/** Default dead-letter topic suffix. */
	public static final String DEFAULT_DEAD_LETTER_SUFFIX = "-dlt";

	/**
	 * Default records in a row that stop the policy: a few bad records pass, a topic-wide mistake costs at most this
	 * many dead letters.
	 */
	public static final int DEFAULT_STORM_THRESHOLD = 100;

	/** The defaults. */
	public static final FailureSettings DEFAULT = new FailureSettings(DEFAULT_POLICY, DEFAULT_MAX_ATTEMPTS,
			RetryBackOff.DEFAULT, List.of(), null, DEFAULT_DEAD_LETTER_SUFFIX, List.of());

	/**
	 * Settings with the default storm threshold.
	 * @param policy what happens after the last attempt
	 * @param maxAttempts attempts per record, the first included
	 * @param backOff delay between attempts
	 * @param notRetryable exception types that skip the retries
	 * @param deadLetterTopic fixed dead-letter topic, or {@code null}
	 * @param deadLetterSuffix suffix of the default dead-letter topic
	 * @param fatal exception types that make the application shut down
	 */
	public FailureSettings(FailurePolicy policy, int maxAttempts, RetryBackOff backOff,
			List<Class<? extends Throwable>> notRetryable, @Nullable String deadLetterTopic, String deadLetterSuffix,
			List<Class<? extends Throwable>> fatal) {
		this(policy, maxAttempts, backOff, notRetryable, deadLetterTopic, deadLetterSuffix, fatal,
				DEFAULT_STORM_THRESHOLD);
	}

	/**
	 * Settings without retry tiers.
	 * @param policy what happens after the last attempt
	 * @param maxAttempts attempts per record, the first included
	 * @param backOff delay between attempts
	 * @param notRetryable exception types that skip the retries
	 * @param deadLetterTopic fixed dead-letter topic, or {@code null}
	 * @param deadLetterSuffix suffix of the default dead-letter topic
	 * @param fatal exception types that make the application shut down
	 * @param stormThreshold records in a row that stop the policy; 0 for never
	 */
	public FailureSettings(FailurePolicy policy, int maxAttempts, RetryBackOff backOff,
			List<Class<? extends Throwable>> notRetryable, @Nullable String deadLetterTopic, String deadLetterSuffix,
			List<Class<? extends Throwable>> fatal, int stormThreshold) {
		this(policy, maxAttempts, backOff, notRetryable, deadLetterTopic, deadLetterSuffix, fatal, stormThreshold,
				RetryTiers.NONE);
	}

	/**
	 * These settings with other retry tiers.
	 * @param retryTiers the tiers
	 * @return the new settings
	 */
	public FailureSettings withTiers(RetryTiers retryTiers) {
		return new FailureSettings(this.policy, this.maxAttempts, this.backOff, this.notRetryable,
				this.deadLetterTopic, this.deadLetterSuffix, this.fatal, this.stormThreshold, retryTiers);
	}

	/**
	 * Whether the attempts are used up.
	 * @param failedAttempts attempts that failed so far
	 * @return whether the policy applies now
	 */
	public boolean exhausted(int failedAttempts) {
		return this.maxAttempts != UNLIMITED && failedAttempts >= this.maxAttempts;
	}

	/**
	 * Whether a failure skips the retries.
	 * @param failure the failure
	 * @return whether it is not retryable
	 */
	public boolean isNotRetryable(Throwable failure) {
		for (Class<? extends Throwable> type : this.notRetryable) {
			if (type.isInstance(failure)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether a failure is one the application declared fatal.
	 * @param failure the failure
	 * @return whether the application should shut down
	 */
	public boolean isFatal(Throwable failure) {
		for (Class<? extends Throwable> type : this.fatal) {
			if (type.isInstance(failure)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The dead-letter topic for a record of {@code topic}.
	 * @param topic the record's topic
	 * @return the topic to publish to
	 */
	public String deadLetterTopicFor(String topic) {
		return (this.deadLetterTopic != null) ? this.deadLetterTopic : topic + this.deadLetterSuffix;
	}

}
