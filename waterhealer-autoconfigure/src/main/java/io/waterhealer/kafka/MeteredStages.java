package io.waterhealer.kafka;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

import io.waterhealer.PayloadSizeEstimator;
import io.waterhealer.Stages;

/**
 * The {@link Stages} given to a listener method for one record: each step is counted, timed and sized under its
 * stage name and the record's topic. The meters of each stage and topic are looked up once and then cached.
 */
final class MeteredStages implements Stages {

	private final StageCatalog catalog;

	private final String topic;

	MeteredStages(StageCatalog catalog, String topic) {
		this.catalog = catalog;
		this.topic = topic;
	}

	@Override
	public <I, O> O apply(String stage, I input, Function<? super I, ? extends O> step) {
		ListenerMetrics.StageMeters meters = this.catalog.meters(stage, this.topic);
		meters.in(this.catalog.sizeOf(input));
		long start = meters.timed() ? System.nanoTime() : 0;
		try {
			O output = step.apply(input);
			meters.out(this.catalog.sizeOf(output));
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

		StageCatalog(ListenerMetrics metrics, PayloadSizeEstimator sizes) {
			this.metrics = metrics;
			this.sizes = sizes;
		}

		ListenerMetrics.StageMeters meters(String stage, String topic) {
			return this.byStage.computeIfAbsent(stage, (s) -> new ConcurrentHashMap<>())
				.computeIfAbsent(topic, (t) -> this.metrics.stage(stage, t));
		}

		long sizeOf(Object value) {
			return this.sizes.sizeOf(value);
		}

	}

}
