package io.waterhealer.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

import io.waterhealer.codec.CompletedOffsets;
import io.waterhealer.kafka.worker.AssignedPartition;
import io.waterhealer.kafka.worker.RecordProcessor;
import io.waterhealer.ledger.CommitPoint;
import io.waterhealer.ledger.OffsetLedger;
import io.waterhealer.ledger.PartitionLedger;
import io.waterhealer.metrics.ListenerMetrics;
import io.waterhealer.metrics.PartitionView;
import io.waterhealer.settings.ListenerSettings;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * The consumer-thread side of one {@code @HealingListener}: hands polled records to the ledger and the workers,
 * commits positions that moved, and keeps the ledgers in step with the partition assignment.
 * <p>
 * Every method that touches the {@link Consumer} runs on that consumer's own thread, called back by spring-kafka
 * (the batch listener, the batch interceptor's before-poll hook, the rebalance listener), because a
 * {@code KafkaConsumer} must never be used from another thread. With {@code concurrency > 1} several consumer
 * threads share this object; each only touches the partitions its consumer owns.
 */
public final class ListenerRuntime {

	private static final LogAccessor logger = new LogAccessor(ListenerRuntime.class);

	private static final Duration REVOKE_COMMIT_TIMEOUT = Duration.ofSeconds(10);

	/** How long a partition whose records could not be handed out waits before they are fetched again. */
	static final Duration HAND_OUT_RETRY = Duration.ofSeconds(1);

	private final ListenerSettings settings;

	private final OffsetLedger ledger;

	private final RecordProcessor processor;

	private final LedgerCommitter committer;

	private final Map<TopicPartition, AssignedPartition> partitions = new ConcurrentHashMap<>();

	private final ThreadLocal<long[]> nextCommitAt = ThreadLocal.withInitial(() -> new long[1]);

	private final ListenerMetrics metrics;

	private final ConsumerPathFailures handOutFailures;

	private @Nullable MessageListenerContainer container;

	private volatile @Nullable Throwable fatalFailure;

	ListenerRuntime(ListenerSettings settings, RecordProcessor processor, ListenerMetrics metrics) {
		this.settings = settings;
		this.ledger = new OffsetLedger(settings.maxInFlight(), settings.maxSpan());
		this.processor = processor;
		this.metrics = metrics;
		this.committer = new LedgerCommitter(settings.id(), settings.metadataMaxChars(), metrics);
		this.handOutFailures = new ConsumerPathFailures(settings.id());
		processor.onFatal(this::fatal);
	}

	public ListenerSettings settings() {
		return this.settings;
	}

	/**
	 * The ledgers of this listener's currently assigned partitions (on this instance).
	 * @return the offset ledger
	 */
	public OffsetLedger ledger() {
		return this.ledger;
	}

	void bind(MessageListenerContainer container) {
		this.container = container;
	}

	/**
	 * The listener's container, once created.
	 * @return the container, or {@code null} before the endpoint was registered
	 */
	public @Nullable MessageListenerContainer container() {
		return this.container;
	}

	/**
	 * Live views of the partitions currently assigned to this listener on this instance.
	 * @return the partitions
	 */
	public List<PartitionView> partitions() {
		return List.copyOf(this.partitions.values());
	}

	/**
	 * A failure the application declared fatal ({@code waterhealer.shutdown.fatal-exceptions}), if one happened.
	 * @return the failure, or {@code null}
	 */
	public @Nullable Throwable fatalFailure() {
		return this.fatalFailure;
	}

	void fatal(Throwable failure) {
		if (this.fatalFailure == null) {
			this.fatalFailure = failure;
		}
	}

	/**
	 * Consumer thread, after each poll that returned records: track and dispatch every record, partition by
	 * partition. A failure in one partition stops only that partition, before the first record it could not hand
	 * out; the other partitions of the poll are still handed out.
	 */
	void handOut(ConsumerRecords<Object, Object> records, Consumer<?, ?> consumer) {
		long now = System.nanoTime();
		for (TopicPartition topicPartition : records.partitions()) {
			handOut(topicPartition, records.records(topicPartition), consumer, now);
		}
	}

	private void handOut(TopicPartition topicPartition, List<ConsumerRecord<Object, Object>> records,
			Consumer<?, ?> consumer, long now) {
		long notHandedOut = records.get(0).offset();
		try {
			AssignedPartition partition = ownAssignment(consumer, topicPartition);
			if (partition == null) {
				return;
			}
			PartitionLedger partitionLedger = partition.ledger();
			for (ConsumerRecord<Object, Object> record : records) {
				long offset = record.offset();
				if (this.settings.debug()) {
					logger.info(() -> "@HealingListener '" + this.settings.id() + "' received " + record.topic() + "-"
							+ record.partition() + "@" + offset + " key=" + record.key());
				}
				boolean tracked = partitionLedger.handOut(offset, now);
				notHandedOut = offset + 1;
				if (tracked) {
					if (partition.completedBefore(offset)) {
						partitionLedger.complete(offset);
						this.metrics.skippedOnAssignment(topicPartition);
					}
					else {
						submit(record, partition);
					}
				}
			}
			partition.pauseIfFull();
		}
		catch (RuntimeException ex) {
			fetchAgainLater(consumer, topicPartition, notHandedOut, now, ex);
		}
	}

	/**
	 * This consumer's assignment of a partition it received records of. When a sibling consumer of this instance
	 * holds the partition, it was assigned after this consumer's last assignment of it: this consumer lost the
	 * partition (it missed a poll) and is not told yet, so its records are stale and must not touch the sibling's
	 * ledger. When nobody holds it, the assignment callback did not run or failed: it is tracked from here.
	 */
	private @Nullable AssignedPartition ownAssignment(Consumer<?, ?> consumer, TopicPartition topicPartition) {
		AssignedPartition partition = this.partitions.get(topicPartition);
		if (partition != null && partition.ownedBy(consumer)) {
			return partition;
		}
		if (partition != null) {
			logger.info(() -> "@HealingListener '" + this.settings.id() + "' ignored records of " + topicPartition
					+ " fetched by a consumer that lost it to another consumer of this instance");
			return null;
		}
		logger.warn(() -> "@HealingListener '" + this.settings.id() + "' received records of " + topicPartition
				+ " before its assignment was seen; tracking it from here");
		return assign(consumer, topicPartition, CompletedOffsets.none());
	}

	/**
	 * Records of a partition from {@code offset} on could not be handed out. They must be neither committed past nor
	 * mistaken for holes by the next {@link #skipHoles}: the consumer is sought back to them, so they are fetched
	 * again, and the partition is held paused for a while, so that a failure that repeats is retried once per hold
	 * and not once per poll. Seeking back is harmless for records already handed out: the ledger ignores offsets
	 * below its end.
	 */
	private void fetchAgainLater(Consumer<?, ?> consumer, TopicPartition topicPartition, long offset, long now,
			Exception failure) {
		this.handOutFailures.report(failure, () -> "could not hand out the records of " + topicPartition + " from "
				+ offset + " on; they are fetched again every " + HAND_OUT_RETRY.toMillis() + " ms and the "
				+ "partition's committed offset stays at or below " + offset);
		try {
			consumer.seek(topicPartition, offset);
		}
		catch (RuntimeException ex) {
			logger.debug(() -> "Could not seek " + topicPartition + " back to " + offset + ": " + ex);
		}
		AssignedPartition partition = this.partitions.get(topicPartition);
		if (partition != null && partition.ownedBy(consumer)) {
			partition.holdBack(now + HAND_OUT_RETRY.toNanos());
		}
	}

	/**
	 * Consumer thread: the poll's records did not reach {@link #handOut} in full, because something threw on the
	 * listener path (an application's batch interceptor, for one). Every partition of the poll is fetched again from
	 * its first record of the poll; see {@link #fetchAgainLater}.
	 */
	void pollFailed(ConsumerRecords<?, ?> records, Consumer<?, ?> consumer, Exception failure) {
		long now = System.nanoTime();
		for (TopicPartition topicPartition : records.partitions()) {
			List<? extends ConsumerRecord<?, ?>> partitionRecords = records.records(topicPartition);
			if (!partitionRecords.isEmpty()) {
				fetchAgainLater(consumer, topicPartition, partitionRecords.get(0).offset(), now, failure);
			}
		}
	}

	/**
	 * Hand one record to the workers. Nothing may escape to spring-kafka from here: the record is already pending in
	 * the ledger, and the records after it in this poll must still be handed out, or the next fetch position would
	 * make them look like holes. A record that cannot be submitted stays pending, so it is never committed past.
	 */
	private void submit(ConsumerRecord<Object, Object> record, AssignedPartition partition) {
		try {
			this.processor.submit(record, partition);
		}
		catch (RuntimeException ex) {
			logger.error(ex, () -> "@HealingListener '" + this.settings.id() + "' could not start "
					+ record.topic() + "-" + record.partition() + "@" + record.offset()
					+ "; it stays incomplete, so its partition's committed offset stays below it");
		}
	}

	/**
	 * Consumer thread, before every poll (also the empty ones, so that the last completions of a quiet topic are
	 * committed too): let ledgers pass offsets the consumer skipped, and commit what changed once the commit
	 * interval has passed, or at once when a partition has drained (everything handed out completed) since its last
	 * commit. Committing a drained partition at once is what lets a burst be committed within one poll of its last
	 * record, instead of up to a commit interval later; a busy partition is still committed once per interval.
	 * <p>
	 * Only this consumer's own assignments are touched. The consumer's {@code assignment()} is no guide: a consumer
	 * that missed a poll still lists partitions a sibling consumer of this instance has taken over, and moving or
	 * committing the sibling's ledger from here would pass records the sibling handed out but has not processed.
	 */
	void beforePoll(Consumer<?, ?> consumer) {
		long now = System.nanoTime();
		List<AssignedPartition> owned = ownedBy(consumer);
		for (AssignedPartition partition : owned) {
			partition.releaseHoldIfDue(now);
		}
		long[] next = this.nextCommitAt.get();
		if (now - next[0] < 0 && !anyDrainedSinceCommit(owned)) {
			return;
		}
		next[0] = now + this.settings.commitInterval().toNanos();
		skipHoles(consumer, owned);
		List<CommitPoint> sent = this.committer.commitAsync(consumer, ledgers(owned));
		if (!sent.isEmpty()) {
			Map<TopicPartition, AssignedPartition> byPartition = new HashMap<>();
			owned.forEach((partition) -> byPartition.put(partition.topicPartition(), partition));
			for (CommitPoint point : sent) {
				AssignedPartition partition = byPartition.get(point.topicPartition());
				if (partition != null) {
					partition.commitRequested(point.position());
				}
			}
		}
	}

	private List<AssignedPartition> ownedBy(Consumer<?, ?> consumer) {
		List<AssignedPartition> owned = new ArrayList<>();
		for (AssignedPartition partition : this.partitions.values()) {
			if (partition.ownedBy(consumer)) {
				owned.add(partition);
			}
		}
		return owned;
	}

	private static List<PartitionLedger> ledgers(List<AssignedPartition> partitions) {
		List<PartitionLedger> ledgers = new ArrayList<>(partitions.size());
		partitions.forEach((partition) -> ledgers.add(partition.ledger()));
		return ledgers;
	}

	private static boolean anyDrainedSinceCommit(List<AssignedPartition> owned) {
		for (AssignedPartition partition : owned) {
			if (partition.drainedSinceCommitRequest()) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Offsets below the fetch position that were never handed out (a transaction marker after the last record) are
	 * holes. Every record below the position was handed out: this runs before a poll, after the listener received
	 * everything the previous poll returned (records that could not be handed out were sought back to). The end
	 * offset for the lag gauge comes from the same numbers.
	 */
	private void skipHoles(Consumer<?, ?> consumer, List<AssignedPartition> owned) {
		for (AssignedPartition partition : owned) {
			TopicPartition topicPartition = partition.topicPartition();
			if (partition.ledger().position() >= 0) {
				try {
					long fetchPosition = consumer.position(topicPartition, Duration.ZERO);
					partition.ledger().skipTo(fetchPosition);
					OptionalLong lag = consumer.currentLag(topicPartition);
					if (lag.isPresent()) {
						partition.endOffset(fetchPosition + lag.getAsLong());
					}
				}
				catch (KafkaException | IllegalStateException ex) {
					logger.trace(() -> "No fetch position for " + topicPartition + " yet: " + ex);
				}
			}
		}
	}

	/** Consumer thread: new partitions get fresh ledgers; partitions kept across a rebalance keep theirs. */
	void assigned(Consumer<?, ?> consumer, Collection<TopicPartition> topicPartitions) {
		List<TopicPartition> added = topicPartitions.stream().filter((tp) -> {
			AssignedPartition existing = this.partitions.get(tp);
			return existing == null || !existing.ownedBy(consumer);
		}).toList();
		Map<TopicPartition, CompletedOffsets> completed = this.committer.completedBeforeAssignment(consumer, added);
		for (TopicPartition topicPartition : added) {
			assign(consumer, topicPartition, completed.getOrDefault(topicPartition, CompletedOffsets.none()));
		}
	}

	/**
	 * A new assignment of a partition to a consumer. It replaces a sibling consumer's assignment that was not
	 * revoked yet (that consumer lost the partition without being told): the sibling's ledger is closed, so its late
	 * completions are dropped, and its pause request is withdrawn, because spring-kafka would otherwise re-apply it
	 * whenever the partition comes back to that consumer, with nothing left to resume it.
	 */
	private AssignedPartition assign(Consumer<?, ?> consumer, TopicPartition topicPartition,
			CompletedOffsets completedBefore) {
		MessageListenerContainer boundContainer = this.container;
		if (boundContainer == null) {
			throw new IllegalStateException("@HealingListener '" + this.settings.id() + "' has no container");
		}
		AssignedPartition partition = new AssignedPartition(this.settings.id(), consumer,
				this.ledger.assign(topicPartition), boundContainer, completedBefore);
		AssignedPartition previous = this.partitions.put(topicPartition, partition);
		if (previous != null) {
			previous.clearPause();
		}
		try {
			this.metrics.partitionAssigned(partition);
		}
		catch (RuntimeException ex) {
			this.handOutFailures.report(ex, () -> "could not register the metrics of " + topicPartition
					+ "; the partition is consumed without them");
		}
		return partition;
	}

	/**
	 * Consumer thread: partitions are being revoked (rebalance or shutdown). Give records in flight up to the drain
	 * timeout to finish, commit what is contiguous (and what completed beyond it), then close the ledgers so late
	 * completions are ignored.
	 */
	void revoked(Consumer<?, ?> consumer, Collection<TopicPartition> topicPartitions) {
		List<AssignedPartition> ours = new ArrayList<>();
		for (TopicPartition topicPartition : topicPartitions) {
			AssignedPartition partition = this.partitions.get(topicPartition);
			if (partition != null && partition.ownedBy(consumer)) {
				ours.add(partition);
			}
		}
		if (ours.isEmpty()) {
			return;
		}
		drain(ours);
		this.committer.commitSync(consumer, ledgers(ours), REVOKE_COMMIT_TIMEOUT);
		lost(consumer, ours.stream().map(AssignedPartition::topicPartition).toList());
	}

	/**
	 * Consumer thread: partitions were lost without a chance to commit; forget this consumer's assignments of them
	 * (never another consumer's, which may already own them).
	 */
	void lost(Consumer<?, ?> consumer, Collection<TopicPartition> topicPartitions) {
		for (TopicPartition topicPartition : topicPartitions) {
			AssignedPartition partition = this.partitions.get(topicPartition);
			if (partition != null && partition.ownedBy(consumer) && this.partitions.remove(topicPartition, partition)) {
				this.ledger.revoke(topicPartition, partition.ledger());
				this.committer.forget(topicPartition);
				this.metrics.partitionRevoked(topicPartition);
				partition.clearPause();
			}
		}
	}

	private void drain(List<AssignedPartition> partitions) {
		long deadline = System.nanoTime() + this.settings.drainTimeout().toNanos();
		for (AssignedPartition partition : partitions) {
			try {
				if (!partition.ledger().awaitDrained(deadline)) {
					logger.info(() -> "@HealingListener '" + this.settings.id() + "' gave up waiting for "
							+ partition.ledger().snapshot() + " after " + this.settings.drainTimeout()
							+ "; incomplete records will be processed again by the next owner");
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	/** Stop the workers; called after the containers have stopped and committed. */
	void shutdown() {
		this.processor.shutdown(this.settings.drainTimeout().toMillis());
	}

}
