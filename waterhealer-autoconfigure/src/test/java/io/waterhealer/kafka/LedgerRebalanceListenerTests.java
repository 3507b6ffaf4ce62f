package io.waterhealer.kafka;

import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;

import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

/**
 * The ledger keeps step with every rebalance, and the rebalance listener the application configured is still called,
 * after the ledger, so on revocation it sees the positions the ledger committed.
 */
class LedgerRebalanceListenerTests {

	private final List<TopicPartition> partitions = List.of(new TopicPartition("orders", 0));

	private final MockConsumer<Object, Object> consumer = new MockConsumer<>("earliest");

	private final ListenerRuntime runtime = mock(ListenerRuntime.class);

	private final ConsumerAwareRebalanceListener aware = mock(ConsumerAwareRebalanceListener.class);

	private final ConsumerRebalanceListener plain = mock(ConsumerRebalanceListener.class);

	@Test
	void onRevocationTheLedgerCommitsBeforeTheApplicationsListenerIsCalled() {
		new LedgerRebalanceListener(this.runtime, this.aware).onPartitionsRevokedBeforeCommit(this.consumer,
				this.partitions);
		InOrder order = inOrder(this.runtime, this.aware);
		order.verify(this.runtime).revoked(this.consumer, this.partitions);
		order.verify(this.aware).onPartitionsRevokedBeforeCommit(this.consumer, this.partitions);
	}

	@Test
	void onAssignmentTheLedgerIsReadyBeforeTheApplicationsListenerIsCalled() {
		new LedgerRebalanceListener(this.runtime, this.aware).onPartitionsAssigned(this.consumer, this.partitions);
		InOrder order = inOrder(this.runtime, this.aware);
		order.verify(this.runtime).assigned(this.consumer, this.partitions);
		order.verify(this.aware).onPartitionsAssigned(this.consumer, this.partitions);
	}

	@Test
	void lostPartitionsReachTheLedgerAndThenTheApplication() {
		new LedgerRebalanceListener(this.runtime, this.aware).onPartitionsLost(this.consumer, this.partitions);
		InOrder order = inOrder(this.runtime, this.aware);
		order.verify(this.runtime).lost(this.consumer, this.partitions);
		order.verify(this.aware).onPartitionsLost(this.consumer, this.partitions);
	}

	@Test
	void revokedAfterCommitReachesAConsumerAwareApplicationListener() {
		new LedgerRebalanceListener(this.runtime, this.aware).onPartitionsRevokedAfterCommit(this.consumer,
				this.partitions);
		verify(this.aware).onPartitionsRevokedAfterCommit(this.consumer, this.partitions);
		verifyNoInteractions(this.runtime);
	}

	@Test
	void aPlainKafkaRebalanceListenerOfTheApplicationIsCalledAfterTheLedgerToo() {
		LedgerRebalanceListener listener = new LedgerRebalanceListener(this.runtime, this.plain);
		listener.onPartitionsRevokedBeforeCommit(this.consumer, this.partitions);
		listener.onPartitionsLost(this.consumer, this.partitions);
		listener.onPartitionsAssigned(this.consumer, this.partitions);
		InOrder order = inOrder(this.runtime, this.plain);
		order.verify(this.runtime).revoked(this.consumer, this.partitions);
		order.verify(this.plain).onPartitionsRevoked(this.partitions);
		order.verify(this.runtime).lost(this.consumer, this.partitions);
		order.verify(this.plain).onPartitionsLost(this.partitions);
		order.verify(this.runtime).assigned(this.consumer, this.partitions);
		order.verify(this.plain).onPartitionsAssigned(this.partitions);
	}

	@Test
	void withoutAnApplicationListenerOnlyTheLedgerIsCalled() {
		LedgerRebalanceListener listener = new LedgerRebalanceListener(this.runtime, null);
		listener.onPartitionsRevokedBeforeCommit(this.consumer, this.partitions);
		listener.onPartitionsRevokedAfterCommit(this.consumer, this.partitions);
		listener.onPartitionsLost(this.consumer, this.partitions);
		listener.onPartitionsAssigned(this.consumer, this.partitions);
		verify(this.runtime).revoked(this.consumer, this.partitions);
		verify(this.runtime).lost(this.consumer, this.partitions);
		verify(this.runtime).assigned(this.consumer, this.partitions);
	}

}
