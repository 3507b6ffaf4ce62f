package io.waterhealer.metrics;

/**
 * What a record handed out and not yet complete is waiting for. An incomplete record is not by itself a problem: a
 * backlog is records {@link #QUEUED} behind busy workers, and only {@link #RETRY_WAIT} and {@link #FAILING} mean a
 * handler failed; the live ledger page draws them apart for that reason.
 */
public enum RecordState {

	/** Handed out, waiting for a free worker, for its key's or partition's lane, or for its batch to close. */
	QUEUED,

	/** Its handler was invoked and has not finished, including a returned completion not yet complete. */
	RUNNING,

	/** An attempt failed and the next one waits for its back-off. */
	RETRY_WAIT,

	/**
	 * It used its attempts (or failed in a way not retried) and is held: retried at the longest back-off under HALT,
	 * waiting for its dead-letter publication to succeed, or held by a dead-letter storm.
	 */
	FAILING

}
