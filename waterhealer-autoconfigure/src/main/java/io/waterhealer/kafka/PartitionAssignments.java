package io.waterhealer.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.waterhealer.codec.CompletedOffsets;
import io.waterhealer.kafka.worker.AssignedPartition;
import io.waterhealer.ledger.OffsetLedger;
import io.waterhealer.ledger.PartitionLedger;
import io.waterhealer.metrics.ListenerMetrics;
import io.waterhealer.metrics.PartitionView;
import io.waterhealer.settings.ListenerSettings;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * The assignment lifecycle of one {@code @HealingListener} on this instance: which consumer holds which partition,
 * and the ledger each assignment has, from the assignment (a fresh ledger, told what an earlier owner completed) to
 * the revocation (drain, synchronous commit, close) or loss (close without a commit).
 * <p>
 * It is kept apart from the hand-out and the commit pacing of {@link ListenerRuntime} because it answers a
 * different question, "whose partition is this?", and answers it for both: with {@code concurrency > 1} a partition
 * can move between consumers of this instance before the one losing it is told, and every consumer-thread callback
 * must touch only the assignments its own consumer holds. The callbacks run on the consumer threads; the views
 * handed to health and actuator code are read from any thread.
 */
final class PartitionAssignments {

	private static final LogAccessor logger = new LogAccessor(PartitionAssignments.class);

	private static final Duration REVOKE_COMMIT_TIMEOUT = Duration.ofSeconds(10);

	private final ListenerSettings settings;

	private final OffsetLedger ledger;

	private final LedgerCommitter committer;

	private final ListenerMetrics metrics;

	private final ConsumerPathFailures failures;

	private final Map<TopicPartition, AssignedPartition> partitions = new ConcurrentHashMap<>();

	private final OperatorPauses operatorPauses = new OperatorPauses();

	private @Nullable MessageListenerContainer container;

	/**
	 * Create the lifecycle of one listener's assignments.
	 * @param settings the listener's settings
	 * @param ledger the ledgers of the listener's assigned partitions
	 * @param committer commits on revocation and reads what earlier owners completed on assignment
	 * @param metrics registers and removes the partitions' meters
	 * @param failures reports swallowed consumer-thread failures, shared with the hand-out so that each exception
	 * type is logged with its stack trace once per listener
	 */
	PartitionAssignments(ListenerSettings settings, OffsetLedger ledger, LedgerCommitter committer,
			ListenerMetrics metrics, ConsumerPathFailures failures) {
		this.settings = settings;
		this.ledger = ledger;
		this.committer = committer;
		this.metrics = metrics;
		this.failures = failures;
	}

	/** The container whose partitions the assignments pause and resume; bound before it starts. */
	void bind(MessageListenerContainer container) {
		this.container = container;
	}

	@Nullable MessageListenerContainer container() {
		return this.container;
	}

	/** What the operator paused of this listener; see {@link #applyOperatorPauses()}. */
	OperatorPauses operatorPauses() {
		return this.operatorPauses;
	}

	/**
	 * Any thread, after the operator paused or resumed something: bring every current assignment in line. An
	 * assignment made meanwhile reads the operator's pauses itself after it is registered, so none is missed.
	 */
	void applyOperatorPauses() {
		for (AssignedPartition partition : this.partitions.values()) {
			partition.holdForOperator(this.operatorPauses.holds(partition.topicPartition()));
		}
	}

	/** Live views of every current assignment, whichever consumer of this instance holds it. */
	List<PartitionView> views() {
		return List.copyOf(this.partitions.values());
	}

	/** The current assignment of a partition, whichever consumer of this instance holds it, or {@code null}. */
	@Nullable AssignedPartition current(TopicPartition topicPartition) {
		return this.partitions.get(topicPartition);
	}

	/** The given consumer's assignment of a partition, or {@code null} when it does not hold it (any more). */
	@Nullable AssignedPartition ownedBy(Consumer<?, ?> consumer, TopicPartition topicPartition) {
		AssignedPartition partition = this.partitions.get(topicPartition);
		return (partition != null && partition.ownedBy(consumer)) ? partition : null;
	}

	/** Every assignment the given consumer holds. */
	List<AssignedPartition> ownedBy(Consumer<?, ?> consumer) {
		List<AssignedPartition> owned = new ArrayList<>();
		for (AssignedPartition partition : this.partitions.values()) {
			if (partition.ownedBy(consumer)) {
				owned.add(partition);
			}
		}
		return owned;
	}

	static List<PartitionLedger> ledgers(List<AssignedPartition> partitions) {
		List<PartitionLedger> ledgers = new ArrayList<>(partitions.size());
		partitions.forEach((partition) -> ledgers.add(partition.ledger()));
		return ledgers;
	}

	/** Consumer thread: new partitions get fresh ledgers; partitions kept across a rebalance keep theirs. */
	void assigned(Consumer<?, ?> consumer, Collection<TopicPartition> topicPartitions) {
		List<TopicPartition> added = topicPartitions.stream().filter((tp) -> ownedBy(consumer, tp) == null).toList();
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
	AssignedPartition assign(Consumer<?, ?> consumer, TopicPartition topicPartition,
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
		// after the sibling's pause was withdrawn, which resumes the partition on every consumer that asked for it
		if (this.operatorPauses.holds(topicPartition)) {
			partition.holdForOperator(true);
		}
		try {
			this.metrics.partitionAssigned(partition);
		}
		catch (RuntimeException ex) {
			this.failures.report(ex, () -> "could not register the metrics of " + topicPartition
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
			AssignedPartition partition = ownedBy(consumer, topicPartition);
			if (partition != null) {
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
			AssignedPartition partition = ownedBy(consumer, topicPartition);
			if (partition != null && this.partitions.remove(topicPartition, partition)) {
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

}
