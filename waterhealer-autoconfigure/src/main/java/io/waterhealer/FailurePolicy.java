package io.waterhealer;

/**
 * What a {@link HealingListener} does with a record whose attempts are exhausted (or whose failure is not
 * retryable, such as a record that cannot be deserialized). A failed record is never committed past silently.
 */
public enum FailurePolicy {

	/**
	 * Keep retrying with back-off; the committed position never passes the record. Other keys (or other records,
	 * when unordered) keep flowing as the ordering allows. water-healer's promise, and the default.
	 */
	HALT,

	/**
	 * Publish the record to a dead-letter topic ({@code <topic>-dlt} by default) with headers carrying the original
	 * topic, partition, offset, exception and attempts, then complete it. If publishing fails the record stays
	 * incomplete and publishing is retried.
	 */
	DEAD_LETTER,

	/**
	 * Log the record at ERROR (listener, topic, partition, offset, key, exception), then complete it.
	 */
	SKIP

}
