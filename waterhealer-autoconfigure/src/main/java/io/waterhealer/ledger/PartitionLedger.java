package io.waterhealer.ledger;

import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * The ledger of one assignment of one partition: every offset handed out for processing, which of them are still
 * incomplete, which of those have failed, and so the position that may be committed.
 * <p>
 * <b>Position.</b> The committable position is the lowest offset that was handed out and is not complete yet, or,
 * when nothing is pending, one past the highest offset handed out (or fetched past, see {@link #skipTo(long)}).
 * Committing it tells Kafka "every record before this one is done", which is exactly water-healer's promise.
 * <p>
 * <b>Holes count as done.</b> Offsets in a partition are not consecutive: transaction markers occupy offsets, aborted
 * transactions and compaction remove records. An offset that was never handed out can never be completed, so if
 * the ledger waited for it the partition would stall forever. The ledger therefore only remembers offsets that
 * <em>are</em> pending; everything else in the window is, by construction, complete.
 * <p>
 * <b>Representation.</b> One bit per offset of the window's dense stretches, in rings of 64-bit words indexed by the
 * absolute offset ({@link BitRing}); a gap of more than 1,024 offsets without a record (compaction, aborted
 * transactions, a forward seek) is no stretch at all and costs nothing ({@link OffsetSegments}), so memory follows the
 * records, not the offsets between them, and no jump is too large. Handing out sets a bit, completing clears it,
 * and the position moves over cleared words 64 offsets at a time, so each offset is passed over at most once:
 * amortised O(1) per record and no allocation per record; a ring grows (by doubling) when its stretch outgrows it
 * and shrinks back once the stretch has narrowed or drained. A second ring marks the pending offsets that have
 * failed at least once, for diagnostics, and a third keeps one hand-out time per 64 offsets, for the age of the
 * oldest incomplete record.
 * <p>
 * <b>Nothing is ever evicted.</b> water-healer bounded its memory with {@code maxlen_memory}/{@code maxage_memory}
 * and silently forgot offsets that were still pending, which then got committed past: records lost. This ledger is
 * bounded instead by back-pressure: {@link #isWindowFull()} tells the consumer to pause the partition and
 * {@link #hasRoom()} tells it to resume. Records that were already fetched when the pause took effect are still
 * accepted, so the bound is soft by at most one poll, and nothing is dropped. The two limits bound the two things
 * memory follows: {@code maxInFlight} the pending records (every stretch holds at least one), {@code maxSpan} the
 * offsets the stretches span, which is the window {@code [position, end)} less its gaps. A dense partition's span is
 * its whole window, as it always was; the gaps of a sparse one do not count, because they cost nothing.
 * <p>
 * <b>Stale completions are dropped.</b> When the partition is revoked the ledger is {@link #close() closed}; a
 * completion that arrives later (from a worker that was still running) is ignored, because another consumer may
 * already own the partition and committing for it would move somebody else's position. A new assignment of the
 * same partition gets a new ledger, so a completion can never reach a ledger it does not belong to.
 * <p>
 * All methods are thread-safe: hand-outs come from the consumer thread, completions from any worker thread.
 */
public final class PartitionLedger {

	private final TopicPartition topicPartition;

	private final int maxInFlight;

	private final long maxSpan;

	/** The pending offsets, as dense stretches. */
	private final OffsetSegments segments = new OffsetSegments();

	private long highestCompleted = -1;

	/** Lowest offset that may be incomplete; everything below is complete or a hole. -1 until anchored. */
	private long position = -1;

	/** One past the highest offset handed out or fetched past. */
	private long end = -1;

	private int incomplete;

	private int failedCount;

	private long completedTotal;

	private boolean closed;

	private int drainWaiters;

	/** The last position Kafka acknowledged as committed for this assignment; -1 when none yet. */
	private long committed = -1;

	/** {@link #completedTotal} as of the last acknowledged commit. */
	private long committedCompletedTotal;

	/** {@link System#nanoTime()} when the committed position last moved forward, or when the ledger was created. */
	private volatile long committedMovedAt = System.nanoTime();

	/**
	 * Create the ledger of one assignment of a partition.
	 * @param topicPartition the partition
	 * @param maxInFlight incomplete offsets at which the window is full and the partition should be paused
	 * @param maxSpan offsets the window's dense stretches span (the window {@code [position, end)} less its gaps of
	 * more than 1,024 offsets without a record) at which the window is full, so that one record that never completes
	 * cannot make the ledger grow without bound while later records keep completing
	 */
	public PartitionLedger(TopicPartition topicPartition, int maxInFlight, long maxSpan) {
		checkLimits(maxInFlight, maxSpan);
		this.topicPartition = topicPartition;
		this.maxInFlight = maxInFlight;
		this.maxSpan = maxSpan;
	}

	static void checkLimits(int maxInFlight, long maxSpan) {
		if (maxInFlight < 1) {
			throw new IllegalArgumentException("maxInFlight must be at least 1, was " + maxInFlight);
		}
		if (maxSpan < maxInFlight) {
			throw new IllegalArgumentException(
					"maxSpan must be at least maxInFlight (" + maxInFlight + "), was " + maxSpan);
		}
	}

	/** {@return the partition this ledger tracks} */
	public TopicPartition topicPartition() {
		return this.topicPartition;
	}

	/**
	 * Record that the record at {@code offset} was handed out for processing.
	 * @param offset the record's offset
	 * @return {@code true} if the offset is now tracked; {@code false} if the ledger is closed or the offset is below
	 * the end of what was already handed out (a redelivery after a seek: it is already tracked or already done, and
	 * must not be processed a second time by this assignment)
	 */
	public synchronized boolean handOut(long offset) {
		return handOut(offset, 0);
	}

	/**
	 * Record that the record at {@code offset} was handed out for processing at {@code nanoTime}. The time is kept
	 * per 64 offsets (the first hand-out into a block that had nothing pending), which is enough to tell the age of
	 * the oldest incomplete record to within one poll without storing a time per record. The offset may be any
	 * distance past the last one: a gap costs nothing.
	 * @param offset the record's offset
	 * @param nanoTime {@link System#nanoTime()} of the hand-out, read once per poll by the caller
	 * @return as {@link #handOut(long)}
	 */
	public synchronized boolean handOut(long offset, long nanoTime) {
		if (this.closed) {
			return false;
		}
		if (offset < this.end) {
			return false;
		}
		if (this.incomplete == 0) {
			// nothing pending: everything up to this offset is complete or a hole, so the position jumps here
			this.position = offset;
		}
		this.segments.add(offset, nanoTime);
		this.end = offset + 1;
		this.incomplete++;
		return true;
	}

	/**
	 * Record that the consumer's fetch position moved to {@code fetchPosition} without handing out the offsets in
	 * between, e.g. over a transaction marker that follows the last record. Those offsets are holes: complete by
	 * construction, so the position may pass them. Ignored until the first offset was handed out, and when the
	 * fetch position is not beyond the current end.
	 * <p>
	 * Holes need no bits, so however far ahead the fetch position is, skipping costs no memory and leaves
	 * {@link #isWindowFull()} and {@link #hasRoom()} as they were: there is nothing to re-check after it.
	 * @param fetchPosition the consumer's position for this partition
	 */
	public synchronized void skipTo(long fetchPosition) {
		if (this.closed || this.position < 0 || fetchPosition <= this.end) {
			return;
		}
		if (this.incomplete == 0) {
			this.position = fetchPosition;
		}
		this.end = fetchPosition;
	}

	/**
	 * Record that the record at {@code offset} was processed successfully. Completions may come in any order and
	 * from any thread; a repeated completion, a completion of an offset that was never handed out and a completion
	 * after {@link #close()} are ignored.
	 * @param offset the record's offset
	 * @return {@code true} if this call completed a pending offset of this ledger
	 */
	public synchronized boolean complete(long offset) {
		if (this.closed || offset < this.position || offset >= this.end) {
			return false;
		}
		BitRing ring = this.segments.find(offset);
		if (ring == null || !ring.clear(offset)) {
			return false;
		}
		if (ring.clearFailed(offset)) {
			this.failedCount--;
		}
		this.incomplete--;
		this.completedTotal++;
		if (offset > this.highestCompleted) {
			this.highestCompleted = offset;
		}
		if (ring.isEmpty()) {
			this.position = this.segments.remove(ring, this.end);
		}
		else if (offset == this.position) {
			this.position = this.segments.advanceFirst(ring);
		}
		if (this.incomplete == 0 && this.drainWaiters > 0) {
			notifyAll();
		}
		return true;
	}

	/**
	 * Record that processing the record at {@code offset} failed. The offset stays incomplete, so the position never
	 * passes it; the mark only tells diagnostics which pending offsets are being retried.
	 * @param offset the record's offset
	 * @return {@code true} if the offset is pending in this ledger
	 */
	public synchronized boolean fail(long offset) {
		if (this.closed || offset < this.position || offset >= this.end) {
			return false;
		}
		BitRing ring = this.segments.find(offset);
		if (ring == null || !ring.isPending(offset)) {
			return false;
		}
		if (ring.markFailed(offset)) {
			this.failedCount++;
		}
		return true;
	}

	/**
	 * The committable position: the lowest incomplete offset, or one past the highest offset handed out when none
	 * is pending; -1 before anything was handed out.
	 * @return the offset to commit
	 */
	public synchronized long position() {
		return this.position;
	}

	/**
	 * What to commit now, if anything changed since the last acknowledged commit: the position moved, or more
	 * offsets beyond it completed (which the commit's metadata records, so that a restart can skip them).
	 * Partitions without progress cost no commit at all.
	 * @param withRuns whether to include the window's runs for the metadata
	 * @return the commit point, or {@code null} when there is nothing new to commit
	 */
	public synchronized @Nullable CommitPoint commitPoint(boolean withRuns) {
		if (this.closed || this.position < 0) {
			return null;
		}
		boolean moved = this.position > this.committed;
		boolean moreDoneBeyond = withRuns && this.incomplete > 0 && this.completedTotal != this.committedCompletedTotal;
		if (!moved && !moreDoneBeyond) {
			return null;
		}
		WindowRuns window = withRuns ? windowRuns() : new WindowRuns(this.position, new long[0]);
		return new CommitPoint(this.topicPartition, window, this.completedTotal);
	}

	/**
	 * Whether nothing is incomplete and the position is beyond the given one: the partition has caught up with
	 * everything handed out since that position was committed, so committing now costs one request and saves a
	 * whole commit interval of latency (and of re-processing after a crash).
	 * @param lastRequested the position the last commit request carried
	 * @return whether the partition drained past that position
	 */
	public synchronized boolean isDrainedPast(long lastRequested) {
		return !this.closed && this.incomplete == 0 && this.position > lastRequested;
	}

	/**
	 * Record that Kafka acknowledged the commit of a commit point of this ledger.
	 * @param point the committed point
	 * @return whether the committed position moved forward
	 */
	public synchronized boolean markCommitted(CommitPoint point) {
		boolean advanced = point.position() > this.committed;
		if (advanced) {
			this.committed = point.position();
			this.committedMovedAt = System.nanoTime();
		}
		if (point.position() >= this.committed) {
			this.committedCompletedTotal = Math.max(this.committedCompletedTotal, point.completedTotal());
		}
		return advanced;
	}

	/**
	 * When this assignment's committed position last moved forward (or when the ledger was created), so that a
	 * partition that stopped moving while others move can be told apart.
	 * @return a {@link System#nanoTime()} value
	 */
	public long committedMovedAt() {
		return this.committedMovedAt;
	}

	/**
	 * Whether the partition should be paused: too many incomplete offsets, or dense stretches so wide that one stuck
	 * record would otherwise make the ledger grow without bound. Gaps without records do not count: they cost no
	 * memory, and a compacted partition behind a slow record need not stop for them.
	 * @return whether the window is full
	 */
	public synchronized boolean isWindowFull() {
		return this.incomplete >= this.maxInFlight || span() >= this.maxSpan;
	}

	/**
	 * Whether a paused partition may resume: the window has drained to half of both of its limits. The gap between
	 * the two thresholds keeps a partition from flapping between paused and resumed on every record.
	 * @return whether the window has room again
	 */
	public synchronized boolean hasRoom() {
		return this.incomplete <= this.maxInFlight / 2 && span() <= this.maxSpan / 2;
	}

	/**
	 * Whether the offset was handed out and is not complete.
	 * @param offset the offset
	 * @return whether it is pending
	 */
	public synchronized boolean isPending(long offset) {
		if (offset < this.position || offset >= this.end) {
			return false;
		}
		BitRing ring = this.segments.find(offset);
		return ring != null && ring.isPending(offset);
	}

	/**
	 * Wait until no offset is incomplete, e.g. before committing a partition that is being revoked.
	 * @param deadlineNanos {@link System#nanoTime()} by which to give up
	 * @return whether the ledger drained in time
	 * @throws InterruptedException if the waiting thread is interrupted
	 */
	public synchronized boolean awaitDrained(long deadlineNanos) throws InterruptedException {
		this.drainWaiters++;
		try {
			while (this.incomplete > 0 && !this.closed) {
				long remaining = deadlineNanos - System.nanoTime();
				if (remaining <= 0) {
					return false;
				}
				long millis = Math.max(1, remaining / 1_000_000);
				wait(millis);
			}
			return this.incomplete == 0;
		}
		finally {
			this.drainWaiters--;
		}
	}

	/**
	 * Close the ledger when its partition is revoked or lost: every later hand-out and completion is ignored.
	 */
	public synchronized void close() {
		this.closed = true;
		notifyAll();
	}

	/** {@return whether the assignment ended: completions are refused from then on} */
	public synchronized boolean isClosed() {
		return this.closed;
	}

	/**
	 * The window {@code [position, end)} as alternating run lengths, incomplete first, with the position they start
	 * at: what a commit's metadata records so that a restart can skip the completed runs. A gap between stretches is
	 * part of one complete run, however long. Costs one pass over the stretches' words, so it is meant for commits,
	 * not for every record.
	 * @return the position and its runs; no runs when nothing is pending
	 */
	public synchronized WindowRuns windowRuns() {
		if (this.incomplete == 0 || this.position < 0) {
			return new WindowRuns(this.position, new long[0]);
		}
		return new WindowRuns(this.position, this.segments.runs(this.position, this.end));
	}

	/**
	 * A consistent picture of the ledger, for metrics, health and logs.
	 * @return the snapshot
	 */
	public synchronized LedgerSnapshot snapshot() {
		BitRing first = this.segments.first();
		long oldest = (this.incomplete > 0 && first != null) ? first.handedOutAt(this.position) : 0;
		return new LedgerSnapshot(this.topicPartition, this.position, this.committed, this.end, this.incomplete,
				this.failedCount, this.completedTotal, this.highestCompleted, oldest, this.closed);
	}

	/**
	 * Approximate heap held by the rings of all stretches (two bit rings and the per-word hand-out times each), the
	 * ring kept for reuse and the array of stretches, for the footprint benchmark and diagnostics.
	 * @return bytes held by the rings
	 */
	public synchronized long ringBytes() {
		return this.segments.bytes();
	}

	/** Offsets the dense stretches span: what {@code maxSpan} limits, the window less its gaps. */
	private long span() {
		return this.segments.covered();
	}

}
