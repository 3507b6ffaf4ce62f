package io.waterhealer.kafka.worker;

import io.waterhealer.settings.ListenerSettings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

/**
 * Watches each attempt at a record from the worker thread that runs it, so that tracing continues across the
 * hand-off from the consumer thread: the attempt is opened (and made current) on the worker thread before the
 * method is called, its thread's scope is closed on that same thread as soon as the method returned, and the attempt
 * is stopped when its outcome is known (for a returned stage, on the thread that completes it).
 * <p>
 * An interface here, implemented where Micrometer may be imported ({@code io.waterhealer.observation}), because the
 * worker side sees no Micrometer; {@link #NONE} when observation is off.
 */
@FunctionalInterface
public interface AttemptObserver {

	/** Observes nothing. */
	AttemptObserver NONE = (record, attempt) -> Attempt.NONE;

	/**
	 * Worker thread: an attempt begins; it is current on this thread until {@link Attempt#closeScope()}.
	 * @param record the record attempted
	 * @param attempt 1 for the first attempt, 2 for the first retry, ...
	 * @return the attempt, to close and stop
	 */
	Attempt open(ConsumerRecord<?, ?> record, int attempt);

	/** Makes the observer of each listener. */
	@FunctionalInterface
	interface Factory {

		/** Observes no listener. */
		Factory NONE = (settings) -> AttemptObserver.NONE;

		/**
		 * The observer of one listener's attempts.
		 * @param settings the listener's settings
		 * @return its observer
		 */
		AttemptObserver forListener(ListenerSettings settings);

	}

	/** One observed attempt. */
	interface Attempt {

		/** The attempt that observes nothing. */
		Attempt NONE = new Attempt() {

			@Override
			public void closeScope() {
			}

			@Override
			public void within(Runnable action) {
				action.run();
			}

			@Override
			public void stop(@Nullable Throwable failure) {
			}

		};

		/** The opening thread: it stops being current there (idempotent; never leaks onto the thread's next task). */
		void closeScope();

		/**
		 * Any thread: run {@code action} with this attempt current (what it publishes, a dead letter for one,
		 * carries the attempt's trace on), then restore the thread's previous state.
		 * @param action what to run
		 */
		void within(Runnable action);

		/**
		 * Any thread: the attempt is over; once only.
		 * @param failure why it failed, or {@code null} if it succeeded
		 */
		void stop(@Nullable Throwable failure);

	}

}
