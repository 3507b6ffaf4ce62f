package io.waterhealer.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import io.waterhealer.codec.CompletedOffsets;
import io.waterhealer.kafka.worker.AssignedPartition;
import io.waterhealer.kafka.worker.DeadLetterStorm;
import io.waterhealer.kafka.worker.RecordProcessor;
import io.waterhealer.ledger.CommitPoint;
import io.waterhealer.ledger.OffsetLedger;
import io.waterhealer.ledger.PartitionLedger;
import io.waterhealer.metrics.ListenerMetrics;
import io.waterhealer.metrics.PartitionView;
import io.waterhealer.settings.ListenerSettings;
import io.waterhealer.settings.RateLimit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * The consumer-thread side of one {@code @HealingListener}: hands polled records to the ledger and the workers, and
 * paces the commits of positions that moved. Which consumer holds which partition, and the ledgers' lifecycle from
 * assignment to revocation, is {@link PartitionAssignments}' job; the rebalance callbacks pass through here only so
 * that spring-kafka's hooks have one object per listener to call.
 * <p>
 * Every method that touches the {@link Consumer} runs on that consumer's own thread, called back by spring-kafka
 * (the batch listener, the batch interceptor's before-poll hook, the rebalance listener), because a
 * {@code KafkaConsumer} must never be used from another thread. With {@code concurrency > 1} several consumer
 * threads share this object; each only touches the partitions its consumer owns. Health and actuator code see it
 * only as a {@link ListenerView}, so that they cannot reach those entry points.
 */
final class ListenerRuntime implements ListenerView {

	private static final LogAccessor logger = new LogAccessor(ListenerRuntime.class);

	/** How long a partition whose records could not be handed out waits before they are fetched again. */
	static final Duration HAND_OUT_RETRY = Duration.ofSeconds(1);

	private final ListenerSettings settings;

	private final OffsetLedger ledger;

	private final RecordProcessor processor;

	private final LedgerCommitter committer;

	private final PartitionAssignments assignments;

	private final ThreadLocal<long[]> nextCommitAt = ThreadLocal.withInitial(() -> new long[1]);

	private final ListenerMetrics metrics;

	private final ConsumerPathFailures handOutFailures;

	private volatile @Nullable Throwable fatalFailure;

	private final @Nullable RetryTierHold tierHold;

	ListenerRuntime(ListenerSettings settings, RecordProcessor processor, ListenerMetrics metrics) {
		this(settings, processor, metrics, null);
	}

	/**
	 * A runtime whose partitions are retry tier partitions, each held until its head record is due.
	 * @param tierHold holds the tier partitions, or {@code null} for the listener's own topics
	 */
	ListenerRuntime(ListenerSettings settings, RecordProcessor processor, ListenerMetrics metrics,
			@Nullable RetryTierHold tierHold) {
		this.tierHold = tierHold;
		this.settings = settings;
		this.ledger = new OffsetLedger(settings.maxInFlight(), settings.maxSpan());
		this.processor = processor;
		this.metrics = metrics;
		this.committer = new LedgerCommitter(settings.id(), settings.metadataMaxChars(), metrics);
		this.handOutFailures = new ConsumerPathFailures(settings.id());
		this.assignments = new PartitionAssignments(settings, this.ledger, this.committer, metrics,
				this.handOutFailures);
		processor.onFatal(this::fatal);
	}

	@Override
	public ListenerSettings settings() {
		return this.settings;
	}

	@Override
	public OffsetLedger ledger() {
		return this.ledger;
	}

	void bind(MessageListenerContainer container) {
		this.assignments.bind(container);
	}

	@Override
	public @Nullable MessageListenerContainer container() {
		return this.assignments.container();
	}

	@Override
	public List<PartitionView> partitions() {
		return this.assignments.views();
	}

	@Override
	public @Nullable Throwable fatalFailure() {
		return this.fatalFailure;
	}

	@Override
	public @Nullable String deadLetterStorm() {
		DeadLetterStorm storm = this.processor.deadLetterStorm();
		return (storm != null) ? storm.describe() : null;
	}

	@Override
	public boolean resumeAfterStorm() {
		return this.processor.resumeAfterStorm();
	}

	@Override
	public String rate() {
		return this.processor.rate().toString();
	}

	@Override
	public void changeRate(String rate) {
		RateLimit limit;
		try {
			limit = RateLimit.parse(rate);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException(
					"@HealingListener '" + this.settings.id() + "': rate " + ex.getMessage(), ex);
		}
		this.processor.changeRate(limit);
		logger.info(() -> "@HealingListener '" + this.settings.id() + "' now starts "
				+ (limit.isUnlimited() ? "records without a rate limit" : "at most " + limit + " records"));
	}

	@Override
	public int parallelism() {
		return this.processor.parallelism();
	}

	@Override
	public void changeParallelism(int parallelism) {
		try {
			this.processor.changeParallelism(parallelism);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("@HealingListener '" + this.settings.id() + "': " + ex.getMessage(), ex);
		}
		logger.info(() -> "@HealingListener '" + this.settings.id() + "' now runs up to " + parallelism
				+ " records at once");
	}

	@Override
	public boolean heldUntilDue(TopicPartition topicPartition) {
		RetryTierHold hold = this.tierHold;
		return hold != null && hold.heldUntilDue(topicPartition);
	}

	@Override
	public boolean pausedByOperator() {
		return this.assignments.operatorPauses().listenerPaused();
	}

	@Override
	public Set<TopicPartition> partitionsPausedByOperator() {
		return this.assignments.operatorPauses().partitions();
	}

	@Override
	public void pause() {
		this.assignments.operatorPauses().pauseListener();
		this.assignments.applyOperatorPauses();
		logger.info(() -> "@HealingListener '" + this.settings.id() + "' paused by an operator");
	}

	@Override
	public void resume() {
		this.assignments.operatorPauses().resumeListener();
		this.assignments.applyOperatorPauses();
		logger.info(() -> "@HealingListener '" + this.settings.id() + "' resumed by an operator");
	}

	@Override
	public void pause(TopicPartition topicPartition) {
		this.assignments.operatorPauses().pausePartition(topicPartition);
		this.assignments.applyOperatorPauses();
		logger.info(() -> "@HealingListener '" + this.settings.id() + "': " + topicPartition
				+ " paused by an operator");
	}

	@Override
	public void resume(TopicPartition topicPartition) {
		this.assignments.operatorPauses().resumePartition(topicPartition);
		this.assignments.applyOperatorPauses();
		logger.info(() -> "@HealingListener '" + this.settings.id() + "': " + topicPartition
				+ " resumed by an operator");
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
			if (partition.pausedByOperator()) {
				seekBackWhileHeld(consumer, topicPartition, notHandedOut);
				return;
			}
			PartitionLedger partitionLedger = partition.ledger();
			for (ConsumerRecord<Object, Object> record : records) {
				if (this.tierHold != null && this.tierHold.holds(consumer, record)) {
					break;
				}
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
		AssignedPartition partition = this.assignments.current(topicPartition);
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
		return this.assignments.assign(consumer, topicPartition, CompletedOffsets.none());
	}

	/**
	 * An operator holds the partition, yet the poll returned records of it: they were fetched before the consumer
	 * applied the pause (the container pauses a partition only before its next poll, and a partition assigned inside
	 * a poll, after a rebalance or a container restart, is paused only after that poll returned). They are not
	 * handed out, and the consumer is sought back to the first of them so that they are fetched again once the
	 * operator resumes the partition; the ledger's end stays below them, so they are neither committed past nor
	 * taken for holes.
	 */
	private void seekBackWhileHeld(Consumer<?, ?> consumer, TopicPartition topicPartition, long offset) {
		logger.debug(() -> "@HealingListener '" + this.settings.id() + "' holds " + topicPartition
				+ " for an operator; records from " + offset + " on are fetched again when it is resumed");
		consumer.seek(topicPartition, offset);
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
		AssignedPartition partition = this.assignments.ownedBy(consumer, topicPartition);
		if (partition != null) {
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
		List<AssignedPartition> owned = this.assignments.ownedBy(consumer);
		for (AssignedPartition partition : owned) {
			partition.releaseHoldIfDue(now);
		}
		if (this.tierHold != null) {
			this.tierHold.beforePoll(consumer);
		}
		long[] next = this.nextCommitAt.get();
		if (now - next[0] < 0 && !anyDrainedSinceCommit(owned)) {
			return;
		}
		next[0] = now + this.settings.commitInterval().toNanos();
		skipHoles(consumer, owned);
		List<CommitPoint> sent = this.committer.commitAsync(consumer, PartitionAssignments.ledgers(owned));
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

	/** Consumer thread, from the rebalance listener: see {@link PartitionAssignments#assigned}. */
	void assigned(Consumer<?, ?> consumer, Collection<TopicPartition> topicPartitions) {
		this.assignments.assigned(consumer, topicPartitions);
		if (this.tierHold != null) {
			this.tierHold.assigned(consumer, topicPartitions);
		}
	}

	/** Consumer thread, from the rebalance listener: see {@link PartitionAssignments#revoked}. */
	void revoked(Consumer<?, ?> consumer, Collection<TopicPartition> topicPartitions) {
		this.assignments.revoked(consumer, topicPartitions);
		if (this.tierHold != null) {
			this.tierHold.forget(topicPartitions);
		}
	}

	/** Consumer thread, from the rebalance listener: see {@link PartitionAssignments#lost}. */
	void lost(Consumer<?, ?> consumer, Collection<TopicPartition> topicPartitions) {
		this.assignments.lost(consumer, topicPartitions);
		if (this.tierHold != null) {
			this.tierHold.forget(topicPartitions);
		}
	}

	/** Stop the workers; called after the containers have stopped and committed. */
	void shutdown() {
		this.processor.shutdown(this.settings.drainTimeout().toMillis());
	}

}
