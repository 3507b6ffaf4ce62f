package io.waterhealer.health;

import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one check: UP, or DOWN with the reason and, where one is to blame, the listener and partition and
 * that partition's last committed offset.
 *
 * @param up whether everything is healthy
 * @param reason why not, empty when up
 * @param listenerId the listener to blame, if any
 * @param partition the partition to blame, if any
 * @param committed that partition's last committed offset, -1 when unknown
 * @param awaitsOperator whether only an operator can cure it, so that exiting would not help: a dead-letter storm
 * comes back after a restart with the same configuration, at the cost of another threshold of dead letters
 */
public record HealthVerdict(boolean up, String reason, @Nullable String listenerId,
		@Nullable TopicPartition partition, long committed, boolean awaitsOperator) {

	static final HealthVerdict UP = new HealthVerdict(true, "", null, null, -1, false);

	static HealthVerdict down(String reason, @Nullable String listenerId, @Nullable TopicPartition partition,
			long committed) {
		return new HealthVerdict(false, reason, listenerId, partition, committed, false);
	}

	static HealthVerdict awaitingOperator(String reason, String listenerId) {
		return new HealthVerdict(false, reason, listenerId, null, -1, true);
	}

	/**
	 * One line for logs: the reason, the listener, the partition and its committed offset.
	 * @return the description
	 */
	public String describe() {
		StringBuilder line = new StringBuilder(this.reason);
		if (this.listenerId != null) {
			line.append(" (listener '").append(this.listenerId).append('\'');
			if (this.partition != null) {
				line.append(", partition ").append(this.partition).append(", last committed offset ")
					.append(this.committed);
			}
			line.append(')');
		}
		return line.toString();
	}

}
