package io.waterhealer.kafka.worker;

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

	@Override
	public void run() {
		this.processor.process(this);
	}

	@Override
	public String toString() {
		return this.record.topic() + "-" + this.record.partition() + "@" + this.record.offset();
	}

}
