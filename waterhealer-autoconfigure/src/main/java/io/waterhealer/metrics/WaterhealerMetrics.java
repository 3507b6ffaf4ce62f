package io.waterhealer.metrics;

import java.util.function.Function;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Creates the Micrometer meters of each listener in one {@link MeterRegistry}.
 */
public final class WaterhealerMetrics implements ListenerMetricsFactory {

	private final MeterRegistry registry;

	private final boolean timeExecution;

	private final boolean dataSize;

	/**
	 * Create the metrics.
	 * @param registry the registry
	 * @param timeExecution whether stage durations are timed (water-healer's {@code time_execution_metrics})
	 * @param dataSize whether payload sizes are measured (water-healer's {@code data_size_metrics})
	 */
	public WaterhealerMetrics(MeterRegistry registry, boolean timeExecution, boolean dataSize) {
		this.registry = registry;
		this.timeExecution = timeExecution;
		this.dataSize = dataSize;
	}

	@Override
	public ListenerMetrics forListener(String listenerId) {
		return forListener(listenerId, (topic) -> WaterhealerMeter.Tags.MAIN_TIER);
	}

	@Override
	public ListenerMetrics forListener(String listenerId, Function<String, String> tierOfTopic) {
		return new MicrometerListenerMetrics(this.registry, listenerId, this.timeExecution, this.dataSize,
				tierOfTopic);
	}

}
