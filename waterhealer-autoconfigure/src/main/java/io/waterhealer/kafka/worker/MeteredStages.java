package io.waterhealer.kafka.worker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

import io.waterhealer.PayloadSizeEstimator;
import io.waterhealer.Stages;
import io.waterhealer.checkpoint.Checkpoint;
import io.waterhealer.checkpoint.CheckpointStore;
import io.waterhealer.metrics.ListenerMetrics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Stages} given to a listener method for one record: each step is counted, timed and sized under its
 * stage name and the record's topic, and its output becomes the stage's checkpoint. The meters of each stage and
 * topic are looked up once and then cached.
 */
final class MeteredStages implements Stages {

	private final StageCatalog catalog;

	private final ConsumerRecord<?, ?> record;

	private final String topic;

	MeteredStages(StageCatalog catalog, ConsumerRecord<?, ?> record) {
		this.catalog = catalog;
		this.record = record;
		this.topic = record.topic();
	}

	@Override
	public <I, O> O apply(String stage, I input, Function<? super I, ? extends O> step) {
		ListenerMetrics.StageMeters meters = this.catalog.meters(stage, this.topic);
		meters.in(this.catalog.sizeOf(input));
		long start = meters.timed() ? System.nanoTime() : 0;
		try {
			O output = step.apply(input);
			meters.out(this.catalog.sizeOf(output));
			this.catalog.checkpoint(stage, this.record, output);
			return output;
		}
		catch (RuntimeException | Error ex) {
			meters.error(ex);
			throw ex;
		}
		finally {
			if (meters.timed()) {
				meters.duration(System.nanoTime() - start);
			}
		}
	}

	@Override
	public <I> void accept(String stage, I input, Consumer<? super I> step) {
		apply(stage, input, (value) -> {
			step.accept(value);
			return null;
		});
	}

	/** The stage meters of one listener, by stage and topic, and how payloads are sized. */
	static final class StageCatalog {

		private final ListenerMetrics metrics;

		private final PayloadSizeEstimator sizes;

		private final Map<String, Map<String, ListenerMetrics.StageMeters>> byStage = new ConcurrentHashMap<>();

		private final String listenerId;

		private final @Nullable CheckpointStore checkpoints;

		StageCatalog(String listenerId, ListenerMetrics metrics, PayloadSizeEstimator sizes,
				@Nullable CheckpointStore checkpoints) {
			this.listenerId = listenerId;
			this.metrics = metrics;
			this.sizes = sizes;
			this.checkpoints = checkpoints;
		}

		/** Keep what a stage produced for a record as that stage's checkpoint, if checkpoints are on. */
		void checkpoint(String stage, ConsumerRecord<?, ?> record, @Nullable Object value) {
			if (this.checkpoints != null) {
				this.checkpoints.record(this.listenerId, stage, new Checkpoint(value, System.currentTimeMillis(),
						record.topic(), record.partition(), record.offset()));
			}
		}

		ListenerMetrics.StageMeters meters(String stage, String topic) {
			return this.byStage.computeIfAbsent(stage, (s) -> new ConcurrentHashMap<>())
				.computeIfAbsent(topic, (t) -> this.metrics.stage(stage, t));
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

}
