package io.waterhealer.kafka.worker;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.waterhealer.metrics.RecordState;
import io.waterhealer.metrics.RecordStates;
import org.jspecify.annotations.Nullable;

/**
 * The records of one assignment that are handed out and not finished, so that the ledger endpoint can tell what each
 * incomplete offset waits for ({@link RecordState}) without the ledger knowing about workers.
 * <p>
 * The hot path allocates nothing per record and takes no lock: each {@link RecordTask} carries its own volatile
 * state, and sits in a slot of an array that only the consumer thread fills, with a task not finished yet never
 * overwritten, and that each task empties when it finishes; every write is a release store, every read an acquire
 * load, so no move costs a fence. The consumer thread takes the next free slot from where it left off; records
 * finish in roughly the order they were handed out, so the slot ahead is nearly always free, and a block of records
 * still busy (a stuck key's queue) is stepped over once per trip round the array. The array doubles only when half of
 * it is busy in a row, so it stays within four times the records in flight. A slot whose task finished after the
 * array was copied keeps that finished task until it is reused, which only holds its memory a little longer.
 * <p>
 * Reading the states is one pass over the array on the reader's thread; tasks move on meanwhile, so the picture is
 * consistent per record, not across records, as {@link RecordStates} says.
 */
final class InFlightTasks {

	private static final int INITIAL_SLOTS = 64;

	/** Beyond this many slots (far more than any window of records), further records are not tracked. */
	private static final int MAX_SLOTS = 1 << 24;

	private volatile AtomicReferenceArray<@Nullable RecordTask> slots = new AtomicReferenceArray<>(INITIAL_SLOTS);

	/** Where the next probe starts; consumer thread only. */
	private int cursor;

	/** Consumer thread: a record was handed out and is about to be submitted. */
	void add(RecordTask task) {
		AtomicReferenceArray<@Nullable RecordTask> current = this.slots;
		int mask = current.length() - 1;
		// past a block of busy slots rather than doubling at it: the block is passed once per trip round the array,
		// and the array doubles only when half of it is busy in a row
		int probes = current.length() / 2;
		for (int probe = 0; probe < probes; probe++) {
			int index = (this.cursor + probe) & mask;
			RecordTask there = current.getAcquire(index);
			if (there == null || there.state() == null) {
				place(current, index, task);
				return;
			}
		}
		if (current.length() >= MAX_SLOTS) {
			task.slot = -1;
			return;
		}
		AtomicReferenceArray<@Nullable RecordTask> grown = new AtomicReferenceArray<>(current.length() * 2);
		for (int i = 0; i < current.length(); i++) {
			RecordTask there = current.getAcquire(i);
			if (there != null && there.state() != null) {
				grown.setPlain(i, there);
			}
		}
		// the volatile write publishes the copied slots along with the array
		this.slots = grown;
		place(grown, current.length(), task);
	}

	private void place(AtomicReferenceArray<@Nullable RecordTask> slots, int index, RecordTask task) {
		task.slot = index;
		slots.setRelease(index, task);
		this.cursor = index + 1;
	}

	/**
	 * Worker thread: the task finished for good; it leaves its slot, while it is not yet marked finished, so that no
	 * other task can have been put there (arrays only grow, so the index is in range).
	 */
	void remove(RecordTask task) {
		int index = task.slot;
		if (index >= 0) {
			this.slots.setRelease(index, null);
		}
	}

	/** Slots in the array, for tests of its growth. */
	int capacity() {
		return this.slots.length();
	}

	/** Any thread: the unfinished records by state, as each was when it was read. */
	RecordStates states() {
		AtomicReferenceArray<@Nullable RecordTask> current = this.slots;
		RecordState[] states = RecordState.values();
		long[][] offsets = new long[states.length][];
		int[] counts = new int[states.length];
		for (int i = 0; i < states.length; i++) {
			offsets[i] = new long[16];
		}
		for (int i = 0; i < current.length(); i++) {
			RecordTask task = current.getAcquire(i);
			RecordState state = (task != null) ? task.state() : null;
			if (task == null || state == null) {
				continue;
			}
			int s = state.ordinal();
			if (counts[s] == offsets[s].length) {
				offsets[s] = Arrays.copyOf(offsets[s], counts[s] * 2);
			}
			offsets[s][counts[s]++] = task.record().offset();
		}
		Map<RecordState, long[]> byState = new EnumMap<>(RecordState.class);
		for (RecordState state : states) {
			byState.put(state, Arrays.copyOf(offsets[state.ordinal()], counts[state.ordinal()]));
		}
		return RecordStates.of(byState);
	}

}
