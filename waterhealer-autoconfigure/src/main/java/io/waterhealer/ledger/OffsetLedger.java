package io.waterhealer.ledger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * The ledgers of all partitions currently assigned to one listener, one {@link PartitionLedger} per assignment.
 * <p>
 * Assigning a partition always creates a fresh ledger and revoking closes it. That is what makes stale completions
 * harmless: work in flight keeps a reference to the ledger it was handed out by, so a completion that arrives after
 * a revocation (or after the partition came back in a later rebalance) lands in a closed ledger and is dropped
 * instead of moving the position of an assignment it does not belong to.
 */
public final class OffsetLedger {

	/** Default limit of incomplete offsets per partition before the partition is paused. */
	public static final int DEFAULT_MAX_IN_FLIGHT = 10_000;

	/**
	 * Default limit of the offsets the window's dense stretches span (the window between the position and the end,
	 * less its gaps without records) before the partition is paused.
	 */
	public static final long DEFAULT_MAX_SPAN = 1L << 20;

	private final Map<TopicPartition, PartitionLedger> partitions = new ConcurrentHashMap<>();

	private final int maxInFlight;

	private final long maxSpan;

	/**
	 * Create the ledger of one listener's assignments.
	 * @param maxInFlight the most incomplete records a partition may have before its hand-out pauses
	 * @param maxSpan the offsets a partition's window may span (less its large gaps) before its hand-out pauses
	 */
	public OffsetLedger(int maxInFlight, long maxSpan) {
		PartitionLedger.checkLimits(maxInFlight, maxSpan);
		this.maxInFlight = maxInFlight;
		this.maxSpan = maxSpan;
	}

	/**
	 * Start tracking a newly assigned partition, closing the ledger of any earlier assignment of it.
	 * @param topicPartition the partition
	 * @return its new ledger
	 */
	public PartitionLedger assign(TopicPartition topicPartition) {
		PartitionLedger ledger = new PartitionLedger(topicPartition, this.maxInFlight, this.maxSpan);
		PartitionLedger previous = this.partitions.put(topicPartition, ledger);
		if (previous != null) {
			previous.close();
		}
		return ledger;
	}

	/**
	 * Stop tracking a partition, but only if its current ledger is the given one (the assignment may already have
	 * moved on).
	 * @param topicPartition the partition
	 * @param ledger the ledger of the assignment that ends
	 */
	public void revoke(TopicPartition topicPartition, PartitionLedger ledger) {
		this.partitions.remove(topicPartition, ledger);
		ledger.close();
	}

	/**
	 * The ledger of the current assignment of a partition.
	 * @param topicPartition the partition
	 * @return its ledger, or {@code null} if the partition is not assigned
	 */
	public @Nullable PartitionLedger get(TopicPartition topicPartition) {
		return this.partitions.get(topicPartition);
	}

	/** {@return the partitions tracked now, a copy} */
	public Collection<TopicPartition> assigned() {
		return List.copyOf(this.partitions.keySet());
	}

	/** {@return a snapshot of each tracked partition, for the endpoints and the ledger page} */
	public List<LedgerSnapshot> snapshots() {
		List<LedgerSnapshot> snapshots = new ArrayList<>();
		this.partitions.values().forEach(ledger -> snapshots.add(ledger.snapshot()));
		return snapshots;
	}

	/** {@return the most incomplete records a partition may have before its hand-out pauses} */
	public int maxInFlight() {
		return this.maxInFlight;
	}

	/** {@return the offsets a partition's window may span (less its large gaps) before its hand-out pauses} */
	public long maxSpan() {
		return this.maxSpan;
	}

}
