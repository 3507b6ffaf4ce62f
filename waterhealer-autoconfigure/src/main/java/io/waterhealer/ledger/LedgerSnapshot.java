package io.waterhealer.ledger;

import org.apache.kafka.common.TopicPartition;

/**
 * A consistent picture of one partition's ledger at one moment.
 *
 * @param topicPartition the partition
 * @param position the committable position, -1 before the first hand-out
 * @param committed the last position Kafka acknowledged as committed by this assignment, -1 when none yet
 * @param end one past the highest offset handed out or fetched past
 * @param incomplete offsets handed out and not yet complete (in flight, waiting, or being retried)
 * @param failed incomplete offsets whose processing failed at least once
 * @param completedTotal completions accepted by this ledger since the partition was assigned
 * @param highestCompleted the highest offset completed by this assignment, -1 when none
 * @param oldestIncompleteNanos {@link System#nanoTime()} at which the oldest incomplete record was handed out (to
 * within one poll), 0 when nothing is incomplete or times were not given
 * @param closed whether the partition was revoked
 */
public record LedgerSnapshot(TopicPartition topicPartition, long position, long committed, long end, int incomplete,
		int failed, long completedTotal, long highestCompleted, long oldestIncompleteNanos, boolean closed) {

	/**
	 * Offsets between the position and the end that need no more work: completed out of order or holes. These are
	 * what a restart would process again if they were not recorded in the commit metadata.
	 * @return completed offsets beyond the lowest incomplete one
	 */
	public long completedBeyondPosition() {
		return (this.position < 0) ? 0 : (this.end - this.position) - this.incomplete;
	}

}
