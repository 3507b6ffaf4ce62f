package io.waterhealer.health;

import java.util.LinkedHashMap;
import java.util.Map;

import io.waterhealer.kafka.ListenerView;
import io.waterhealer.metrics.PartitionView;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * The {@code waterhealer} health component: DOWN with the reason when the monitor's last check found a listener
 * stopped, failed fatally, stalled with pending work, or the cluster unreachable; with details per listener and
 * partition in every case. Put it in a Kubernetes liveness group so a stuck consumer is restarted.
 */
public class WaterhealerHealthIndicator extends AbstractHealthIndicator {

	private final ListenerHealthMonitor monitor;

	/**
	 * Create the indicator; it reports the monitor's last verdict and never checks on its own, so that a health
	 * request costs no call to the broker.
	 * @param monitor the monitor whose verdict is reported
	 */
	public WaterhealerHealthIndicator(ListenerHealthMonitor monitor) {
		super("waterhealer health check failed");
		this.monitor = monitor;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		HealthVerdict verdict = this.monitor.verdict();
		if (verdict.up()) {
			builder.up();
		}
		else {
			builder.down().withDetail("reason", verdict.describe());
		}
		Map<String, Object> listeners = new LinkedHashMap<>();
		this.monitor.listeners().forEach((id, view) -> listeners.put(id, details(view)));
		builder.withDetail("listeners", listeners);
	}

	private static Map<String, Object> details(ListenerView view) {
		Map<String, Object> details = new LinkedHashMap<>();
		MessageListenerContainer container = view.container();
		String state = (container == null) ? "NOT_CREATED"
				: container.isRunning() ? "RUNNING" : container.isInExpectedState() ? "STOPPED" : "FAILED";
		details.put("state", state);
		if (view.pausedByOperator()) {
			details.put("pausedBy", "operator");
		}
		Map<String, Object> partitions = new LinkedHashMap<>();
		for (PartitionView partition : view.partitions()) {
			Map<String, Object> values = new LinkedHashMap<>();
			values.put("committed", partition.committed());
			values.put("lag", partition.lag());
			values.put("incomplete", partition.incomplete());
			values.put("inFlight", partition.inFlight());
			values.put("oldestIncompleteAgeSeconds", Math.round(partition.oldestIncompleteAgeSeconds() * 10) / 10.0);
			values.put("paused", partition.paused());
			if (partition.pausedByOperator()) {
				values.put("pausedBy", "operator");
			}
			partitions.put(partition.topicPartition().toString(), values);
		}
		details.put("partitions", partitions);
		return details;
	}

}
