package io.waterhealer.kafka;

import java.util.Collection;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;

/**
 * Keeps the ledgers in step with the assignment: fresh ledgers for new partitions, and for revoked ones a bounded
 * drain, a synchronous commit and closing the ledger, so that completions still arriving are ignored. Partitions
 * kept across a cooperative rebalance are not touched and keep flowing.
 * <p>
 * The rebalance listener the application configured on the container factory is called as well, after the ledger
 * on revocation and assignment, so it sees committed positions.
 */
final class LedgerRebalanceListener implements ConsumerAwareRebalanceListener {

	private final ListenerRuntime runtime;

	private final @Nullable ConsumerRebalanceListener delegate;

	LedgerRebalanceListener(ListenerRuntime runtime, @Nullable ConsumerRebalanceListener delegate) {
		this.runtime = runtime;
		this.delegate = delegate;
	}

	@Override
	public void onPartitionsRevokedBeforeCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
		this.runtime.revoked(consumer, partitions);
		if (this.delegate instanceof ConsumerAwareRebalanceListener aware) {
			aware.onPartitionsRevokedBeforeCommit(consumer, partitions);
		}
		else if (this.delegate != null) {
			this.delegate.onPartitionsRevoked(partitions);
		}
	}

	@Override
	public void onPartitionsRevokedAfterCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
		if (this.delegate instanceof ConsumerAwareRebalanceListener aware) {
			aware.onPartitionsRevokedAfterCommit(consumer, partitions);
		}
	}

	@Override
	public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
		this.runtime.lost(consumer, partitions);
		if (this.delegate instanceof ConsumerAwareRebalanceListener aware) {
			aware.onPartitionsLost(consumer, partitions);
		}
		else if (this.delegate != null) {
			this.delegate.onPartitionsLost(partitions);
		}
	}

	@Override
	public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
		this.runtime.assigned(consumer, partitions);
		if (this.delegate instanceof ConsumerAwareRebalanceListener aware) {
			aware.onPartitionsAssigned(consumer, partitions);
		}
		else if (this.delegate != null) {
			this.delegate.onPartitionsAssigned(partitions);
		}
	}

}
