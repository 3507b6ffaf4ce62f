package io.waterhealer.kafka;

import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;

import org.springframework.core.log.LogAccessor;

/**
 * Where a listener starts in a partition that has no committed offset: a new group, or one whose offsets expired
 * after the broker's {@code offsets.retention.minutes}.
 * <p>
 * Kafka's own default, {@code latest}, starts at the end and so skips, without a word, every record produced before
 * the group first joined: for a library whose promise is that nothing is lost, the wrong default. waterhealer's
 * listeners therefore start at the {@code earliest} record unless the application set
 * {@code spring.kafka.consumer.auto-offset-reset} (or the consumer property {@code auto.offset.reset}) itself; an
 * explicit {@code latest} or {@code none} stays the application's choice. Either way the start-up log says which
 * reset applies, so that nobody has to guess why a topic's old records were or were not processed.
 */
final class OffsetResetDefault {

	private static final LogAccessor logger = new LogAccessor(OffsetResetDefault.class);

	static final String DEFAULT = "earliest";

	private OffsetResetDefault() {
	}

	/**
	 * Add waterhealer's default to a listener's consumer properties when the consumer factory has no reset of its
	 * own, and log which reset applies.
	 * @param listenerId the listener, for the log
	 * @param consumerConfig the consumer factory's configuration
	 * @param properties the listener's consumer properties (they win over the factory's)
	 */
	static void apply(String listenerId, Map<String, Object> consumerConfig, Properties properties) {
		Object configured = properties.getProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG);
		if (configured == null) {
			configured = consumerConfig.get(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG);
		}
		if (configured == null || configured.toString().isBlank()) {
			properties.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, DEFAULT);
			logger.info(() -> "@HealingListener '" + listenerId + "' starts a partition without a committed offset "
					+ "at its earliest record (auto.offset.reset=earliest, waterhealer's default: Kafka's default "
					+ "'latest' would skip the records produced before the group first joined). Set "
					+ "spring.kafka.consumer.auto-offset-reset to choose otherwise");
			return;
		}
		String reset = configured.toString().trim();
		logger.info(() -> "@HealingListener '" + listenerId + "' starts a partition without a committed offset at "
				+ "auto.offset.reset=" + reset + " (set by the application)"
				+ ("latest".equalsIgnoreCase(reset) ? "; records produced before the group first joined, or after its "
						+ "committed offsets expired, are not processed" : ""));
	}

}
