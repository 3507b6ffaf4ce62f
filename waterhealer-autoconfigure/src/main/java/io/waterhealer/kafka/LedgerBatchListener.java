package io.waterhealer.kafka;

import java.util.List;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.BatchMessageListener;
import org.springframework.kafka.support.Acknowledgment;

/**
 * The listener the container calls on its consumer thread with each poll's records. It only hands them out to the
 * ledger and the workers and returns at once, so the consumer keeps polling while records are processed; it takes
 * the whole {@link ConsumerRecords} so that records are handed out partition by partition, one ledger lookup per
 * partition and poll.
 * <p>
 * The container runs with manual acknowledgement and this listener never acknowledges: the container commits
 * nothing on its own, and every commit goes through the ledger.
 */
final class LedgerBatchListener implements BatchMessageListener<Object, Object> {

	private final ListenerRuntime runtime;

	LedgerBatchListener(ListenerRuntime runtime) {
		this.runtime = runtime;
	}

	@Override
	public boolean wantsPollResult() {
		return true;
	}

	@Override
	public void onMessage(ConsumerRecords<Object, Object> records, @Nullable Acknowledgment acknowledgment,
			Consumer<Object, Object> consumer) {
		this.runtime.handOut(records, consumer);
	}

	@Override
	public void onMessage(List<ConsumerRecord<Object, Object>> data) {
		throw new UnsupportedOperationException("waterhealer's listener consumes whole poll results");
	}

}
