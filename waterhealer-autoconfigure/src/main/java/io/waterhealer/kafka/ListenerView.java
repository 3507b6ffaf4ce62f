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
	 * The records this listener may start per second (minute, hour) on this instance, as now in force.
	 * @return {@code unlimited}, or e.g. {@code 500/s}
	 */
	String rate();

	/**
	 * Change the rate live: records waiting for a token, and those handed out next, start at the new rate; records
	 * running keep running. Safe from any thread: it touches only the worker side, never a consumer.
	 * @param rate {@code N/s}, {@code N/m}, {@code N/h} or {@code unlimited}
	 * @throws IllegalArgumentException naming the value and the accepted forms when it is none of them
	 */
	void changeRate(String rate);

	/**
	 * How many records this listener may run at once on this instance, as now in force.
	 * @return the parallelism
	 */
	int parallelism();

	/**
	 * Change the parallelism live: a higher bound lets more records start at once, a lower one applies as running
	 * records finish (none is interrupted). Safe from any thread: it touches only the worker side, never a consumer.
	 * @param parallelism the new bound, at least 1
	 * @throws IllegalArgumentException when it is below 1
	 */
	void changeParallelism(int parallelism);

	/**
	 * Whether a partition waits on purpose for its head record's due time: a retry tier partition held until then.
	 * The health check does not judge such a partition stalled.
	 * @param topicPartition the partition
	 * @return whether it is held until its head record is due
	 */
	default boolean heldUntilDue(TopicPartition topicPartition) {
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

}
