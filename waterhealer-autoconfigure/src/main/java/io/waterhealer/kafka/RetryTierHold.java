package io.waterhealer.kafka;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.waterhealer.kafka.worker.RetryTierHeaders;
import io.waterhealer.metrics.ListenerMetrics;
import io.waterhealer.metrics.TierPartitionView;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

import org.springframework.core.log.LogAccessor;

/**
 * Holds a retry tier partition until its head record is due: when a poll returns a record that is not, the consumer
 * is sought back to it and the partition paused; before each poll, a partition whose head has come due is resumed.
 * Nothing waits on a worker thread and nothing is handed out early: a record is handed out only once the wall clock
 * has passed the due time in its {@link RetryTierHeaders#DUE} header.
 * <p>
 * The pause is the consumer's own ({@code Consumer.pause}), made and ended on the consumer thread right before the
 * poll: a resume requested through the container would only take effect after the next poll, one poll timeout late.
 * The container's own pauses (a full window) are left alone: a partition the container wants paused and this hold
 * resumed is paused again by the container before its next poll. Records of one tier partition are due in offset
 * order (each was published with the same delay), so holding at the head never holds back a record that is due.
 * <p>
 * Tier consumers poll with a short timeout and ask the broker to answer fetches quickly ({@link #POLL_TIMEOUT_MILLIS},
 * {@link #FETCH_MAX_WAIT_MILLIS}), so that a partition resumed at its due time gets its records within tens of
 * milliseconds, not after a long poll of the tier's other partitions. Their records are few, so that costs nothing.
 */
final class RetryTierHold {

	private static final LogAccessor logger = new LogAccessor(RetryTierHold.class);

	/** The longest a tier consumer waits in a poll, and so the most a due record waits for its partition's resume. */
	static final long POLL_TIMEOUT_MILLIS = 20;

	/** How long the broker may wait for data before it answers a tier consumer's fetch. */
	static final int FETCH_MAX_WAIT_MILLIS = 50;

	private final Function<String, String> tierOfTopic;

	private final ListenerMetrics metrics;

	private final Map<TopicPartition, Held> partitions = new ConcurrentHashMap<>();

	RetryTierHold(Function<String, String> tierOfTopic, ListenerMetrics metrics) {
		this.tierOfTopic = tierOfTopic;
		this.metrics = metrics;
	}

	/**
	 * Consumer thread, hand-out: whether a record must wait. If so, the consumer is sought back to it and its
	 * partition paused until it is due; the records after it in the poll are fetched again then.
	 * @param consumer the consumer that polled it
	 * @param record the partition's next record
	 * @return whether the record (and the rest of its partition's poll) must not be handed out yet
	 */
	boolean holds(Consumer<?, ?> consumer, ConsumerRecord<?, ?> record) {
		TopicPartition topicPartition = new TopicPartition(record.topic(), record.partition());
		Held held = held(consumer, topicPartition);
		long due = RetryTierHeaders.number(record.headers(), RetryTierHeaders.DUE, 0);
		if (System.currentTimeMillis() >= due) {
			held.headDue = 0;
			return false;
		}
		held.headDue = due;
		held.until = due;
		consumer.seek(topicPartition, record.offset());
		consumer.pause(List.of(topicPartition));
		return true;
	}

	/**
	 * Whether a tier partition is held now because its head record is not due yet: it waits on purpose, so the
	 * health check must not take its unmoving committed position for a stall (a tier delay may well exceed the stall
	 * timeout). Safe from any thread.
	 * @param topicPartition the partition
	 * @return whether it is held until its head is due
	 */
	boolean heldUntilDue(TopicPartition topicPartition) {
		Held held = this.partitions.get(topicPartition);
		return held != null && held.until != 0;
	}

	/**
	 * Consumer thread, right before a poll: resume the partitions of this consumer whose head record is due, and note
	 * how many records each tier partition has waiting.
	 * @param consumer the consumer about to poll
	 */
	void beforePoll(Consumer<?, ?> consumer) {
		long now = System.currentTimeMillis();
		for (Map.Entry<TopicPartition, Held> entry : this.partitions.entrySet()) {
			Held held = entry.getValue();
			if (held.owner != consumer) {
				continue;
			}
			TopicPartition topicPartition = entry.getKey();
			try {
				if (held.until != 0 && now >= held.until) {
					held.until = 0;
					consumer.resume(List.of(topicPartition));
				}
				OptionalLong lag = consumer.currentLag(topicPartition);
				if (lag.isPresent()) {
					held.depth = lag.getAsLong();
				}
			}
			catch (IllegalStateException | KafkaException ex) {
				logger.debug(() -> "Retry tier partition " + topicPartition + " is not assigned any more: " + ex);
			}
		}
	}

	/**
	 * Consumer thread: tier partitions were assigned. A pause this hold made for an earlier assignment must not
	 * outlive it: they start resumed, and their head is looked at again.
	 * @param consumer the consumer they were assigned to
	 * @param topicPartitions the partitions
	 */
	void assigned(Consumer<?, ?> consumer, Collection<TopicPartition> topicPartitions) {
		for (TopicPartition topicPartition : topicPartitions) {
			Held previous = this.partitions.remove(topicPartition);
			if (previous != null && previous.until != 0 && previous.owner == consumer) {
				try {
					consumer.resume(List.of(topicPartition));
				}
				catch (IllegalStateException ex) {
					logger.debug(() -> "Could not resume " + topicPartition + ": " + ex);
				}
			}
			held(consumer, topicPartition);
		}
	}

	/**
	 * Consumer thread: tier partitions were revoked or lost.
	 * @param topicPartitions the partitions
	 */
	void forget(Collection<TopicPartition> topicPartitions) {
		topicPartitions.forEach(this.partitions::remove);
	}

	private Held held(Consumer<?, ?> consumer, TopicPartition topicPartition) {
		Held held = this.partitions.get(topicPartition);
		if (held == null || held.owner != consumer) {
			held = new Held(consumer, topicPartition, this.tierOfTopic.apply(topicPartition.topic()));
			this.partitions.put(topicPartition, held);
			this.metrics.tierPartitionAssigned(held);
		}
		return held;
	}

	/** One tier partition as this hold sees it; written on its consumer thread, read by gauges. */
	private static final class Held implements TierPartitionView {

		private final Consumer<?, ?> owner;

		private final TopicPartition topicPartition;

		private final String tier;

		/** When the hold ends, epoch milliseconds; 0 when the partition is not held. */
		private volatile long until;

		/** The due time of the head record not handed out yet, epoch milliseconds; 0 when none is waiting. */
		private volatile long headDue;

		private volatile long depth;

		Held(Consumer<?, ?> owner, TopicPartition topicPartition, String tier) {
			this.owner = owner;
			this.topicPartition = topicPartition;
			this.tier = tier;
		}

		@Override
		public TopicPartition topicPartition() {
			return this.topicPartition;
		}

		@Override
		public String tier() {
			return this.tier;
		}

		@Override
		public long depth() {
			return this.depth;
		}

		@Override
		public double dueLagSeconds() {
			long due = this.headDue;
			long late = System.currentTimeMillis() - due;
			return (due == 0 || late <= 0) ? 0 : late / 1000.0;
		}

	}

}
