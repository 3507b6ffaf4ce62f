package io.waterhealer.checkpoint;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * The last value produced by each stage of each listener. Writing a checkpoint replaces a reference (one small
 * object per record and stage), so it costs about as much as the record's own bookkeeping; values are only turned
 * into text, capped at a maximum length, when somebody reads them.
 * <p>
 * Values can hold personal data: the store keeps only the last value per stage, and exposing them is the
 * application's choice (the {@code checkpoints} actuator endpoint is not exposed over HTTP by default, and renders
 * without the values unless told otherwise).
 */
public final class CheckpointStore {

	private final Map<String, Map<String, Checkpoint>> byListener = new ConcurrentHashMap<>();

	private final int maxValueLength;

	/**
	 * Create a store.
	 * @param maxValueLength the longest rendering of a value; longer ones are cut and marked
	 */
	public CheckpointStore(int maxValueLength) {
		this.maxValueLength = maxValueLength;
	}

	/**
	 * Record what a stage produced.
	 * @param listenerId the listener
	 * @param stage the stage
	 * @param checkpoint the value and where it came from
	 */
	public void record(String listenerId, String stage, Checkpoint checkpoint) {
		Map<String, Checkpoint> stages = this.byListener.get(listenerId);
		if (stages == null) {
			stages = this.byListener.computeIfAbsent(listenerId, (id) -> new ConcurrentHashMap<>());
		}
		stages.put(stage, checkpoint);
	}

	/**
	 * The checkpoints of every listener, values rendered and capped.
	 * @return listener id to stage to checkpoint
	 */
	public Map<String, Map<String, Map<String, Object>>> render() {
		return render(true);
	}

	/**
	 * The checkpoints of every listener.
	 * @param withValues whether to include the values (rendered and capped) and their types, or only where and
	 * when each stage last produced one
	 * @return listener id to stage to checkpoint
	 */
	public Map<String, Map<String, Map<String, Object>>> render(boolean withValues) {
		Map<String, Map<String, Map<String, Object>>> result = new TreeMap<>();
		this.byListener.forEach((listener, stages) -> result.put(listener, render(stages, withValues)));
		return result;
	}

	/**
	 * The checkpoints of one listener, values rendered and capped.
	 * @param listenerId the listener
	 * @return stage to checkpoint, or {@code null} for an unknown listener
	 */
	public @Nullable Map<String, Map<String, Object>> render(String listenerId) {
		return render(listenerId, true);
	}

	/**
	 * The checkpoints of one listener.
	 * @param listenerId the listener
	 * @param withValues whether to include the values, see {@link #render(boolean)}
	 * @return stage to checkpoint, or {@code null} for an unknown listener
	 */
	public @Nullable Map<String, Map<String, Object>> render(String listenerId, boolean withValues) {
		Map<String, Checkpoint> stages = this.byListener.get(listenerId);
		return (stages != null) ? render(stages, withValues) : null;
	}

	/** Forget every checkpoint. */
	public void clear() {
		this.byListener.clear();
	}

	private Map<String, Map<String, Object>> render(Map<String, Checkpoint> stages, boolean withValues) {
		Map<String, Map<String, Object>> result = new TreeMap<>();
		stages.forEach((stage, checkpoint) -> {
			Map<String, Object> view = new LinkedHashMap<>();
			if (withValues) {
				view.put("value", cap(String.valueOf(checkpoint.value())));
				view.put("type", (checkpoint.value() != null) ? checkpoint.value().getClass().getName() : "null");
			}
			view.put("time", Instant.ofEpochMilli(checkpoint.epochMillis()).toString());
			view.put("topic", checkpoint.topic());
			view.put("partition", checkpoint.partition());
			view.put("offset", checkpoint.offset());
			result.put(stage, view);
		});
		return result;
	}

	private String cap(String text) {
		if (text.length() <= this.maxValueLength) {
			return text;
		}
		return text.substring(0, this.maxValueLength) + "... (" + text.length() + " characters)";
	}

}
