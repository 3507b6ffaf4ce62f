package io.waterhealer.settings;

import java.time.Duration;

/**
 * How a batch listener's batches are formed and checked.
 *
 * @param size records at which a batch closes
 * @param timeout time after its first record at which a batch closes, however few records it has
 * @param checkLeakage whether the method's result must account for every record of its batch
 */
public record BatchSettings(int size, Duration timeout, boolean checkLeakage) {

	/** Default batch size. */
	public static final int DEFAULT_SIZE = 100;

	/** Default time a batch waits for more records. */
	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

	/** The defaults. */
	public static final BatchSettings DEFAULT = new BatchSettings(DEFAULT_SIZE, DEFAULT_TIMEOUT, false);

}
