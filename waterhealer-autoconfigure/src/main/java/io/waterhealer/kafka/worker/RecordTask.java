package io.waterhealer.kafka.worker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

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

	/** Attempts at publishing the record to its next retry tier. */
	int tierPublishAttempts;

	/** When the record first failed here, epoch milliseconds; 0 until it fails. */
	long firstFailureMillis;

	/** Whether the failure policy's first decision about this record was logged. */
	boolean policyReported;

	/** Whether the record was counted into its stage (once, however many attempts it takes). */
	boolean counted;

	/** Its slot in its partition's {@link InFlightTasks}, -1 when not tracked; set before the task is submitted. */
	int slot = -1;

	/**
	 * What it waits for, {@code null} once finished; written by whichever thread moves it on, read by the consumer
	 * thread looking for a free slot and by the endpoint, always through {@link #STATE} with release/acquire order:
	 * a plain store and load on x86, where a volatile store would cost a fence per move on the hot path. Readers need
	 * no more than each record's latest state, never an order across records.
	 */
	private @Nullable RecordState state = RecordState.QUEUED;

	private static final VarHandle STATE;

	static {
		try {
			STATE = MethodHandles.lookup().findVarHandle(RecordTask.class, "state", RecordState.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

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
		return (RecordState) STATE.getAcquire(this);
	}

	/** The record moves on to another state (not to finished: see {@link #finished()}). */
	void state(RecordState state) {
		STATE.setRelease(this, state);
	}

	/**
	 * The record finished for good (completed, dropped with its revoked partition, or completed by the failure
	 * policy): it leaves its partition's in-flight records, before the ledger completes it, so that the endpoint never
	 * shows a completed offset as still running. It empties its slot before it calls itself finished: until then the
	 * consumer thread never reuses the slot, so a plain store empties it without a compare-and-set.
	 */
	void finished() {
		this.partition.inFlightTasks().remove(this);
		STATE.setRelease(this, null);
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
