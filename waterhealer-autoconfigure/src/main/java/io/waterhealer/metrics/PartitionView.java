package io.waterhealer.metrics;

import org.apache.kafka.common.TopicPartition;

/** A live view of an assigned partition, read by gauges. */
public interface PartitionView {

	String listenerId();

	TopicPartition topicPartition();

	/** The last committed offset acknowledged by Kafka for this assignment, or -1. */
	long committed();

	/** The highest completed offset, or -1. */
	long highestCompleted();

	/** Records handed out and not complete. */
	long incomplete();

	/** Records whose handler is running right now. */
	long inFlight();

	/** Seconds since the oldest incomplete record was handed out (to within one poll), 0 when none. */
	double oldestIncompleteAgeSeconds();

	/** The partition's end offset minus the committed offset, as last seen by the consumer; -1 when unknown. */
	long lag();

	/** Whether waterhealer paused the partition because its window is full. */
	boolean paused();

	/** {@link System#nanoTime()} when the partition's committed position last moved (or it was assigned). */
	default long committedMovedAt() {
		return System.nanoTime();
	}

	/**
	 * The partition's incomplete records by what they wait for, read on the caller's thread without stopping the
	 * workers; meant for the ledger endpoint, which reads it on a request, not for gauges.
	 */
	default RecordStates recordStates() {
		return RecordStates.NONE;
	}

}
