package io.waterhealer.ledger;

import org.apache.kafka.common.TopicPartition;

/**
 * What one partition's commit should say at one moment: the position, and the window beyond it as runs for the
 * commit's metadata. Taken in one step under the ledger's lock so that the two always agree.
 *
 * @param topicPartition the partition
 * @param window the position to commit and the window {@code [position, end)} beyond it; its runs are empty when
 * nothing is pending or runs were not asked for
 * @param completedTotal the ledger's completion count when the point was taken
 */
public record CommitPoint(TopicPartition topicPartition, WindowRuns window, long completedTotal) {

	/** {@return the offset to commit} */
	public long position() {
		return this.window.position();
	}

	/** {@return the window {@code [position, end)} as alternating run lengths, incomplete first} */
	public long[] runs() {
		return this.window.runs();
	}

}
