package io.waterhealer.kafka;

import java.util.List;
import java.util.Set;

import io.waterhealer.ledger.OffsetLedger;
import io.waterhealer.metrics.PartitionView;
import io.waterhealer.settings.ListenerSettings;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * What the health check and the actuator endpoints read of one {@code @HealingListener} on this instance.
 * <p>
 * They run on their own threads (the health scheduler, request threads), while the runtime behind this view is
 * driven by the consumer threads: its hand-out, commit and rebalance entry points must never be called from
 * anywhere else, because a {@code KafkaConsumer} is not thread-safe and the ledgers assume one writer per
 * assignment. This view gives those readers what they need and nothing they could break the consumer with: the
 * operator's controls (pause, resume) only record an intent and ask the container, which applies it on the consumer
 * thread before the next poll.
 */
public interface ListenerView {

	/**
	 * The listener's settings, as resolved from its annotation and the properties.
	 * @return the settings
	 */
	ListenerSettings settings();

	/**
	 * The ledgers of this listener's currently assigned partitions (on this instance).
	 * @return the offset ledger
	 */
	OffsetLedger ledger();

	/**
	 * Live views of the partitions currently assigned to this listener on this instance.
	 * @return the partitions
	 */
	List<PartitionView> partitions();

	/**
	 * The listener's container, once created.
	 * @return the container, or {@code null} before the endpoint was registered
	 */
	@Nullable MessageListenerContainer container();

	/**
	 * A failure the application declared fatal ({@code waterhealer.shutdown.fatal-exceptions}), if one happened.
	 * @return the failure, or {@code null}
	 */
	@Nullable Throwable fatalFailure();

	/**
	 * Why this listener stopped applying its failure policy and paused, if a dead-letter storm made it: what
	 * happened (the exception type, how many records) and what to do.
	 * @return the reason, or {@code null}
	 */
	default @Nullable String deadLetterStorm() {
		return null;
	}

	/**
	 * Go on after a dead-letter storm: the records held since are attempted again and the paused partitions resume.
	 * Safe from any thread: it touches only the workers and the containers' pause requests, never a consumer.
	 * @return whether a storm had stopped the listener
	 */
	default boolean resumeAfterStorm() {
		return false;
	}

	/**
	 * Whether an operator paused the whole listener ({@link #pause()}).
	 * @return whether the listener is paused by an operator
	 */
	boolean pausedByOperator();

	/**
	 * The partitions an operator paused one by one ({@link #pause(TopicPartition)}), assigned here or not: the pause
	 * is remembered until resumed, and holds the partition whenever it is assigned to this instance.
	 * @return the partitions
	 */
	Set<TopicPartition> partitionsPausedByOperator();

	/**
	 * Pause every partition of the listener on this instance, now and after every rebalance, until {@link #resume()}.
	 * Records already running finish; records fetched but not handed out are fetched again after the resume. Safe
	 * from any thread: it records the operator's intent and asks the container to pause, never touching a consumer.
	 */
	void pause();

	/** Resume the listener and every partition an operator paused one by one; safe from any thread. */
	void resume();

	/**
	 * Pause one partition, as {@link #pause()} does for all; safe from any thread.
	 * @param topicPartition the partition
	 */
	void pause(TopicPartition topicPartition);

	/**
	 * Resume a partition paused with {@link #pause(TopicPartition)}; a listener paused as a whole stays paused.
	 * @param topicPartition the partition
	 */
	void resume(TopicPartition topicPartition);

	// MERGE: replaced by i16-rate
	/**
	 * The listener's rate limit, as written ({@code "500/s"}), or {@code null} when it has none.
	 * @return the rate
	 */
	default @Nullable String rate() {
		throw new UnsupportedOperationException("needs the rate-limit branch");
	}

	// MERGE: replaced by i16-rate
	/**
	 * Change the rate limit live.
	 * @param rate the new rate ({@code "200/s"})
	 * @throws IllegalArgumentException when the value is not a rate
	 */
	default void changeRate(String rate) {
		throw new UnsupportedOperationException("needs the rate-limit branch");
	}

	// MERGE: replaced by i16-rate
	/**
	 * How many records the listener processes at the same time, now.
	 * @return the parallelism
	 */
	default int parallelism() {
		throw new UnsupportedOperationException("needs the rate-limit branch");
	}

	// MERGE: replaced by i16-rate
	/**
	 * Change the parallelism live.
	 * @param parallelism the new parallelism
	 * @throws IllegalArgumentException when the value is out of range
	 */
	default void changeParallelism(int parallelism) {
		throw new UnsupportedOperationException("needs the rate-limit branch");
	}

}
