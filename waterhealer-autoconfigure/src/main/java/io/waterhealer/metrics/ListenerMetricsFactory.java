package io.waterhealer.metrics;

import java.util.function.Function;

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

	/**
	 * The metrics of one listener whose records come from retry tiers as well as its own topics.
	 * @param listenerId the listener
	 * @param tierOfTopic the tier name of a record's topic ({@code 10s}), {@code main} for the listener's own
	 * @return its metrics
	 */
	default ListenerMetrics forListener(String listenerId, Function<String, String> tierOfTopic) {
		return forListener(listenerId);
	}

}
