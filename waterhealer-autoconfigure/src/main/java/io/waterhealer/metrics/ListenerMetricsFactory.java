package io.waterhealer.metrics;

/**
 * Gives each listener its {@link ListenerMetrics}; a bean of this type switches metrics on.
 */
@FunctionalInterface
public interface ListenerMetricsFactory {

	/**
	 * The metrics of one listener.
	 * @param listenerId the listener
	 * @return its metrics
	 */
	ListenerMetrics forListener(String listenerId);

}
