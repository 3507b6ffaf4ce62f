package io.waterhealer.ledger;

/**
 * One dense stretch of a partition's window, {@code [first, end)}: one bit per offset in a ring of 64-bit words
 * indexed by the absolute offset, a second ring marking the pending offsets that have failed, and a third with one
 * hand-out time per word.
 * <p>
 * Indexing by the absolute offset is what makes the ring cheap to move: the stretch slides forward by changing
 * {@code first}, with no copying, and an empty ring (every bit clear) can start again at any offset, which is how a
 * drained ledger reuses its ring without allocating. The ring grows by doubling when the stretch outgrows it and
 * shrinks once the stretch has narrowed to an eighth of it, so memory follows the stretch both ways.
 * <p>
 * Not thread-safe: {@link PartitionLedger} holds its lock around every call.
 */
final class BitRing {

	/** Words of a fresh ring: 1,024 offsets. */
	static final int INITIAL_WORDS = 16;

	/** Rings longer than this shrink with their stretch, and are not kept for reuse once empty. */
	static final int SHRINK_ABOVE_WORDS = 4 * INITIAL_WORDS;

	private long[] pending;

	private long[] failed;

	/** Per word: {@link System#nanoTime()} of the first hand-out into it while it had nothing pending. */
	private long[] handedOutAt;

	private int wordMask;

	/** Lowest offset that may be pending; the ring holds the words from here to {@code end - 1}. */
	private long first;

	/** One past the highest offset added. */
	private long end;

	private int count;

	BitRing(int words) {
		this.pending = new long[words];
		this.failed = new long[words];
		this.handedOutAt = new long[words];
		this.wordMask = words - 1;
	}

	long first() {
		return this.first;
	}

	long end() {
		return this.end;
	}

	boolean isEmpty() {
		return this.count == 0;
	}

	int words() {
		return this.pending.length;
	}

	/**
	 * Add {@code offset}, which is at or past {@link #end()}, as pending, unless that would put more than
	 * {@code maxGapWords} empty words after the stretch's last word or make the ring grow past {@code maxWords}
	 * words.
	 * @return whether the offset was added
	 */
	boolean tryAdd(long offset, long nanoTime, long maxGapWords, long maxWords) {
		long word = offset >>> 6;
		if (word - ((this.end - 1) >>> 6) > maxGapWords + 1) {
			return false;
		}
		long words = word - (this.first >>> 6) + 1;
		if (words > this.pending.length) {
			if (words > maxWords) {
				return false;
			}
			grow(words);
		}
		set(offset, nanoTime);
		return true;
	}

	/**
	 * Start this empty ring at {@code offset} and add it as pending: every bit is clear, so no word needs clearing,
	 * whatever offset the ring held before.
	 */
	void addFirst(long offset, long nanoTime) {
		this.first = offset;
		this.end = offset;
		set(offset, nanoTime);
	}

	private void set(long offset, long nanoTime) {
		int word = index(offset);
		if (this.pending[word] == 0) {
			this.handedOutAt[word] = nanoTime;
		}
		this.pending[word] |= 1L << offset;
		this.end = offset + 1;
		this.count++;
	}

	boolean covers(long offset) {
		return offset >= this.first && offset < this.end;
	}

	/** Whether {@code offset}, which {@link #covers(long) is covered}, is pending. */
	boolean isPending(long offset) {
		return (this.pending[index(offset)] & (1L << offset)) != 0;
	}

	/** Clear {@code offset}, which is covered, and its failed mark; whether it was pending. */
	boolean clear(long offset) {
		int word = index(offset);
		long bit = 1L << offset;
		if ((this.pending[word] & bit) == 0) {
			return false;
		}
		this.pending[word] &= ~bit;
		this.count--;
		return true;
	}

	/** Mark {@code offset}, which is pending, as failed; whether it was not marked yet. */
	boolean markFailed(long offset) {
		int word = index(offset);
		long bit = 1L << offset;
		if ((this.failed[word] & bit) != 0) {
			return false;
		}
		this.failed[word] |= bit;
		return true;
	}

	/** Remove the failed mark of {@code offset}; whether it had one. */
	boolean clearFailed(long offset) {
		int word = index(offset);
		long bit = 1L << offset;
		if ((this.failed[word] & bit) == 0) {
			return false;
		}
		this.failed[word] &= ~bit;
		return true;
	}

	long handedOutAt(long offset) {
		return this.handedOutAt[index(offset)];
	}

	/**
	 * The first pending offset at or after {@code from} (at least {@link #first()}), or {@link #end()} when none;
	 * passes 64 offsets per step and walks words rather than offsets, so it cannot overflow near the top offset.
	 */
	long nextPending(long from) {
		if (from < this.end) {
			long bits = this.pending[index(from)] & (-1L << from);
			if (bits != 0) {
				return (from & ~63L) + Long.numberOfTrailingZeros(bits);
			}
		}
		return next(from, true);
	}

	/** The first offset at or after {@code from} that is not pending, or {@link #end()} when none. */
	long nextClear(long from) {
		return next(from, false);
	}

	private long next(long from, boolean pendingBit) {
		if (from >= this.end) {
			return this.end;
		}
		long lastWord = (this.end - 1) >>> 6;
		long word = from >>> 6;
		long bits = wordBits(word, pendingBit) & (-1L << from);
		while (bits == 0) {
			if (word == lastWord) {
				return this.end;
			}
			word++;
			bits = wordBits(word, pendingBit);
		}
		return Math.min(this.end, (word << 6) + Long.numberOfTrailingZeros(bits));
	}

	private long wordBits(long word, boolean pendingBit) {
		long bits = this.pending[(int) word & this.wordMask];
		return pendingBit ? bits : ~bits;
	}

	/**
	 * Move {@link #first()} to the lowest pending offset (there is one) and give back ring memory the stretch has
	 * narrowed from.
	 * @return the new first offset
	 */
	long advanceFirst() {
		this.first = nextPending(this.first);
		if (this.pending.length > SHRINK_ABOVE_WORDS) {
			shrinkToStretch();
		}
		return this.first;
	}

	/** Bytes of the three arrays and the ring itself, as a 64-bit JVM with compressed references lays them out. */
	long bytes() {
		return 48 + 3L * (16 + 8L * this.pending.length);
	}

	/**
	 * Once a wide stretch has narrowed to an eighth of the ring, move it into a ring a quarter of the size; the gap
	 * between the two thresholds keeps the ring from oscillating.
	 */
	private void shrinkToStretch() {
		long words = ((this.end - 1) >>> 6) - (this.first >>> 6) + 1;
		if (words * 8 >= this.pending.length) {
			return;
		}
		resize(Math.max(INITIAL_WORDS, this.pending.length / 4));
	}

	/** Grow the ring (by doubling) to hold {@code words} words of the stretch without two sharing one slot. */
	private void grow(long words) {
		int newLength = this.pending.length;
		while (newLength < words) {
			newLength <<= 1;
		}
		resize(newLength);
	}

	private void resize(int newLength) {
		this.pending = regrow(this.pending, newLength);
		this.failed = regrow(this.failed, newLength);
		this.handedOutAt = regrow(this.handedOutAt, newLength);
		this.wordMask = newLength - 1;
	}

	/** Copy the stretch's words into a ring of another (power of two) length. */
	private long[] regrow(long[] old, int newLength) {
		long[] grown = new long[newLength];
		if (this.end > this.first) {
			int oldMask = old.length - 1;
			int newMask = newLength - 1;
			long lastWord = (this.end - 1) >>> 6;
			for (long w = this.first >>> 6; w <= lastWord; w++) {
				grown[(int) w & newMask] = old[(int) w & oldMask];
			}
		}
		return grown;
	}

	private int index(long offset) {
		return (int) (offset >>> 6) & this.wordMask;
	}

}
