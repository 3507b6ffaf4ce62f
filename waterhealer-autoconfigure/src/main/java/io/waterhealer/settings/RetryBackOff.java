package io.waterhealer.settings;

import java.time.Duration;

/**
 * Exponential back-off between attempts of a failed record: {@code initial * multiplier^(attempt-1)}, capped at
 * {@code max}. A multiplier of 1 gives a fixed back-off.
 *
 * @param initial delay before the second attempt
 * @param multiplier growth of the delay per attempt
 * @param max the longest delay
 */
public record RetryBackOff(Duration initial, double multiplier, Duration max) {

	/** Default delay before the first retry. */
	public static final Duration DEFAULT_INITIAL = Duration.ofMillis(100);

	/** Default growth of the delay per attempt. */
	public static final double DEFAULT_MULTIPLIER = 2.0;

	/** Default longest delay between attempts. */
	public static final Duration DEFAULT_MAX = Duration.ofSeconds(10);

	/** The default back-off. */
	public static final RetryBackOff DEFAULT = new RetryBackOff(DEFAULT_INITIAL, DEFAULT_MULTIPLIER, DEFAULT_MAX);

	/**
	 * The delay after a given failed attempt.
	 * @param failedAttempts how many attempts failed so far (at least 1)
	 * @return delay in milliseconds
	 */
	public long delayMillis(int failedAttempts) {
		double delay = this.initial.toMillis() * Math.pow(this.multiplier, Math.max(0, failedAttempts - 1));
		return (long) Math.min(delay, (double) this.max.toMillis());
	}

}
