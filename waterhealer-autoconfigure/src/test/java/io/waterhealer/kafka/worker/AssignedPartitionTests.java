package io.waterhealer.kafka.worker;

import io.waterhealer.codec.CompletedOffsets;
import io.waterhealer.ledger.PartitionLedger;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.listener.MessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/**
 * One assignment's pause requests to its container (a Mockito mock, so every request is counted): paused while its
 * window is full or a hand-out failure holds it, resumed when neither holds, and never left paused once the
 * assignment ends.
 */
class AssignedPartitionTests {

	private static final TopicPartition PARTITION = new TopicPartition("orders", 0);

	private final MessageListenerContainer container = mock(MessageListenerContainer.class);

	/** Full at two incomplete records. */
	private final PartitionLedger ledger = new PartitionLedger(PARTITION, 2, 1_000);

	private final AssignedPartition partition = new AssignedPartition("orders", this, this.ledger, this.container,
			CompletedOffsets.none());

	@Test
	void aFullWindowPausesThePartitionOnceAndACompletionResumesIt() {
		this.ledger.handOut(0);
		this.partition.pauseIfFull();
		verify(this.container, never()).pausePartition(PARTITION);
		this.ledger.handOut(1);
		this.partition.pauseIfFull();
		this.partition.pauseIfFull();
		verify(this.container, times(1)).pausePartition(PARTITION);
		assertThat(this.partition.paused()).isTrue();
		this.ledger.complete(0);
		this.partition.resumeIfRoom();
		this.partition.resumeIfRoom();
		verify(this.container, times(1)).resumePartition(PARTITION);
		assertThat(this.partition.paused()).isFalse();
	}

	@Test
	void aHoldIsReleasedOnlyWhenItsTimeHasCome() {
		this.partition.holdBack(1_000);
		verify(this.container).pausePartition(PARTITION);
		this.partition.releaseHoldIfDue(999);
		verify(this.container, never()).resumePartition(PARTITION);
		this.partition.releaseHoldIfDue(1_000);
		verify(this.container).resumePartition(PARTITION);
	}

	@Test
	void aPartitionBothFullAndHeldIsResumedOnlyWhenNeitherHolds() {
		this.ledger.handOut(0);
		this.ledger.handOut(1);
		this.partition.pauseIfFull();
		this.partition.holdBack(1_000);
		verify(this.container, times(1)).pausePartition(PARTITION);
		this.ledger.complete(0);
		this.partition.resumeIfRoom();
		verify(this.container, never()).resumePartition(PARTITION);
		this.partition.releaseHoldIfDue(1_000);
		verify(this.container, times(1)).resumePartition(PARTITION);
	}

	@Test
	void theWindowsOwnResumeNeverResumesAPartitionAnOperatorPaused() {
		this.ledger.handOut(0);
		this.ledger.handOut(1);
		this.partition.pauseIfFull();
		this.partition.holdForOperator(true);
		verify(this.container, times(1)).pausePartition(PARTITION);
		assertThat(this.partition.pauseReasons()).containsExactly("operator", "window-full");
		this.ledger.complete(0);
		this.partition.resumeIfRoom();
		verify(this.container, never()).resumePartition(PARTITION);
		assertThat(this.partition.pauseReasons()).containsExactly("operator");
		this.partition.holdForOperator(false);
		verify(this.container, times(1)).resumePartition(PARTITION);
		assertThat(this.partition.pauseReasons()).isEmpty();
	}

	@Test
	void theEndOfTheAssignmentClearsItsPauseRequestsSoTheNextOwnerIsNotLeftPaused() {
		this.ledger.handOut(0);
		this.ledger.handOut(1);
		this.partition.pauseIfFull();
		this.partition.holdBack(1_000);
		this.partition.clearPause();
		verify(this.container).resumePartition(PARTITION);
		assertThat(this.partition.paused()).isFalse();
		// a hold that was cleared must not resume a later pause of the same container
		this.partition.releaseHoldIfDue(1_000);
		verify(this.container, times(1)).resumePartition(PARTITION);
	}

	@Test
	void aClosedAssignmentIsNeitherHeldNorPaused() {
		this.ledger.handOut(0);
		this.ledger.handOut(1);
		this.ledger.close();
		this.partition.holdBack(1_000);
		this.partition.pauseIfFull();
		verify(this.container, never()).pausePartition(PARTITION);
	}

	@Test
	void lagIsTheDistanceFromTheCommittedOffsetToTheEndAndUnknownUntilBothAreKnown() {
		assertThat(this.partition.lag()).isEqualTo(-1);
		this.partition.endOffset(10);
		assertThat(this.partition.lag()).isEqualTo(-1);
		this.ledger.handOut(4);
		this.ledger.complete(4);
		this.ledger.markCommitted(this.ledger.commitPoint(false));
		assertThat(this.partition.lag()).isEqualTo(5);
	}

	@Test
	void aCommitIsDueEarlyOnlyWhenEverythingHandedOutCompletedSinceTheLastRequest() {
		this.ledger.handOut(0);
		this.ledger.handOut(1);
		this.ledger.complete(0);
		assertThat(this.partition.drainedSinceCommitRequest()).isFalse();
		this.ledger.complete(1);
		assertThat(this.partition.drainedSinceCommitRequest()).isTrue();
		this.partition.commitRequested(2);
		assertThat(this.partition.drainedSinceCommitRequest()).isFalse();
	}

	@Test
	void anAssignmentBelongsOnlyToTheConsumerItWasMadeFor() {
		assertThat(this.partition.ownedBy(this)).isTrue();
		assertThat(this.partition.ownedBy(new Object())).isFalse();
	}

}
