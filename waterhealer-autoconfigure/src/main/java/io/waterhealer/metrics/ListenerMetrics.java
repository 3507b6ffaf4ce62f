package io.waterhealer.metrics;

import org.apache.kafka.common.TopicPartition;

/**
 * What a listener reports as it runs: per-stage measurements on the record path, and the life of its partitions and
 * commits. The Micrometer implementation lives in {@code io.waterhealer.metrics}; {@link #NONE} costs nothing, so
 * the record path never checks whether metrics are on.
 */
public interface ListenerMetrics {

	/** Reports nothing. */
	ListenerMetrics NONE = new ListenerMetrics() {
	};

	/**
	 * The meters of one stage of this listener for records of one topic; called once per stage and topic, the
	 * result is cached by the caller.
	 * @param stage the stage name
	 * @param topic the topic
	 * @return the stage's meters
	 */
	default StageMeters stage(String stage, String topic) {
		return StageMeters.NONE;
	}

	/**
	 * A partition was assigned: register what is read from it on demand (gauges).
	 * @param partition a live view of the partition
	 */
	default void partitionAssigned(PartitionView partition) {
	}

	/**
	 * A retry tier partition was assigned: register its tier gauges. They are removed by
	 * {@link #partitionRevoked(TopicPartition)}.
	 * @param partition a live view of the tier partition
	 */
	default void tierPartitionAssigned(TierPartitionView partition) {
	}

	/**
	 * A partition was revoked or lost: remove its meters, so that no stale series remains.
	 * @param topicPartition the partition
	 */
	default void partitionRevoked(TopicPartition topicPartition) {
	}

	/**
	 * A commit request finished.
	 * @param success whether the broker accepted it
	 * @param synchronous whether it was a synchronous commit (revocation, shutdown)
	 * @param nanos how long it took from request to answer
	 */
	default void commit(boolean success, boolean synchronous, long nanos) {
	}

	/**
	 * A record was skipped on assignment because the commit metadata said it was already complete.
	 * @param topicPartition its partition
	 */
	default void skippedOnAssignment(TopicPartition topicPartition) {
	}

	/**
	 * The offsets completed beyond a partition's position did not all fit in the commit metadata.
	 * @param topicPartition the partition
	 */
	default void metadataTruncated(TopicPartition topicPartition) {
	}

	/**
	 * A record (or a batch) started under the listener's rate limit after waiting this long for its token.
	 * @param nanos the wait, 0 when a token was there
	 */
	default void rateLimitWait(long nanos) {
	}

	/**
	 * Dead letters were replayed from a dead-letter topic to their original topics.
	 * @param deadLetterTopic the dead-letter topic
	 * @param count how many
	 */
	default void deadLettersReplayed(String deadLetterTopic, long count) {
	}

	/** The meters of one stage and topic. */
	interface StageMeters {

		/** Measures nothing. */
		StageMeters NONE = new StageMeters() {
		};

		/**
		 * Whether durations are measured; when not, callers skip reading the clock.
		 * @return whether {@link #duration(long)} records anything
		 */
		default boolean timed() {
			return false;
		}

		/**
		 * A record entered the stage (once per record, not per attempt).
		 * @param bytes its size, negative when unknown
		 */
		default void in(long bytes) {
		}

		/**
		 * A record left the stage successfully.
		 * @param bytes the size of what the stage produced, negative when unknown
		 */
		default void out(long bytes) {
		}

		/**
		 * An attempt failed.
		 * @param failure the exception
		 */
		default void error(Throwable failure) {
		}

		/**
		 * An attempt took this long, successful or not.
		 * @param nanos the duration
		 */
		default void duration(long nanos) {
		}

	}

}
