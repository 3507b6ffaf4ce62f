package io.waterhealer.ledger;

import io.waterhealer.codec.CommitMetadataCodec;
import io.waterhealer.codec.CompletedOffsets;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.GraphLayout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Offsets far apart: a compacted topic, long runs of aborted transactions under {@code read_committed}, a forward
 * seek while a record is pending. The ledger's memory must follow the records it tracks, not the offsets between
 * them, and a jump of any size must neither throw nor stall the position.
 */
class PartitionLedgerSparseTests {

	private static final long JUMP = 1L << 40;

	private static final long ONE_MEGABYTE = 1L << 20;

	private final PartitionLedger ledger = new PartitionLedger(new TopicPartition("t", 0),
			OffsetLedger.DEFAULT_MAX_IN_FLIGHT, OffsetLedger.DEFAULT_MAX_SPAN);

	@Test
	void aJumpOfTwoToTheFortyOffsetsCostsLessThanOneMegabyteAndCommitsCorrectly() {
		assertThat(this.ledger.handOut(0, 5)).isTrue();
		for (long i = 0; i < 1_000; i++) {
			assertThat(this.ledger.handOut(JUMP + i, 7)).isTrue();
		}
		assertThat(GraphLayout.parseInstance(this.ledger).totalSize()).isLessThan(ONE_MEGABYTE);
		assertThat(this.ledger.ringBytes()).isLessThan(ONE_MEGABYTE);
		assertThat(this.ledger.position()).isZero();
		assertThat(this.ledger.windowRuns().runs()).containsExactly(1, JUMP - 1, 1_000);

		this.ledger.complete(JUMP);
		this.ledger.complete(JUMP + 500);
		assertThat(this.ledger.position()).isZero();
		CommitPoint stuck = this.ledger.commitPoint(true);
		assertThat(stuck.position()).isZero();
		assertThat(stuck.runs()).containsExactly(1, JUMP, 499, 1, 499);
		CompletedOffsets restored = CommitMetadataCodec
			.decode(0, CommitMetadataCodec.encode(stuck.position(), stuck.runs(), 4_000).metadata());
		assertThat(restored.contains(1)).isTrue();
		assertThat(restored.contains(JUMP)).isTrue();
		assertThat(restored.contains(JUMP + 1)).isFalse();

		this.ledger.complete(0);
		assertThat(this.ledger.position()).isEqualTo(JUMP + 1);
		assertThat(this.ledger.snapshot().oldestIncompleteNanos()).isEqualTo(7);
		assertThat(this.ledger.windowRuns().runs()).containsExactly(499, 1, 499);
		for (long i = 1; i < 1_000; i++) {
			this.ledger.complete(JUMP + i);
		}
		assertThat(this.ledger.position()).isEqualTo(JUMP + 1_000);
		assertThat(this.ledger.snapshot().incomplete()).isZero();
	}


	@Test
	void aCompactedTopicCostsMemoryPerRecordNotPerOffset() {
		long stride = 100_000;
		for (long i = 0; i < 1_000; i++) {
			assertThat(this.ledger.handOut(i * stride)).isTrue();
		}
		for (long i = 1; i < 1_000; i += 2) {
			this.ledger.complete(i * stride);
		}
		assertThat(GraphLayout.parseInstance(this.ledger).totalSize()).isLessThan(ONE_MEGABYTE);
		assertThat(this.ledger.position()).isZero();
		long[] runs = this.ledger.windowRuns().runs();
		assertThat(runs).hasSize(1_000);
		assertThat(runs[0]).isEqualTo(1);
		assertThat(runs[1]).isEqualTo(2 * stride - 1);
		assertThat(runs[2]).isEqualTo(1);
		assertThat(runs[997]).isEqualTo(2 * stride - 1);
		assertThat(runs[998]).isEqualTo(1);
		assertThat(runs[999]).isEqualTo(stride);
		this.ledger.complete(0);
		assertThat(this.ledger.position()).isEqualTo(2 * stride);
		for (long i = 2; i < 1_000; i += 2) {
			this.ledger.complete(i * stride);
		}
		assertThat(this.ledger.position()).isEqualTo(999 * stride + 1);
	}

	@Test
	void aSparseWindowBehindAStuckRecordDoesNotFillTheWindowButADenseOneDoes() {
		PartitionLedger small = new PartitionLedger(new TopicPartition("t", 0), 100, 10_000);
		small.handOut(0);
		for (long i = 1; i <= 50; i++) {
			small.handOut(i * 1_000_000);
			small.complete(i * 1_000_000);
		}
		assertThat(small.position()).isZero();
		assertThat(small.isWindowFull()).isFalse();
		assertThat(small.hasRoom()).isTrue();
		long dense = 60_000_000;
		for (long offset = dense; offset < dense + 10_000; offset++) {
			small.handOut(offset);
		}
		for (long offset = dense + 1; offset < dense + 10_000; offset++) {
			small.complete(offset);
		}
		assertThat(small.isWindowFull()).isTrue();
		small.complete(0);
		assertThat(small.position()).isEqualTo(dense);
		assertThat(small.hasRoom()).isFalse();
		small.complete(dense);
		assertThat(small.position()).isEqualTo(dense + 10_000);
		assertThat(small.hasRoom()).isTrue();
	}

	@Test
	void skipToFarAheadWhileARecordIsPendingCostsNothingAndPassesOnceItCompletes() {
		this.ledger.handOut(0);
		this.ledger.skipTo(JUMP);
		assertThat(GraphLayout.parseInstance(this.ledger).totalSize()).isLessThan(ONE_MEGABYTE);
		assertThat(this.ledger.isWindowFull()).isFalse();
		assertThat(this.ledger.position()).isZero();
		assertThat(this.ledger.snapshot().end()).isEqualTo(JUMP);
		assertThat(this.ledger.windowRuns().runs()).containsExactly(1, JUMP - 1);
		assertThat(this.ledger.handOut(JUMP - 1)).isFalse();
		assertThat(this.ledger.handOut(JUMP + 3)).isTrue();
		this.ledger.complete(0);
		assertThat(this.ledger.position()).isEqualTo(JUMP + 3);
		this.ledger.complete(JUMP + 3);
		this.ledger.skipTo(2 * JUMP);
		assertThat(this.ledger.position()).isEqualTo(2 * JUMP);
	}

	@Test
	void jumpsToTheLargestOffsetsNeverThrow() {
		long top = Long.MAX_VALUE - 1;
		this.ledger.handOut(3);
		this.ledger.handOut(top - (1L << 50));
		this.ledger.skipTo(top - 1);
		this.ledger.handOut(top);
		assertThat(this.ledger.windowRuns().runs()).containsExactly(1, top - (1L << 50) - 4, 1, (1L << 50) - 1, 1);
		this.ledger.complete(3);
		this.ledger.complete(top);
		assertThat(this.ledger.position()).isEqualTo(top - (1L << 50));
		this.ledger.complete(top - (1L << 50));
		assertThat(this.ledger.position()).isEqualTo(top + 1);
	}

	@Test
	void aStretchThatReachesItsWordLimitGoesOnInANewStretch() {
		OffsetSegments segments = new OffsetSegments(32);
		for (long offset = 0; offset < 5_000; offset++) {
			segments.add(offset, 0);
		}
		assertThat(segments.stretches()).isEqualTo(3);
		assertThat(segments.covered()).isEqualTo(5_000);
		assertThat(segments.find(2_047).end()).isEqualTo(2_048);
		assertThat(segments.find(2_048).first()).isEqualTo(2_048);
		assertThat(segments.find(4_096).first()).isEqualTo(4_096);
		assertThat(segments.find(4_999).isPending(4_999)).isTrue();
		assertThat(segments.nextPending(5_000, 5_000)).isEqualTo(5_000);
	}

}
