package io.waterhealer.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.waterhealer.Ordering;
import io.waterhealer.kafka.worker.AssignedPartition;
import io.waterhealer.ledger.OffsetLedger;
import io.waterhealer.ledger.PartitionLedger;
import io.waterhealer.metrics.ListenerMetrics;
import io.waterhealer.metrics.PartitionView;
import io.waterhealer.settings.BatchSettings;
import io.waterhealer.settings.FailureSettings;
import io.waterhealer.settings.ListenerSettings;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.kafka.listener.MessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

/**
 * The assignment lifecycle on its own, with Kafka's {@link MockConsumer} as the group's store: which consumer of
 * the instance holds a partition, and what its ledger goes through from assignment to revocation or loss.
 */
@ExtendWith(OutputCaptureExtension.class)
class PartitionAssignmentsTests {

	private static final TopicPartition P0 = new TopicPartition("orders", 0);

	private static final TopicPartition P1 = new TopicPartition("orders", 1);

	private static final Duration DRAIN_TIMEOUT = Duration.ofMillis(50);

	private final ListenerSettings settings = new ListenerSettings("orders", 1, Ordering.UNORDERED, 2, 10, 100,
			Duration.ofSeconds(1), DRAIN_TIMEOUT, 0, FailureSettings.DEFAULT, false, BatchSettings.DEFAULT);

	private final OffsetLedger ledger = new OffsetLedger(10, 100);

	private final MessageListenerContainer container = mock(MessageListenerContainer.class);

	private final MockConsumer<Object, Object> consumerA = new MockConsumer<>("earliest");

	private final MockConsumer<Object, Object> consumerB = new MockConsumer<>("earliest");

	private final PartitionAssignments assignments = assignments(ListenerMetrics.NONE);

	PartitionAssignmentsTests() {
		this.assignments.bind(this.container);
		this.consumerA.assign(List.of(P0, P1));
		this.consumerB.assign(List.of(P0, P1));
	}

	@Test
	void newPartitionsGetFreshLedgersAndPartitionsKeptAcrossARebalanceKeepTheirs() {
		this.assignments.assigned(this.consumerA, List.of(P0));
		PartitionLedger kept = this.ledger.get(P0);
		kept.handOut(0);
		this.assignments.assigned(this.consumerA, List.of(P0, P1));
		assertThat(this.ledger.get(P0)).isSameAs(kept);
		assertThat(kept.isPending(0)).isTrue();
		assertThat(this.ledger.get(P1)).isNotNull().isNotSameAs(kept);
		assertThat(this.assignments.ownedBy(this.consumerA)).extracting(AssignedPartition::topicPartition)
			.containsExactlyInAnyOrder(P0, P1);
		assertThat(this.assignments.views()).extracting(PartitionView::topicPartition)
			.containsExactlyInAnyOrder(P0, P1);
	}

	@Test
	void aSiblingsAssignmentReplacesTheStaleOneClosesItsLedgerAndWithdrawsItsPause() {
		this.assignments.assigned(this.consumerA, List.of(P0));
		AssignedPartition stale = this.assignments.ownedBy(this.consumerA, P0);
		for (long offset = 0; offset < 10; offset++) {
			stale.ledger().handOut(offset);
		}
		stale.pauseIfFull();
		this.assignments.assigned(this.consumerB, List.of(P0));
		assertThat(this.assignments.ownedBy(this.consumerA, P0)).isNull();
		assertThat(this.assignments.current(P0)).isSameAs(this.assignments.ownedBy(this.consumerB, P0));
		assertThat(stale.ledger().isClosed()).isTrue();
		verify(this.container).pausePartition(P0);
		verify(this.container).resumePartition(P0);
	}

	@Test
	void aStaleConsumerLosingAPartitionLeavesTheSiblingsAssignmentAlone() {
		this.assignments.assigned(this.consumerA, List.of(P0));
		this.assignments.assigned(this.consumerB, List.of(P0));
		AssignedPartition owner = this.assignments.ownedBy(this.consumerB, P0);
		this.assignments.lost(this.consumerA, List.of(P0));
		this.assignments.revoked(this.consumerA, List.of(P0));
		assertThat(this.assignments.current(P0)).isSameAs(owner);
		assertThat(this.ledger.get(P0)).isSameAs(owner.ledger());
		assertThat(owner.ledger().isClosed()).isFalse();
		assertThat(this.consumerA.committed(Set.of(P0)).get(P0)).isNull();
	}

	@Test
	void revocationCommitsTheDrainedPositionAndClosesTheLedger() {
		this.assignments.assigned(this.consumerA, List.of(P0));
		PartitionLedger partitionLedger = this.ledger.get(P0);
		for (long offset = 0; offset < 5; offset++) {
			partitionLedger.handOut(offset);
			partitionLedger.complete(offset);
		}
		this.assignments.revoked(this.consumerA, List.of(P0));
		assertThat(committed(this.consumerA, P0)).isEqualTo(5);
		assertThat(partitionLedger.isClosed()).isTrue();
		assertThat(this.ledger.get(P0)).isNull();
		assertThat(this.assignments.views()).isEmpty();
	}

	@Test
	void revocationGivesUpWaitingAfterTheDrainTimeoutAndCommitsWhatIsContiguous(CapturedOutput output) {
		this.assignments.assigned(this.consumerA, List.of(P0));
		PartitionLedger partitionLedger = this.ledger.get(P0);
		for (long offset = 0; offset < 5; offset++) {
			partitionLedger.handOut(offset);
		}
		partitionLedger.complete(0);
		partitionLedger.complete(1);
		this.assignments.revoked(this.consumerA, List.of(P0));
		assertThat(committed(this.consumerA, P0)).isEqualTo(2);
		assertThat(partitionLedger.isClosed()).isTrue();
		assertThat(output).contains("@HealingListener 'orders' gave up waiting for ")
			.contains("incomplete records will be processed again by the next owner");
	}

	@Test
	void lostPartitionsAreForgottenWithoutACommit() {
		this.assignments.assigned(this.consumerA, List.of(P0, P1));
		PartitionLedger partitionLedger = this.ledger.get(P0);
		partitionLedger.handOut(0);
		partitionLedger.complete(0);
		this.assignments.lost(this.consumerA, List.of(P0));
		assertThat(this.consumerA.committed(Set.of(P0)).get(P0)).isNull();
		assertThat(partitionLedger.isClosed()).isTrue();
		assertThat(this.assignments.ownedBy(this.consumerA)).extracting(AssignedPartition::topicPartition)
			.containsExactly(P1);
	}

	@Test
	void aPartitionWhoseMetersCannotBeRegisteredIsStillConsumedAndTheFailureLoggedOnce(CapturedOutput output) {
		List<TopicPartition> refused = new ArrayList<>();
		PartitionAssignments withFailingMeters = assignments(new ListenerMetrics() {
			@Override
			public void partitionAssigned(PartitionView partition) {
				refused.add(partition.topicPartition());
				throw new IllegalArgumentException("meter registry refused");
			}
		});
		withFailingMeters.bind(this.container);
		withFailingMeters.assigned(this.consumerA, List.of(P0, P1));
		assertThat(refused).containsExactlyInAnyOrder(P0, P1);
		assertThat(withFailingMeters.ownedBy(this.consumerA)).hasSize(2);
		assertThat(output.toString().split("could not register the metrics of ", -1)).hasSize(2);
		assertThat(output).contains("the partition is consumed without them (logged once; later "
				+ "IllegalArgumentExceptions at DEBUG)");
	}

	@Test
	void anAssignmentBeforeTheContainerIsBoundNamesTheListener() {
		PartitionAssignments unbound = assignments(ListenerMetrics.NONE);
		assertThatIllegalStateException().isThrownBy(() -> unbound.assigned(this.consumerA, List.of(P0)))
			.withMessage("@HealingListener 'orders' has no container");
	}

	private PartitionAssignments assignments(ListenerMetrics metrics) {
		return new PartitionAssignments(this.settings, this.ledger, new LedgerCommitter("orders", 0, metrics),
				metrics, new ConsumerPathFailures("orders"));
	}

	private static long committed(MockConsumer<Object, Object> consumer, TopicPartition topicPartition) {
		OffsetAndMetadata committed = consumer.committed(Set.of(topicPartition)).get(topicPartition);
		assertThat(committed).as("committed offset of " + topicPartition).isNotNull();
		return committed.offset();
	}

}
