package io.waterhealer.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.waterhealer.codec.CommitMetadataCodec;
import io.waterhealer.codec.CompletedOffsets;
import io.waterhealer.ledger.CommitPoint;
import io.waterhealer.ledger.PartitionLedger;
import io.waterhealer.metrics.ListenerMetrics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OffsetMetadataTooLarge;

import org.springframework.core.log.LogAccessor;

/**
 * Turns the ledger's commit points into Kafka commits, with the offsets completed beyond each position encoded
 * in the commit's metadata, and reads that metadata back when partitions are assigned.
 * <p>
 * Commits are asynchronous on the regular interval (the consumer keeps polling; a failed commit is simply
 * superseded by the next one) and synchronous on revocation and shutdown, where the next owner depends on them.
 * A ledger is marked committed only when Kafka acknowledges, so a lost commit is retried.
 */
public final class LedgerCommitter {

	private static final LogAccessor logger = new LogAccessor(LedgerCommitter.class);

	private final String listenerId;

	private final int metadataMaxChars;

	/** Set when the broker refused our metadata as too large: commits go on without it rather than not at all. */
	private volatile boolean metadataRefused;

	private final Map<TopicPartition, Boolean> truncationReported = new ConcurrentHashMap<>();

	/** The last ignored commit reported per partition; never cleared, so bounded by the partitions ever owned. */
	private final Map<TopicPartition, OffsetAndMetadata> ignoredMetadataReported =
			new ConcurrentHashMap<>();

	private final ListenerMetrics metrics;

	/**
	 * Create the committer of one listener.
	 * @param listenerId the listener, for log lines
	 * @param metadataMaxChars the most characters of completed offsets a commit's metadata carries
	 * @param metrics where commits, their durations and truncated metadata are counted
	 */
	public LedgerCommitter(String listenerId, int metadataMaxChars, ListenerMetrics metrics) {
		this.listenerId = listenerId;
		this.metadataMaxChars = metadataMaxChars;
		this.metrics = metrics;
	}

	private static void acknowledge(Map<CommitPoint, PartitionLedger> ledgers) {
		ledgers.forEach((point, partitionLedger) -> partitionLedger.markCommitted(point));
	}

	/**
	 * Send what changed in the given ledgers (this consumer's own assignments: with {@code concurrency > 1} the
	 * current ledger of a partition may be a sibling consumer's); the acknowledgement marks the ledgers committed.
	 * @return the points sent, empty when nothing changed
	 */
	List<CommitPoint> commitAsync(Consumer<?, ?> consumer, Collection<PartitionLedger> owned) {
		Map<CommitPoint, PartitionLedger> ledgers = commitPoints(owned);
		List<CommitPoint> points = List.copyOf(ledgers.keySet());
		if (points.isEmpty()) {
			return points;
		}
		Map<TopicPartition, OffsetAndMetadata> offsets = offsets(points);
		long start = System.nanoTime();
		consumer.commitAsync(offsets, (committed, ex) -> {
			this.metrics.commit(ex == null, false, System.nanoTime() - start);
			if (ex instanceof OffsetMetadataTooLarge) {
				refuseMetadata(ex);
			}
			if (ex != null) {
				logger.warn(() -> "@HealingListener '" + this.listenerId + "' could not commit " + positions(offsets)
						+ "; the next commit interval tries again: " + ex);
			}
			else {
				acknowledge(ledgers);
			}
		});
		return points;
	}

	/**
	 * Commit what changed in the given ledgers and wait for the broker: used on revocation and shutdown, where the
	 * next owner must start from everything completed here.
	 * @param consumer the consumer that owns the partitions (on its own thread)
	 * @param partitions the ledgers to commit
	 * @param timeout how long to wait for the broker
	 */
	public void commitSync(Consumer<?, ?> consumer, Collection<PartitionLedger> partitions, Duration timeout) {
		Map<CommitPoint, PartitionLedger> ledgers = commitPoints(partitions);
		List<CommitPoint> points = List.copyOf(ledgers.keySet());
		if (points.isEmpty()) {
			return;
		}
		Map<TopicPartition, OffsetAndMetadata> offsets = offsets(points);
		long start = System.nanoTime();
		try {
			consumer.commitSync(offsets, timeout);
			this.metrics.commit(true, true, System.nanoTime() - start);
			acknowledge(ledgers);
			logger.debug(() -> "@HealingListener '" + this.listenerId + "' committed " + positions(offsets));
		}
		catch (KafkaException ex) {
			this.metrics.commit(false, true, System.nanoTime() - start);
			if (ex instanceof OffsetMetadataTooLarge) {
				refuseMetadata(ex);
			}
			logger.warn(() -> "@HealingListener '" + this.listenerId + "' could not commit " + positions(offsets)
					+ " before giving the partitions up; their next owner resumes from the previous commit: " + ex);
		}
	}

	/**
	 * Read the offsets the previous owner completed beyond its committed positions. A failure to read them only
	 * means those records are processed again. Metadata is trusted only when it was written for the committed offset
	 * it arrived with: a group whose offset was moved by another tool with the metadata kept (MirrorMaker 2,
	 * {@code alterConsumerGroupOffsets}), or metadata of the first format that cannot be checked, is ignored, so the
	 * records from the committed offset are processed again rather than skipped unprocessed.
	 */
	Map<TopicPartition, CompletedOffsets> completedBeforeAssignment(Consumer<?, ?> consumer,
			Collection<TopicPartition> partitions) {
		if (partitions.isEmpty() || this.metadataMaxChars <= 0) {
			return Map.of();
		}
		try {
			Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions),
					Duration.ofSeconds(10));
			Map<TopicPartition, CompletedOffsets> result = new HashMap<>();
			committed.forEach((tp, offset) -> {
				if (offset == null) {
					return;
				}
				CommitMetadataCodec.Reading reading = CommitMetadataCodec.read(offset.offset(), offset.metadata());
				if (reading.kind() == CommitMetadataCodec.Kind.TRUSTED && !reading.completed().isEmpty()) {
					CompletedOffsets completed = reading.completed();
					result.put(tp, completed);
					logger.info(() -> "@HealingListener '" + this.listenerId + "' will skip " + completed.count()
							+ " records of " + tp + " beyond offset " + offset.offset()
							+ " that were completed before this assignment");
				}
				else if (reading.kind() == CommitMetadataCodec.Kind.MOVED
						|| reading.kind() == CommitMetadataCodec.Kind.UNVERIFIABLE) {
					reportIgnoredMetadata(tp, offset, reading);
				}
			});
			return result;
		}
		catch (KafkaException ex) {
			logger.warn(() -> "@HealingListener '" + this.listenerId + "' could not read committed metadata of "
					+ partitions + "; records completed beyond their positions will be processed again: " + ex);
			return Map.of();
		}
	}

	/** Once per partition and committed value: a rebalance that finds the same commit again says nothing new. */
	private void reportIgnoredMetadata(TopicPartition tp, OffsetAndMetadata offset,
			CommitMetadataCodec.Reading reading) {
		if (offset.equals(this.ignoredMetadataReported.put(tp, offset))) {
			return;
		}
		if (reading.kind() == CommitMetadataCodec.Kind.MOVED) {
			logger.warn(() -> "@HealingListener '" + this.listenerId + "': the committed offset of " + tp
					+ " was moved to " + offset.offset() + " after its commit metadata was written for offset "
					+ reading.writtenFor() + " (by MirrorMaker 2's offset sync or alterConsumerGroupOffsets, for "
					+ "example); the metadata is ignored and the records from offset " + offset.offset()
					+ " are processed again");
		}
		else {
			logger.warn(() -> "@HealingListener '" + this.listenerId + "': the commit metadata of " + tp + "@"
					+ offset.offset() + " is in the first format (" + offset.metadata().substring(0, 4)
					+ "), which does not say which offset it was written for, so it cannot be told from metadata "
					+ "kept across a moved offset; it is ignored and the records from offset " + offset.offset()
					+ " are processed again (once, after upgrading)");
		}
	}

	private void refuseMetadata(Exception ex) {
		if (!this.metadataRefused) {
			this.metadataRefused = true;
			logger.warn(() -> "@HealingListener '" + this.listenerId + "': the broker refused commit metadata of up to "
					+ this.metadataMaxChars + " characters (" + ex.getMessage() + "); committing without it from now on, "
					+ "so a restart processes records completed beyond the position again. Set "
					+ "waterhealer.listener.metadata-max-bytes to the broker's offset.metadata.max.bytes");
		}
	}

	void forget(TopicPartition topicPartition) {
		this.truncationReported.remove(topicPartition);
	}

	private Map<TopicPartition, OffsetAndMetadata> offsets(List<CommitPoint> points) {
		Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
		for (CommitPoint point : points) {
			String metadata = "";
			if (point.runs().length > 0 && !this.metadataRefused) {
				CommitMetadataCodec.Encoded encoded = CommitMetadataCodec.encode(point.position(), point.runs(),
						this.metadataMaxChars);
				metadata = encoded.metadata();
				if (!encoded.complete()) {
					reportTruncation(point, encoded);
				}
			}
			offsets.put(point.topicPartition(), new OffsetAndMetadata(point.position(), metadata));
		}
		return offsets;
	}

	private void reportTruncation(CommitPoint point, CommitMetadataCodec.Encoded encoded) {
		this.metrics.metadataTruncated(point.topicPartition());
		if (this.truncationReported.putIfAbsent(point.topicPartition(), Boolean.TRUE) == null) {
			long window = 0;
			long completedInWindow = 0;
			long[] runs = point.runs();
			for (int i = 0; i < runs.length; i++) {
				window += runs[i];
				completedInWindow += (i % 2 == 1) ? runs[i] : 0;
			}
			long offsets = window;
			long completed = completedInWindow;
			long leftOut = completed - encoded.completedCovered();
			logger.warn(() -> "@HealingListener '" + this.listenerId + "': the offsets completed beyond "
					+ point.topicPartition() + "@" + point.position() + " do not fit in " + this.metadataMaxChars
					+ " characters of commit metadata; only the first " + encoded.offsetsCovered()
					+ " offsets are recorded, of " + offsets + " up to the newest record: " + leftOut + " of the "
					+ completed + " completed records beyond the committed offset are left out, and a restart would "
					+ "process them again (reported once per assignment; waterhealer.commit.metadata.truncated "
					+ "counts every such commit)");
		}
	}

	/**
	 * The commit points of the ledgers that have something new to commit, each with the ledger it was taken from, so
	 * that an acknowledgement never reaches a later assignment.
	 */
	private Map<CommitPoint, PartitionLedger> commitPoints(Collection<PartitionLedger> partitions) {
		Map<CommitPoint, PartitionLedger> ledgers = new IdentityHashMap<>();
		for (PartitionLedger partitionLedger : partitions) {
			CommitPoint point = partitionLedger.commitPoint(this.metadataMaxChars > 0);
			if (point != null) {
				ledgers.put(point, partitionLedger);
			}
		}
		return ledgers;
	}

	private static Map<TopicPartition, Long> positions(Map<TopicPartition, OffsetAndMetadata> offsets) {
		Map<TopicPartition, Long> positions = new HashMap<>();
		offsets.forEach((tp, offset) -> positions.put(tp, offset.offset()));
		return positions;
	}

}
