package io.waterhealer.kafka;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * The error handler of a {@code @HealingListener}'s container, put in front of the one the container factory
 * configured. Only exceptions thrown on the consumer thread reach it (handlers run on workers and fail through the
 * listener's failure policy): an application's batch interceptor, or the hand-out of a poll.
 * <p>
 * spring-kafka's error handlers must not see those. {@code DefaultErrorHandler} acknowledges a batch after handling
 * its exception, and with manual acknowledgement the container then commits one past the poll's last record, past
 * every record of earlier polls still in flight or held by the failure policy; after exhausted retries it discards
 * the poll, whose records would then look like holes to the ledger. This handler never commits and never
 * acknowledges: it seeks every partition of the failed poll back to its first record of the poll, so that nothing
 * is lost (the ledger ignores records it already has). Other exceptions (no records involved) still go to the
 * factory's handler.
 */
final class LedgerErrorHandler implements CommonErrorHandler {

	private final ListenerRuntime runtime;

	private final @Nullable CommonErrorHandler delegate;

	LedgerErrorHandler(ListenerRuntime runtime, @Nullable CommonErrorHandler delegate) {
		this.runtime = runtime;
		this.delegate = delegate;
	}

	@Override
	public boolean seeksAfterHandling() {
		return true;
	}

	@Override
	public boolean isAckAfterHandle() {
		return false;
	}

	/** Ignored: acknowledging after an error is what lets the container commit past unprocessed records. */
	@Override
	public void setAckAfterHandle(boolean ack) {
	}

	@Override
	public void handleBatch(Exception thrownException, ConsumerRecords<?, ?> data, Consumer<?, ?> consumer,
			MessageListenerContainer container, Runnable invokeListener) {
		this.runtime.pollFailed(data, consumer, thrownException);
	}

	@Override
	public <K, V> ConsumerRecords<K, V> handleBatchAndReturnRemaining(Exception thrownException,
			ConsumerRecords<?, ?> data, Consumer<?, ?> consumer, MessageListenerContainer container,
			Runnable invokeListener) {
		this.runtime.pollFailed(data, consumer, thrownException);
		return ConsumerRecords.empty();
	}

	@Override
	public void handleOtherException(Exception thrownException, Consumer<?, ?> consumer,
			MessageListenerContainer container, boolean batchListener) {
		if (this.delegate != null) {
			this.delegate.handleOtherException(thrownException, consumer, container, batchListener);
		}
		else {
			CommonErrorHandler.super.handleOtherException(thrownException, consumer, container, batchListener);
		}
	}

}
