package io.waterhealer.kafka;

import io.waterhealer.codec.CompletedOffsets;
import io.waterhealer.ledger.PartitionLedger;
import org.apache.kafka.common.TopicPartition;

import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * One assignment of one partition to a listener: its ledger, and whether waterhealer asked the container to pause
 * it because the ledger's window is full.
 * <p>
 * Pausing is decided on the consumer thread after a hand-out and resuming on a worker thread after a completion.
 * Both decisions read the ledger and call the container under this object's monitor, so the container's pause state
 * always matches the last decision: a resume can never be overtaken by an older pause and leave the partition paused
 * with an empty window. Workers only enter the monitor while the partition is paused.
 */
final class AssignedPartition {

	private final PartitionLedger ledger;

	private final MessageListenerContainer container;

	private final CompletedOffsets completedBefore;

	private volatile boolean paused;

	AssignedPartition(PartitionLedger ledger, MessageListenerContainer container, CompletedOffsets completedBefore) {
		this.ledger = ledger;
		this.container = container;
		this.completedBefore = completedBefore;
	}

	/**
	 * Whether the record at {@code offset} was completed by an earlier owner beyond its committed position, as
	 * recorded in the commit metadata, so that it must not be processed again.
	 */
	boolean completedBefore(long offset) {
		return this.completedBefore.contains(offset);
	}

	PartitionLedger ledger() {
		return this.ledger;
	}

	TopicPartition topicPartition() {
		return this.ledger.topicPartition();
	}

	boolean isPaused() {
		return this.paused;
	}

	/** Consumer thread, after handing out records of this partition. */
	void pauseIfFull() {
		if (this.paused || !this.ledger.isWindowFull()) {
			return;
		}
		synchronized (this) {
			if (!this.paused && !this.ledger.isClosed() && this.ledger.isWindowFull()) {
				this.paused = true;
				this.container.pausePartition(this.ledger.topicPartition());
			}
		}
	}

	/** Any thread, after a completion. */
	void resumeIfRoom() {
		if (!this.paused) {
			return;
		}
		synchronized (this) {
			if (this.paused && this.ledger.hasRoom()) {
				this.paused = false;
				this.container.resumePartition(this.ledger.topicPartition());
			}
		}
	}

	/** Consumer thread, on revocation: a pause request must not outlive the assignment it was made for. */
	void clearPause() {
		synchronized (this) {
			if (this.paused) {
				this.paused = false;
				this.container.resumePartition(this.ledger.topicPartition());
			}
		}
	}

}
