package io.waterhealer.ledger;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class PartitionLedgerTests {

	private final PartitionLedger ledger = new PartitionLedger(new TopicPartition("t", 0), 4, 64);

	@Test
	void positionIsUnknownBeforeTheFirstHandOut() {
		assertThat(this.ledger.position()).isEqualTo(-1);
		assertThat(this.ledger.commitPoint(true)).isNull();
	}

	@Test
	void positionStaysAtTheLowestIncompleteOffsetWhenLaterOnesComplete() {
		handOut(10, 11, 12);
		this.ledger.complete(12);
		this.ledger.complete(11);
		assertThat(this.ledger.position()).isEqualTo(10);
		this.ledger.complete(10);
		assertThat(this.ledger.position()).isEqualTo(13);
	}

	@Test
	void holesBetweenHandedOutOffsetsNeverStallThePosition() {
		handOut(0, 2, 5);
		this.ledger.complete(0);
		assertThat(this.ledger.position()).isEqualTo(2);
		this.ledger.complete(5);
		this.ledger.complete(2);
		assertThat(this.ledger.position()).isEqualTo(6);
	}

	@Test
	void skipToPassesATrailingTransactionMarker() {
		handOut(0, 1);
		this.ledger.complete(0);
		this.ledger.complete(1);
		this.ledger.skipTo(3);
		assertThat(this.ledger.position()).isEqualTo(3);
	}

	@Test
	void skipToDoesNotPassAnIncompleteOffset() {
		handOut(0, 1);
		this.ledger.complete(1);
		this.ledger.skipTo(3);
		assertThat(this.ledger.position()).isEqualTo(0);
		this.ledger.complete(0);
		assertThat(this.ledger.position()).isEqualTo(3);
	}

	@Test
	void aFailedOffsetHoldsThePositionUntilItCompletes() {
		handOut(0, 1, 2);
		this.ledger.fail(0);
		this.ledger.complete(1);
		this.ledger.complete(2);
		assertThat(this.ledger.position()).isZero();
		assertThat(this.ledger.snapshot().failed()).isEqualTo(1);
		this.ledger.complete(0);
		assertThat(this.ledger.position()).isEqualTo(3);
		assertThat(this.ledger.snapshot().failed()).isZero();
	}

	@Test
	void aRedeliveredOffsetIsNotHandedOutTwice() {
		handOut(0, 1);
		assertThat(this.ledger.handOut(0)).isFalse();
		assertThat(this.ledger.snapshot().incomplete()).isEqualTo(2);
	}

	@Test
	void repeatedAndUnknownCompletionsAreIgnored() {
		handOut(0, 1);
		assertThat(this.ledger.complete(1)).isTrue();
		assertThat(this.ledger.complete(1)).isFalse();
		assertThat(this.ledger.complete(7)).isFalse();
		assertThat(this.ledger.position()).isZero();
	}

	@Test
	void completionsAfterCloseAreIgnored() {
		handOut(0);
		this.ledger.close();
		assertThat(this.ledger.complete(0)).isFalse();
		assertThat(this.ledger.position()).isZero();
		assertThat(this.ledger.handOut(1)).isFalse();
	}

	@Test
	void windowIsFullAtMaxInFlightAndHasRoomAgainAtHalf() {
		handOut(0, 1, 2);
		assertThat(this.ledger.isWindowFull()).isFalse();
		handOut(3);
		assertThat(this.ledger.isWindowFull()).isTrue();
		this.ledger.complete(3);
		assertThat(this.ledger.hasRoom()).isFalse();
		this.ledger.complete(2);
		assertThat(this.ledger.hasRoom()).isTrue();
	}

	@Test
	void windowIsFullWhenOneStuckOffsetMakesTheSpanReachMaxSpan() {
		handOut(0);
		for (long offset = 1; offset < 64; offset++) {
			handOut(offset);
			this.ledger.complete(offset);
		}
		assertThat(this.ledger.snapshot().incomplete()).isEqualTo(1);
		assertThat(this.ledger.isWindowFull()).isTrue();
	}

	@Test
	void theRingGrowsWithoutLosingPendingOffsets() {
		PartitionLedger wide = new PartitionLedger(new TopicPartition("t", 0), 1_000_000, 1_000_000);
		for (long offset = 100; offset < 100_100; offset++) {
			wide.handOut(offset);
		}
		for (long offset = 100_099; offset > 100; offset--) {
			wide.complete(offset);
		}
		assertThat(wide.position()).isEqualTo(100);
		assertThat(wide.isPending(100)).isTrue();
		wide.complete(100);
		assertThat(wide.position()).isEqualTo(100_100);
	}

	@Test
	void theRingsShrinkBackOnceAWideWindowHasDrained() {
		PartitionLedger wide = new PartitionLedger(new TopicPartition("t", 0), 1_000_000, 1_000_000);
		long small = wide.ringBytes();
		for (long offset = 0; offset < 500_000; offset++) {
			wide.handOut(offset);
		}
		assertThat(wide.ringBytes()).isGreaterThan(100 * small);
		for (long offset = 0; offset < 500_000; offset++) {
			wide.complete(offset);
		}
		assertThat(wide.ringBytes()).isLessThanOrEqualTo(4 * small);
		wide.handOut(500_000);
		assertThat(wide.position()).isEqualTo(500_000);
		wide.complete(500_000);
		assertThat(wide.position()).isEqualTo(500_001);
	}

	@Test
	void commitPointOnlyReportsMovement() {
		handOut(0);
		this.ledger.complete(0);
		CommitPoint point = this.ledger.commitPoint(true);
		assertThat(point.position()).isEqualTo(1);
		assertThat(point.runs()).isEmpty();
		this.ledger.markCommitted(point);
		assertThat(this.ledger.commitPoint(true)).isNull();
	}

	@Test
	void commitPointReportsMoreCompletionsBeyondAStuckPositionOnlyWhenRunsAreWanted() {
		handOut(0, 1, 2);
		this.ledger.complete(1);
		CommitPoint first = this.ledger.commitPoint(true);
		assertThat(first.position()).isZero();
		assertThat(first.runs()).containsExactly(1, 1, 1);
		this.ledger.markCommitted(first);
		assertThat(this.ledger.commitPoint(true)).isNull();
		this.ledger.complete(2);
		assertThat(this.ledger.commitPoint(false)).isNull();
		assertThat(this.ledger.commitPoint(true).runs()).containsExactly(1, 2);
	}

	@Test
	void limitsAreChecked() {
		assertThatIllegalArgumentException().isThrownBy(() -> new PartitionLedger(new TopicPartition("t", 0), 0, 10))
			.withMessageContaining("maxInFlight");
		assertThatIllegalArgumentException().isThrownBy(() -> new PartitionLedger(new TopicPartition("t", 0), 10, 5))
			.withMessageContaining("maxSpan");
	}

	private void handOut(long... offsets) {
		for (long offset : offsets) {
			assertThat(this.ledger.handOut(offset)).isTrue();
		}
	}

}
