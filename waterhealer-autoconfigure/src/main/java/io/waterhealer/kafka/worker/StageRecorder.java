package io.waterhealer.kafka.worker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.waterhealer.PayloadSizeEstimator;
import io.waterhealer.Stages;
import io.waterhealer.checkpoint.Checkpoint;
import io.waterhealer.checkpoint.CheckpointStore;
import io.waterhealer.metrics.ListenerMetrics;
import io.waterhealer.metrics.ListenerMetrics.StageMeters;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

/**
 * Records what the stages of one listener do: their meters by stage and topic, the size of what they take and
 * produce, and their checkpoints.
 * <p>
 * It is the one cache of stage meters: the listener's own stage (named after its method, counted per record or
 * batch) and the stages a method runs through {@link Stages} are looked up here, so each stage and topic asks the
 * metrics for its meters once, and a stage a method names like itself shares the listener stage's meters.
 */
final class StageRecorder {

	private final String listenerId;

	private final ListenerMetrics metrics;

	private final PayloadSizeEstimator sizes;

	private final @Nullable CheckpointStore checkpoints;

	private final Map<String, Map<String, StageMeters>> byStage = new ConcurrentHashMap<>();

	StageRecorder(String listenerId, ListenerMetrics metrics, PayloadSizeEstimator sizes,
			@Nullable CheckpointStore checkpoints) {
		this.listenerId = listenerId;
		this.metrics = metrics;
		this.sizes = sizes;
		this.checkpoints = checkpoints;
	}

	/** The meters of a stage for records of a topic, asked of the metrics the first time only. */
	StageMeters meters(String stage, String topic) {
		Map<String, StageMeters> byTopic = this.byStage.get(stage);
		if (byTopic == null) {
			byTopic = this.byStage.computeIfAbsent(stage, (s) -> new ConcurrentHashMap<>());
		}
		StageMeters meters = byTopic.get(topic);
		return (meters != null) ? meters : byTopic.computeIfAbsent(topic, (t) -> this.metrics.stage(stage, t));
	}

	/** The {@link Stages} a listener method receives for one record, recording into this recorder. */
	Stages stagesFor(ConsumerRecord<?, ?> record) {
		return new MeteredStages(this, record);
	}

	/** Keep what a stage produced for a record as that stage's checkpoint, if checkpoints are on. */
	void checkpoint(String stage, ConsumerRecord<?, ?> record, @Nullable Object value) {
		if (this.checkpoints != null) {
			this.checkpoints.record(this.listenerId, stage, new Checkpoint(value, System.currentTimeMillis(),
					record.topic(), record.partition(), record.offset()));
		}
	}

	/** The size of a value, or -1: an estimator that throws must not fail a record that succeeded. */
	long sizeOf(@Nullable Object value) {
		try {
			return this.sizes.sizeOf(value);
		}
		catch (RuntimeException ex) {
			return -1;
		}
	}

}
