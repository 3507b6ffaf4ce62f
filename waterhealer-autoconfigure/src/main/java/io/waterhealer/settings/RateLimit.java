package io.waterhealer.settings;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * How many records a listener may start per second, minute or hour on this instance, to protect what its handler
 * calls (a database, a partner's API); or no limit.
 * <p>
 * The text forms are {@code N/s}, {@code N/m} and {@code N/h} with {@code N} a whole number of at least 1, and
 * {@code unlimited}. They are the same in the {@code rate} attribute, the {@code waterhealer.listener.rate} property
 * and a live change, so that what an operator reads back ({@link #toString()}) can be written again as is.
 *
 * @param permits records per {@code unit}; 0 for no limit
 * @param unit seconds, minutes or hours
 */
public record RateLimit(long permits, TimeUnit unit) {

	/** The text of no limit. */
	public static final String UNLIMITED_TEXT = "unlimited";

	/** What a rate may be written as, for error messages. */
	public static final String FORMS = "N/s, N/m or N/h with N a whole number of at least 1 (e.g. 500/s), or "
			+ UNLIMITED_TEXT;

	private static final RateLimit UNLIMITED = new RateLimit(0, TimeUnit.SECONDS);

	/**
	 * Check the limit; every unlimited rate gets the unit seconds, so that all of them are equal.
	 * @param permits records per {@code unit}; 0 for no limit
	 * @param unit seconds, minutes or hours
	 * @throws IllegalArgumentException when {@code permits} is negative or the unit is another one
	 */
	public RateLimit {
		if (permits < 0) {
			throw new IllegalArgumentException("A rate limit cannot be negative, but was " + permits);
		}
		if (unit != TimeUnit.SECONDS && unit != TimeUnit.MINUTES && unit != TimeUnit.HOURS) {
			throw new IllegalArgumentException("A rate limit is per second, minute or hour, not per " + unit);
		}
		if (permits == 0) {
			// no limit is no limit whatever the unit, so that every unlimited rate is equal
			unit = TimeUnit.SECONDS;
		}
	}

	/**
	 * No limit: records start as soon as their ordering and a worker allow.
	 * @return the limit that limits nothing
	 */
	public static RateLimit unlimited() {
		return UNLIMITED;
	}

	/**
	 * Read a rate from its text form.
	 * @param text {@code N/s}, {@code N/m}, {@code N/h} or {@code unlimited}; surrounding spaces and case are ignored
	 * @return the rate
	 * @throws IllegalArgumentException naming the text and the accepted forms when it is none of them
	 */
	public static RateLimit parse(String text) {
		String trimmed = text.trim().toLowerCase(Locale.ROOT);
		if (UNLIMITED_TEXT.equals(trimmed)) {
			return UNLIMITED;
		}
		int slash = trimmed.indexOf('/');
		if (slash > 0 && slash == trimmed.length() - 2) {
			TimeUnit unit = unit(trimmed.charAt(slash + 1));
			long permits = wholeNumber(trimmed.substring(0, slash).trim());
			if (unit != null && permits >= 1) {
				return new RateLimit(permits, unit);
			}
		}
		throw new IllegalArgumentException("'" + text + "' is no rate; write " + FORMS);
	}

	/**
	 * Whether this limits nothing.
	 * @return whether records start without waiting for a token
	 */
	public boolean isUnlimited() {
		return this.permits == 0;
	}

	/**
	 * The rate as records per second, which is what a token bucket refills with.
	 * @return records per second; {@link Double#POSITIVE_INFINITY} when unlimited
	 */
	public double perSecond() {
		if (isUnlimited()) {
			return Double.POSITIVE_INFINITY;
		}
		return (double) this.permits / this.unit.toSeconds(1);
	}

	/**
	 * The text form, which {@link #parse} reads back.
	 * @return e.g. {@code 500/s}, or {@code unlimited}
	 */
	@Override
	public String toString() {
		if (isUnlimited()) {
			return UNLIMITED_TEXT;
		}
		char unit = switch (this.unit) {
			case MINUTES -> 'm';
			case HOURS -> 'h';
			default -> 's';
		};
		return this.permits + "/" + unit;
	}

	private static @Nullable TimeUnit unit(char letter) {
		return switch (letter) {
			case 's' -> TimeUnit.SECONDS;
			case 'm' -> TimeUnit.MINUTES;
			case 'h' -> TimeUnit.HOURS;
			default -> null;
		};
	}

	/** The number, or -1 when the text is not plain ASCII digits of a sane length (no sign, no spaces, no '1e3'). */
	private static long wholeNumber(String digits) {
		if (digits.isEmpty() || digits.length() > 12) {
			return -1;
		}
		for (int i = 0; i < digits.length(); i++) {
			char digit = digits.charAt(i);
			if (digit < '0' || digit > '9') {
				return -1;
			}
		}
		return Long.parseLong(digits);
	}

}
