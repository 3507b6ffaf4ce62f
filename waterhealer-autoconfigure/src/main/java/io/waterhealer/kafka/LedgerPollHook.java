package io.waterhealer.kafka;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.BatchInterceptor;

/**
 * Gives the ledger the consumer thread before every poll, through the only spring-kafka hook that runs there
 * even when the previous poll returned nothing: {@link BatchInterceptor#setupThreadState(Consumer)}. That is where
 * positions that moved are committed, so the last completions of a topic that went quiet are committed too.
 * <p>
 * It is combined with a batch interceptor the application may have configured on the container factory, which
 * keeps seeing every call.
 */
final class LedgerPollHook implements BatchInterceptor<Object, Object> {

	private final ListenerRuntime runtime;

	private final @Nullable BatchInterceptor<Object, Object> delegate;

	LedgerPollHook(ListenerRuntime runtime, @Nullable BatchInterceptor<Object, Object> delegate) {
		this.runtime = runtime;
		this.delegate = delegate;
	}

	@Override
	public void setupThreadState(Consumer<?, ?> consumer) {
		this.runtime.beforePoll(consumer);
		if (this.delegate != null) {
			this.delegate.setupThreadState(consumer);
		}
	}

	@Override
	public void clearThreadState(Consumer<?, ?> consumer) {
		if (this.delegate != null) {
			this.delegate.clearThreadState(consumer);
		}
	}

	@Override
	public @Nullable ConsumerRecords<Object, Object> intercept(ConsumerRecords<Object, Object> records,
			Consumer<Object, Object> consumer) {
		return (this.delegate != null) ? this.delegate.intercept(records, consumer) : records;
	}

	@Override
	public void success(ConsumerRecords<Object, Object> records, Consumer<Object, Object> consumer) {
		if (this.delegate != null) {
			this.delegate.success(records, consumer);
		}
	}

	@Override
	public void failure(ConsumerRecords<Object, Object> records, Exception exception,
			Consumer<Object, Object> consumer) {
		if (this.delegate != null) {
			this.delegate.failure(records, exception, consumer);
		}
	}

}
