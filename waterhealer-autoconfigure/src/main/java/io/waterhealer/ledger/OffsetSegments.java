package io.waterhealer.ledger;

import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * The pending offsets of a window as a sequence of dense stretches, one {@link BitRing} each, in offset order; the
 * gaps between them hold nothing pending and cost nothing.
 * <p>
 * Why stretches: offsets are not dense. A compacted topic, a long run of aborted transactions read with
 * {@code read_committed} or a forward seek put millions or billions of offsets between two records, and a single
 * ring over the whole window would cost a bit per offset of the gap (it once threw past 2<sup>35</sup> offsets). A
 * record more than {@value #GAP_WORDS} words (1,024 offsets) past the last stretch therefore starts a new one, which
 * costs about as much as those words would have; nearer records extend the last stretch, so an ordinary partition
 * has exactly one ring and the hot path is a single ring's.
 * <p>
 * Every stretch has at least one pending offset: one whose last pending offset completes is dropped at once (the
 * last one left is kept for reuse), so memory follows the pending records and the dense stretches around them, never
 * the offsets in between. The first stretch starts at the lowest pending offset, which is the ledger's position.
 * <p>
 * Not thread-safe: {@link PartitionLedger} holds its lock around every call.
 */
final class OffsetSegments {

	/** Empty words after which a new stretch is cheaper than extending the last one. */
	static final long GAP_WORDS = 16;

	/**
	 * The most words a stretch's ring grows to (2<sup>30</sup> offsets, 128 MiB per array); a record past it starts
	 * a new stretch, so no window, however wide, can make a ring overflow.
	 */
	static final long MAX_WORDS = 1L << 24;

	/** Words of a ring started for a new stretch when there is no ring to reuse: the stretch may be one record. */
	private static final int SPARSE_WORDS = 2;

	private final long maxWords;

	private BitRing[] rings = new BitRing[2];

	private int head;

	private int count;

	/** {@code rings[head]}, or {@code null} when there are no stretches: read on every completion. */
	private @Nullable BitRing firstRing;

	/** The last stretch, or {@code null}: extended on every hand-out. */
	private @Nullable BitRing lastRing;

	/** An empty ring kept for the next stretch, so that a ledger that drains and refills does not allocate. */
	private @Nullable BitRing spare = new BitRing(BitRing.INITIAL_WORDS);

	/** Offsets spanned by the stretches: the sum of {@code end - first}. */
	private long covered;

	OffsetSegments() {
		this(MAX_WORDS);
	}

	OffsetSegments(long maxWords) {
		this.maxWords = maxWords;
	}

	boolean isEmpty() {
		return this.count == 0;
	}

	int stretches() {
		return this.count;
	}

	/**
	 * The offsets the stretches span, pending or not: what the rings' bits have to cover, so what memory follows.
	 * @return the sum of the stretches' lengths
	 */
	long covered() {
		return this.covered;
	}

	/** The first stretch, {@code null} when there is none. */
	@Nullable BitRing first() {
		return this.firstRing;
	}

	/** Add {@code offset}, which is past every stretch, as pending. */
	void add(long offset, long nanoTime) {
		BitRing last = this.lastRing;
		if (last != null) {
			long lastEnd = last.end();
			if (last.tryAdd(offset, nanoTime, GAP_WORDS, this.maxWords)) {
				this.covered += offset + 1 - lastEnd;
				return;
			}
		}
		BitRing ring = this.spare;
		this.spare = null;
		if (ring == null) {
			ring = new BitRing(SPARSE_WORDS);
		}
		ring.addFirst(offset, nanoTime);
		append(ring);
		this.covered++;
	}

	/**
	 * The stretch that spans {@code offset}.
	 * @param offset the offset
	 * @return its stretch, or {@code null} when the offset lies in no stretch (below the position or in a gap)
	 */
	@Nullable BitRing find(long offset) {
		BitRing ring = this.firstRing;
		if (ring == null || ring.covers(offset)) {
			return ring;
		}
		if (this.count == 1) {
			return null;
		}
		int i = firstEndingAfter(offset);
		if (i < this.head + this.count && this.rings[i].covers(offset)) {
			return this.rings[i];
		}
		return null;
	}

	/**
	 * Move the first stretch's start to its lowest pending offset, after the offset it started at completed.
	 * @param ring the first stretch
	 * @return the new lowest pending offset
	 */
	long advanceFirst(BitRing ring) {
		long from = ring.first();
		long to = ring.advanceFirst();
		this.covered -= to - from;
		return to;
	}

	/**
	 * Drop a stretch whose last pending offset completed; if it was the first, the next one becomes first and starts
	 * at its lowest pending offset.
	 * @param ring the empty stretch
	 * @param end the window's end
	 * @return the lowest pending offset now, or {@code end} when nothing is pending
	 */
	@SuppressWarnings("NullAway") // clears the dropped slot for the collector; slots head..head+count-1 are never null
	long remove(BitRing ring, long end) {
		this.covered -= ring.end() - ring.first();
		int last = this.head + this.count - 1;
		if (ring == this.rings[this.head]) {
			this.rings[this.head] = null;
			this.head++;
			this.count--;
			if (this.count > 0) {
				advanceFirst(this.rings[this.head]);
			}
		}
		else {
			int i = firstEndingAfter(ring.first());
			System.arraycopy(this.rings, i + 1, this.rings, i, last - i);
			this.rings[last] = null;
			this.count--;
		}
		if (this.count == 0) {
			this.head = 0;
			if (this.rings.length > 16) {
				this.rings = new BitRing[2];
			}
		}
		if (this.spare == null && ring.words() <= BitRing.SHRINK_ABOVE_WORDS) {
			this.spare = ring;
		}
		refreshEnds();
		return (this.count > 0) ? this.rings[this.head].first() : end;
	}

	/**
	 * The window {@code [position, end)} as alternating run lengths, incomplete first; a gap between stretches lies
	 * in one complete run, however long. One pass over the stretches' words.
	 * @param position the lowest pending offset
	 * @param end the window's end
	 * @return the runs, without a trailing empty one
	 */
	long[] runs(long position, long end) {
		long[] runs = new long[8];
		int n = 0;
		long offset = position;
		while (offset < end) {
			long completeFrom = Math.min(end, nextComplete(offset));
			long pendingFrom = (completeFrom < end) ? nextPending(completeFrom, end) : end;
			if (n + 2 > runs.length) {
				runs = Arrays.copyOf(runs, runs.length * 2);
			}
			runs[n++] = completeFrom - offset;
			runs[n++] = pendingFrom - completeFrom;
			offset = pendingFrom;
		}
		if (n > 0 && runs[n - 1] == 0) {
			n--;
		}
		return Arrays.copyOf(runs, n);
	}

	/**
	 * The first pending offset at or after {@code from}.
	 * @param from where to start, at or after the lowest pending offset
	 * @param end the window's end, returned when nothing is pending from there on
	 * @return the offset
	 */
	long nextPending(long from, long end) {
		int limit = this.head + this.count;
		int i = firstEndingAfter(from);
		if (i == limit) {
			return end;
		}
		BitRing ring = this.rings[i];
		long found = ring.nextPending(Math.max(from, ring.first()));
		if (found < ring.end()) {
			return found;
		}
		// every stretch has a pending offset, so the next stretch's is the one
		return (i + 1 < limit) ? this.rings[i + 1].nextPending(this.rings[i + 1].first()) : end;
	}

	/**
	 * The first offset at or after {@code from} that is not pending: {@code from} itself in a gap, else the first
	 * cleared bit of its stretch or the offset after the stretch, which no other stretch spans.
	 * @param from where to start
	 * @return the offset
	 */
	long nextComplete(long from) {
		BitRing ring = find(from);
		return (ring != null) ? ring.nextClear(from) : from;
	}

	/**
	 * Heap held by the stretches' rings, the spare ring and the array of stretches.
	 * @return bytes
	 */
	long bytes() {
		long bytes = 16 + 4L * this.rings.length;
		for (int i = this.head; i < this.head + this.count; i++) {
			bytes += this.rings[i].bytes();
		}
		return (this.spare != null) ? bytes + this.spare.bytes() : bytes;
	}

	/** Index of the first stretch whose end is past {@code offset}, or {@code head + count}: stretches are sorted. */
	private int firstEndingAfter(long offset) {
		int low = this.head;
		int high = this.head + this.count;
		while (low < high) {
			int mid = (low + high) >>> 1;
			if (this.rings[mid].end() > offset) {
				high = mid;
			}
			else {
				low = mid + 1;
			}
		}
		return low;
	}

	private void append(BitRing ring) {
		if (this.head + this.count == this.rings.length) {
			if (this.head > 0) {
				System.arraycopy(this.rings, this.head, this.rings, 0, this.count);
				Arrays.fill(this.rings, this.count, this.head + this.count, null);
				this.head = 0;
			}
			else {
				this.rings = Arrays.copyOf(this.rings, this.rings.length * 2);
			}
		}
		this.rings[this.head + this.count] = ring;
		this.count++;
		refreshEnds();
	}

	private void refreshEnds() {
		this.firstRing = (this.count > 0) ? this.rings[this.head] : null;
		this.lastRing = (this.count > 0) ? this.rings[this.head + this.count - 1] : null;
	}

}
