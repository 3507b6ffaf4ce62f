package io.waterhealer.kafka.worker;

import io.waterhealer.metrics.RecordState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

/**
 * One record on its way through a listener: handed out by the consumer thread, run (and re-run after failures) on
 * worker threads until it completes or its partition is revoked.
 */
final class RecordTask implements Runnable {

	private final ConsumerRecord<Object, Object> record;

	private final AssignedPartition partition;

	private final RecordProcessor processor;

	/** The serial lane the task runs in, set by ordered dispatchers. */
	@Nullable Object laneKey;

	/** The lane the task was queued in, set by ordered dispatchers. */
	Dispatcher.@Nullable Lane lane;

	int failedAttempts;

	/** Attempts at publishing the record to its dead-letter topic. */
	int deadLetterAttempts;

	/** Whether the failure policy's first decision about this record was logged. */
	boolean policyReported;

	/** Whether the record was counted into its stage (once, however many attempts it takes). */
	boolean counted;

	/** Its slot in its partition's {@link InFlightTasks}, -1 when not tracked; set before the task is submitted. */
	int slot = -1;

	/** What it waits for, {@code null} once finished; written by whichever thread moves it on, read by the endpoint. */
	private volatile @Nullable RecordState state = RecordState.QUEUED;

	RecordTask(ConsumerRecord<Object, Object> record, AssignedPartition partition, RecordProcessor processor) {
		this.record = record;
		this.partition = partition;
		this.processor = processor;
	}

	ConsumerRecord<Object, Object> record() {
		return this.record;
	}

	AssignedPartition partition() {
		return this.partition;
	}

	@Nullable RecordState state() {
		return this.state;
	}

	/** The record moves on to another state (not to finished: see {@link #finished()}). */
	void state(RecordState state) {
		this.state = state;
	}

	/**
	 * The record finished for good (completed, dropped with its revoked partition, or completed by the failure
	 * policy): it leaves its partition's in-flight records, before the ledger completes it, so that the endpoint never
	 * shows a completed offset as still running.
	 */
	void finished() {
		this.state = null;
		this.partition.inFlightTasks().remove(this);
	}

	@Override
	public void run() {
		this.processor.process(this);
	}

	@Override
	public String toString() {
		return this.record.topic() + "-" + this.record.partition() + "@" + this.record.offset();
	}

}
