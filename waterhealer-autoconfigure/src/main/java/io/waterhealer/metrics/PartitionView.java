package io.waterhealer.metrics;

import java.util.List;

import org.apache.kafka.common.TopicPartition;

/** A live view of an assigned partition, read by gauges. */
public interface PartitionView {

	/** {@return the id of the listener the partition is assigned to} */
	String listenerId();

	/** {@return the partition} */
	TopicPartition topicPartition();

	/** {@return the last committed offset acknowledged by Kafka for this assignment, or -1} */
	long committed();

	/** {@return the highest completed offset, or -1} */
	long highestCompleted();

	/** {@return the number of records handed out and not complete} */
	long incomplete();

	/** {@return the number of records whose handler is running right now} */
	long inFlight();

	/** {@return seconds since the oldest incomplete record was handed out (to within one poll), 0 when none} */
	double oldestIncompleteAgeSeconds();

	/**
	 * {@return the partition's end offset minus the committed offset, as last seen by the consumer; -1 when unknown}
	 */
	long lag();

	/** {@return whether waterhealer asked the container to pause the partition (a full window, a hold, an operator)} */
	boolean paused();

	/**
	 * Whether an operator paused the partition or its listener (the {@code healinglisteners} endpoint): health
	 * reports it and never judges it stalled, since nothing is expected to move until the operator resumes it.
	 * @return whether an operator paused it
	 */
	default boolean pausedByOperator() {
		return false;
	}

	/**
	 * Why waterhealer asks the container to pause the partition, in the words the {@code healinglisteners} endpoint
	 * reports: {@code operator}, {@code window-full}, {@code hand-out-retry}, {@code dead-letter-storm}.
	 * @return the reasons, empty when it is not paused by waterhealer
	 */
	default List<String> pauseReasons() {
		return List.of();
	}

	/** {@return {@link System#nanoTime()} when the partition's committed position last moved (or it was assigned)} */
	default long committedMovedAt() {
		return System.nanoTime();
	}

	/**
	 * The partition's incomplete records by what they wait for, read on the caller's thread without stopping the
	 * workers; meant for the ledger endpoint, which reads it on a request, not for gauges.
	 * @return the incomplete records by state
	 */
	default RecordStates recordStates() {
		return RecordStates.NONE;
	}

}
