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

	/** Whether waterhealer asked the container to pause the partition (a full window, a hold, an operator). */
	boolean paused();

	/**
	 * Whether an operator paused the partition or its listener (the {@code healinglisteners} endpoint): health
	 * reports it and never judges it stalled, since nothing is expected to move until the operator resumes it.
	 */
	default boolean pausedByOperator() {
		return false;
	}

	/** {@link System#nanoTime()} when the partition's committed position last moved (or it was assigned). */
	default long committedMovedAt() {
		return System.nanoTime();
	}

}
