package io.waterhealer.kafka;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.listener.BatchInterceptor;
import org.springframework.kafka.listener.CompositeBatchInterceptor;

/**
 * Gives the ledger the consumer thread before every poll, through the only spring-kafka hook that runs there
 * even when the previous poll returned nothing: {@link BatchInterceptor#setupThreadState(Consumer)}. That is where
 * positions that moved are committed, so the last completions of a topic that went quiet are committed too.
 * <p>
 * A container has one batch-interceptor slot, and the application may have filled it on the container factory. The
 * hook takes the slot as spring-kafka's {@link CompositeBatchInterceptor}, with the ledger first and the
 * application's interceptor behind it, so that the application keeps seeing every call: its setup runs after the
 * ledger's commit, and what its {@code intercept} returns (another batch, or {@code null} to skip the poll) is what
 * the listener gets, since the ledger's own {@code intercept} passes the records on untouched.
 */
final class LedgerPollHook extends CompositeBatchInterceptor<Object, Object> {

	/**
	 * Compose the ledger's hook with the application's interceptor.
	 * @param runtime the listener's runtime, called before every poll
	 * @param application the interceptor the container had, or {@code null}
	 */
	LedgerPollHook(ListenerRuntime runtime, @Nullable BatchInterceptor<Object, Object> application) {
		super(new BeforePoll(runtime));
		if (application != null) {
			addBatchInterceptor(application);
		}
	}

	/** The ledger's part: commit before the poll, let every batch through as it is. */
	private static final class BeforePoll implements BatchInterceptor<Object, Object> {

		private final ListenerRuntime runtime;

		BeforePoll(ListenerRuntime runtime) {
			this.runtime = runtime;
		}

		@Override
		public void setupThreadState(Consumer<?, ?> consumer) {
			this.runtime.beforePoll(consumer);
		}

		@Override
		public ConsumerRecords<Object, Object> intercept(ConsumerRecords<Object, Object> records,
				Consumer<Object, Object> consumer) {
			return records;
		}

	}

}
