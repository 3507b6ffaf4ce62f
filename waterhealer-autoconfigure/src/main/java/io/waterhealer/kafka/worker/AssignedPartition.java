package io.waterhealer.kafka.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import io.waterhealer.codec.CompletedOffsets;
import io.waterhealer.ledger.PartitionLedger;
import io.waterhealer.metrics.ListenerMetrics;
import io.waterhealer.metrics.PartitionView;
import io.waterhealer.metrics.RecordStates;
import org.apache.kafka.common.TopicPartition;

import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * One assignment of one partition to a listener: its ledger, and whether waterhealer asked the container to pause
 * it, because the ledger's window is full, because records could not be handed out and are fetched again later,
 * because a dead-letter storm stopped the listener, or because an operator paused it.
 * <p>
 * Pausing is decided on the consumer thread after a hand-out and resuming on a worker thread after a completion.
 * Both decisions read the ledger and call the container under this object's monitor, so the container's pause state
 * always matches the last decision: a resume can never be overtaken by an older pause and leave the partition paused
 * with an empty window. Workers only enter the monitor while the partition is paused.
 */
public final class AssignedPartition implements PartitionView {

	private final String listenerId;

	private final Object owner;

	private final PartitionLedger ledger;

	private final MessageListenerContainer container;

	private final CompletedOffsets completedBefore;

	private final LongAdder running = new LongAdder();

	private final InFlightTasks inFlightTasks = new InFlightTasks();

	private volatile long endOffset = -1;

	private volatile boolean paused;

	/** Whether a hand-out failure holds the partition paused until {@link #heldUntil}. */
	private volatile boolean heldBack;

	/** Whether the listener's dead-letter storm guard tripped and holds the partition paused until it is resumed. */
	private volatile boolean stormHeld;

	/**
	 * Whether an operator paused the partition (or its whole listener) through the {@code healinglisteners}
	 * endpoint. It is part of the pause request like every other reason, so that the window's own resume after a
	 * completion can never resume a partition the operator holds.
	 */
	private volatile boolean operatorHeld;

	/** When the hold ends, a {@link System#nanoTime()} value; consumer thread only. */
	private long heldUntil;

	/** The position the last commit request for this assignment carried; consumer thread only. */
	private long commitRequested = -1;

	/**
	 * Start tracking one assignment of a partition to one consumer.
	 * @param listenerId the listener's id
	 * @param owner the consumer the partition is assigned to, compared by identity in {@link #ownedBy}
	 * @param ledger the partition's ledger
	 * @param container the container asked to pause and resume the partition
	 * @param completedBefore the offsets beyond the committed position that an earlier owner completed, read from
	 * the commit metadata
	 */
	public AssignedPartition(String listenerId, Object owner, PartitionLedger ledger, MessageListenerContainer container,
			CompletedOffsets completedBefore) {
		this.listenerId = listenerId;
		this.owner = owner;
		this.ledger = ledger;
		this.container = container;
		this.completedBefore = completedBefore;
	}

	/**
	 * Whether this assignment belongs to the given consumer; with {@code concurrency > 1} a partition can move
	 * between consumers of one instance, and one consumer's callbacks must never touch another's assignment.
	 * @param consumer the consumer whose callback asks
	 * @return whether it is the consumer this assignment was made to
	 */
	public boolean ownedBy(Object consumer) {
		return this.owner == consumer;
	}

	/** Worker thread: a handler starts or stops running for a record of this partition. */
	void running(int delta) {
		this.running.add(delta);
	}

	/**
	 * Consumer thread: a commit of this position was sent.
	 * @param position the committed position the request carried
	 */
	public void commitRequested(long position) {
		this.commitRequested = Math.max(this.commitRequested, position);
	}

	/**
	 * Consumer thread: whether everything handed out completed since the last commit request.
	 * @return whether the partition drained since then
	 */
	public boolean drainedSinceCommitRequest() {
		return this.ledger.isDrainedPast(this.commitRequested);
	}

	/**
	 * Consumer thread: the partition's end offset as the consumer last saw it, for {@link #lag()}.
	 * @param endOffset the end offset
	 */
	public void endOffset(long endOffset) {
		this.endOffset = endOffset;
	}

	@Override
	public String listenerId() {
		return this.listenerId;
	}

	@Override
	public long committed() {
		return this.ledger.snapshot().committed();
	}

	@Override
	public long highestCompleted() {
		return this.ledger.snapshot().highestCompleted();
	}

	@Override
	public long incomplete() {
		return this.ledger.snapshot().incomplete();
	}

	@Override
	public long inFlight() {
		return this.running.sum();
	}

	@Override
	public RecordStates recordStates() {
		return this.inFlightTasks.states();
	}

	/** The records of this assignment handed out and not finished, with their states. */
	InFlightTasks inFlightTasks() {
		return this.inFlightTasks;
	}

	@Override
	public double oldestIncompleteAgeSeconds() {
		long handedOutAt = this.ledger.snapshot().oldestIncompleteNanos();
		return (handedOutAt == 0) ? 0 : Math.max(0, System.nanoTime() - handedOutAt) / 1e9;
	}

	@Override
	public long lag() {
		long end = this.endOffset;
		long committed = this.ledger.snapshot().committed();
		return (end < 0 || committed < 0) ? -1 : Math.max(0, end - committed);
	}

	@Override
	public boolean paused() {
		return pauseRequested();
	}

	@Override
	public boolean pausedByOperator() {
		return this.operatorHeld;
	}

	@Override
	public List<String> pauseReasons() {
		List<String> reasons = new ArrayList<>(4);
		if (this.operatorHeld) {
			reasons.add("operator");
		}
		if (this.paused) {
			reasons.add("window-full");
		}
		if (this.heldBack) {
			reasons.add("hand-out-retry");
		}
		if (this.stormHeld) {
			reasons.add("dead-letter-storm");
		}
		return reasons;
	}

	@Override
	public long committedMovedAt() {
		return this.ledger.committedMovedAt();
	}

	/**
	 * Whether the record at {@code offset} was completed by an earlier owner beyond its committed position, as
	 * recorded in the commit metadata, so that it must not be processed again.
	 * @param offset the record's offset
	 * @return whether it was completed before
	 */
	public boolean completedBefore(long offset) {
		return this.completedBefore.contains(offset);
	}

	/** {@return the partition's ledger, which records what completed and decides the committed position} */
	public PartitionLedger ledger() {
		return this.ledger;
	}

	@Override
	public TopicPartition topicPartition() {
		return this.ledger.topicPartition();
	}

	/** Consumer thread, after handing out records of this partition. */
	public void pauseIfFull() {
		if (this.paused || !this.ledger.isWindowFull()) {
			return;
		}
		synchronized (this) {
			if (!this.paused && !this.ledger.isClosed() && this.ledger.isWindowFull()) {
				boolean wasRequested = pauseRequested();
				this.paused = true;
				requestPause(wasRequested);
				// a worker that completed records before it could see paused == true did not resume: look again
				if (this.ledger.hasRoom()) {
					this.paused = false;
					requestPause(true);
				}
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
				requestPause(true);
			}
		}
	}

	/**
	 * Consumer thread: records of this partition could not be handed out and were sought back to; keep the
	 * partition paused until {@code untilNanos}, so that a failure that repeats costs one attempt per hold instead
	 * of one per poll.
	 * @param untilNanos when the hold ends, a {@link System#nanoTime()} value
	 */
	public void holdBack(long untilNanos) {
		synchronized (this) {
			if (this.ledger.isClosed()) {
				return;
			}
			this.heldUntil = untilNanos;
			boolean wasRequested = pauseRequested();
			this.heldBack = true;
			requestPause(wasRequested);
		}
	}

	/**
	 * Consumer thread, before a poll: end a hold whose time has come.
	 * @param now the current {@link System#nanoTime()}
	 */
	public void releaseHoldIfDue(long now) {
		if (!this.heldBack || now - this.heldUntil < 0) {
			return;
		}
		synchronized (this) {
			this.heldBack = false;
			requestPause(true);
		}
	}

	/**
	 * Worker thread: the dead-letter storm guard tripped on a record of this partition; keep it paused until an
	 * operator resumes the listener, so that no more records are fetched only to be held.
	 */
	void holdForStorm() {
		synchronized (this) {
			if (this.ledger.isClosed()) {
				return;
			}
			boolean wasRequested = pauseRequested();
			this.stormHeld = true;
			requestPause(wasRequested);
		}
	}

	/** Any thread: an operator resumed the listener after a dead-letter storm. */
	void releaseStormHold() {
		synchronized (this) {
			boolean wasRequested = pauseRequested();
			this.stormHeld = false;
			requestPause(wasRequested);
		}
	}

	/**
	 * Any thread: an operator paused or resumed the partition (or its listener). A closed assignment is not paused:
	 * its partition's next assignment is held from the start instead (see the listener's operator pauses).
	 * @param held whether the operator holds it
	 */
	public void holdForOperator(boolean held) {
		synchronized (this) {
			if (held && this.ledger.isClosed()) {
				return;
			}
			boolean wasRequested = pauseRequested();
			this.operatorHeld = held;
			requestPause(wasRequested);
		}
	}

	/**
	 * Consumer thread, when the assignment ends (revoked, lost, or taken over by a sibling consumer): a pause request
	 * must not outlive the assignment it was made for, or the partition's next owner in this instance would find it
	 * paused with nothing left to resume it.
	 */
	public void clearPause() {
		synchronized (this) {
			boolean wasRequested = pauseRequested();
			this.paused = false;
			this.heldBack = false;
			this.stormHeld = false;
			this.operatorHeld = false;
			requestPause(wasRequested);
		}
	}

	/**
	 * Whether the container should pause the partition: its window is full, a hand-out failure holds it, a
	 * dead-letter storm does, or an operator does.
	 */
	private boolean pauseRequested() {
		return this.paused || this.heldBack || this.stormHeld || this.operatorHeld;
	}

	/** Under the monitor: bring the container's pause request in line with {@link #pauseRequested()}. */
	private void requestPause(boolean wasRequested) {
		boolean requested = pauseRequested();
		if (requested && !wasRequested) {
			this.container.pausePartition(this.ledger.topicPartition());
		}
		else if (!requested && wasRequested) {
			this.container.resumePartition(this.ledger.topicPartition());
		}
	}

}
