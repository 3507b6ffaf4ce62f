package io.waterhealer.kafka.worker;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.waterhealer.metrics.ListenerMetrics;

/**
 * Listener metrics for unit tests: every stage's meters record what they were told, and every lookup of a stage's
 * meters is counted, so a test sees both what a record did to its stage and how often meters were asked for.
 */
final class RecordingMetrics implements ListenerMetrics {

	final List<String> lookups = new CopyOnWriteArrayList<>();

	private final Map<String, Meters> meters = new ConcurrentHashMap<>();

	@Override
	public StageMeters stage(String stage, String topic) {
		this.lookups.add(stage + "/" + topic);
		return this.meters.computeIfAbsent(stage + "/" + topic, (name) -> new Meters());
	}

	/** The meters of a stage and topic, whether or not anything asked for them yet. */
	Meters of(String stage, String topic) {
		return this.meters.computeIfAbsent(stage + "/" + topic, (name) -> new Meters());
	}

	static final class Meters implements StageMeters {

		final List<Long> in = new CopyOnWriteArrayList<>();

		final List<Long> out = new CopyOnWriteArrayList<>();

		final List<Throwable> errors = new CopyOnWriteArrayList<>();

		final List<Long> durations = new CopyOnWriteArrayList<>();

		@Override
		public boolean timed() {
			return true;
		}

		@Override
		public void in(long bytes) {
			this.in.add(bytes);
		}

		@Override
		public void out(long bytes) {
			this.out.add(bytes);
		}

		@Override
		public void error(Throwable failure) {
			this.errors.add(failure);
		}

		@Override
		public void duration(long nanos) {
			this.durations.add(nanos);
		}

	}

}
