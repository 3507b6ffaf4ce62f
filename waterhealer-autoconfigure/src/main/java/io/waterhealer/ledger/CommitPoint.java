package io.waterhealer.ledger;

import org.apache.kafka.common.TopicPartition;

/**
 * What one partition's commit should say at one moment: the position, and the window beyond it as runs for the
 * commit's metadata. Taken in one step under the ledger's lock so that the two always agree.
 *
 * @param topicPartition the partition
 * @param position the offset to commit
 * @param completedTotal the ledger's completion count when the point was taken
 * @param runs the window {@code [position, end)} as alternating run lengths, incomplete first; empty when nothing
 * is pending or runs were not asked for
 */
public record CommitPoint(TopicPartition topicPartition, long position, long completedTotal, long[] runs) {

}
