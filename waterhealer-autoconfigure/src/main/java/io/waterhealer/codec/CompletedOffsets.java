package io.waterhealer.codec;

import java.util.Arrays;

/**
 * Offsets at or beyond a committed position that are known to be complete, as decoded from commit metadata:
 * sorted, non-overlapping half-open ranges {@code [start, end)} of absolute offsets.
 * <p>
 * Lookups come in offset order (records are fetched in order), so {@link #contains(long)} keeps a cursor and is
 * amortised O(1); a lookup behind the cursor falls back to a binary search.
 */
public final class CompletedOffsets {

	private static final CompletedOffsets NONE = new CompletedOffsets(new long[0]);

	private final long[] ranges;

	private int cursor;

	CompletedOffsets(long[] ranges) {
		this.ranges = ranges;
	}

	/** {@return the empty set: nothing completed beyond the committed offset} */
	public static CompletedOffsets none() {
		return NONE;
	}

	/**
	 * Whether the record at {@code offset} was completed before the restart.
	 * @param offset the offset
	 * @return whether it can be skipped
	 */
	public synchronized boolean contains(long offset) {
		int pairs = this.ranges.length / 2;
		if (pairs == 0) {
			return false;
		}
		// the cursor is the first range ending after the last lookup; one behind it (a seek back) searches
		if (this.cursor > 0 && offset < this.ranges[2 * this.cursor - 1]) {
			this.cursor = search(offset);
		}
		while (this.cursor < pairs && offset >= this.ranges[2 * this.cursor + 1]) {
			this.cursor++;
		}
		return this.cursor < pairs && offset >= this.ranges[2 * this.cursor];
	}

	private int search(long offset) {
		int low = 0;
		int high = this.ranges.length / 2 - 1;
		while (low < high) {
			int mid = (low + high) >>> 1;
			if (this.ranges[2 * mid + 1] <= offset) {
				low = mid + 1;
			}
			else {
				high = mid;
			}
		}
		return low;
	}

	/**
	 * How many offsets the ranges cover.
	 * @return the number of completed offsets
	 */
	public long count() {
		long count = 0;
		for (int i = 0; i < this.ranges.length; i += 2) {
			count += this.ranges[i + 1] - this.ranges[i];
		}
		return count;
	}

	/** {@return whether no offset beyond the committed one is recorded} */
	public boolean isEmpty() {
		return this.ranges.length == 0;
	}

	/**
	 * One past the highest completed offset, or -1 when there is none.
	 * @return the end of the last range
	 */
	public long end() {
		return (this.ranges.length == 0) ? -1 : this.ranges[this.ranges.length - 1];
	}

	long[] ranges() {
		return this.ranges.clone();
	}

	@Override
	public String toString() {
		return "CompletedOffsets" + Arrays.toString(this.ranges);
	}

}
