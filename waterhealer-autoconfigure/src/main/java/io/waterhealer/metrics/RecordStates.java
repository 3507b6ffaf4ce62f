package io.waterhealer.metrics;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * The incomplete records of one partition by {@link RecordState}, as the worker side saw them at one moment: each
 * record is read on its own, without stopping the workers, so a record that moved on while the picture was taken may
 * appear in its old state or not at all. Good enough for a page refreshed every second, never a basis for a decision.
 */
public final class RecordStates {

	/** No records, or a partition whose worker side does not report states. */
	public static final RecordStates NONE = new RecordStates(new EnumMap<>(RecordState.class));

	private final Map<RecordState, long[]> offsets;

	private RecordStates(Map<RecordState, long[]> offsets) {
		this.offsets = offsets;
	}

	/**
	 * The states of the given records.
	 * @param offsets the offsets of the records in each state, in any order; copied and sorted
	 * @return the states
	 */
	public static RecordStates of(Map<RecordState, long[]> offsets) {
		Map<RecordState, long[]> sorted = new EnumMap<>(RecordState.class);
		offsets.forEach((state, values) -> {
			long[] copy = values.clone();
			Arrays.sort(copy);
			sorted.put(state, copy);
		});
		return new RecordStates(sorted);
	}

	/**
	 * The offsets of the records in a state.
	 * @param state the state
	 * @return their offsets, ascending (a copy)
	 */
	public long[] offsets(RecordState state) {
		long[] values = this.offsets.get(state);
		return (values != null) ? values.clone() : new long[0];
	}

	/**
	 * How many records are in a state.
	 * @param state the state
	 * @return the count
	 */
	public int count(RecordState state) {
		long[] values = this.offsets.get(state);
		return (values != null) ? values.length : 0;
	}

}
