package io.waterhealer.kafka.worker;

import java.nio.charset.StandardCharsets;

import io.waterhealer.DeadLetterHeaders;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

/**
 * The headers a record carries on a retry tier, beside its own: where it came from, how it has failed so far and
 * when it is due. They are written as UTF-8 text, so that any tool that reads headers can show them, and they stay
 * on the record when it reaches the dead-letter topic, so that a replay sends it to the topic it really came from
 * and not to a tier.
 */
public final class RetryTierHeaders {

	/** The topic the record was first consumed from (never a tier's topic). */
	public static final String ORIGINAL_TOPIC = DeadLetterHeaders.RETRY_ORIGINAL_TOPIC;

	/** The partition of the record on its original topic. */
	public static final String ORIGINAL_PARTITION = "waterhealer-retry-original-partition";

	/** The offset of the record on its original topic. */
	public static final String ORIGINAL_OFFSET = "waterhealer-retry-original-offset";

	/** Attempts made so far over the original topic and every tier. */
	public static final String ATTEMPTS = "waterhealer-retry-attempts";

	/** When the record first failed, epoch milliseconds. */
	public static final String FIRST_FAILURE = "waterhealer-retry-first-failure";

	/** The class and message of the last failure. */
	public static final String EXCEPTION = "waterhealer-retry-exception";

	/** When the record may be attempted again, epoch milliseconds. */
	public static final String DUE = "waterhealer-retry-due";

	/** The name of the tier the record was published to ({@code 10s}). */
	public static final String TIER = "waterhealer-retry-tier";

	private RetryTierHeaders() {
	}

	/**
	 * The last value of a header as text.
	 * @param headers the record's headers
	 * @param name the header
	 * @return the value, or {@code null} when the record has none
	 */
	public static @Nullable String text(Headers headers, String name) {
		Header header = headers.lastHeader(name);
		return (header != null && header.value() != null) ? new String(header.value(), StandardCharsets.UTF_8) : null;
	}

	/**
	 * The last value of a header as a number.
	 * @param headers the record's headers
	 * @param name the header
	 * @param otherwise the value when the header is missing or not a number
	 * @return the value
	 */
	public static long number(Headers headers, String name, long otherwise) {
		String text = text(headers, name);
		if (text == null) {
			return otherwise;
		}
		try {
			return Long.parseLong(text.trim());
		}
		catch (NumberFormatException ex) {
			return otherwise;
		}
	}

	static boolean isTierHeader(String name) {
		return name.startsWith("waterhealer-retry-");
	}

}
