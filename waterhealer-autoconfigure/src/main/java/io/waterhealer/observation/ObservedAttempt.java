package io.waterhealer.observation;

import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.observation.Observation;
import io.waterhealer.kafka.worker.AttemptObserver;
import org.jspecify.annotations.Nullable;

/**
 * One started attempt observation and the scope it opened on the worker thread that started it.
 * <p>
 * The scope is only ever touched by that thread: it is closed there (by {@link #closeScope()} when the method
 * returned, or by {@link #stop} if the attempt ends there first), never by a thread that completes a returned stage,
 * so a pooled worker thread never keeps one record's trace for the next. A completing thread that runs the outcome
 * opens a scope of its own for it ({@link #within}).
 */
final class ObservedAttempt implements AttemptObserver.Attempt {

	private final Observation observation;

	private final Thread opener;

	/** Only read and written by {@link #opener}. */
	private Observation.@Nullable Scope scope;

	private final AtomicBoolean stopped = new AtomicBoolean();

	ObservedAttempt(Observation observation) {
		this.observation = observation;
		this.opener = Thread.currentThread();
		this.scope = observation.openScope();
	}

	@Override
	public void closeScope() {
		if (Thread.currentThread() == this.opener) {
			Observation.Scope open = this.scope;
			if (open != null) {
				this.scope = null;
				open.close();
			}
		}
	}

	@Override
	public void within(Runnable action) {
		if (Thread.currentThread() == this.opener && this.scope != null) {
			action.run();
			return;
		}
		try (Observation.Scope ignored = this.observation.openScope()) {
			action.run();
		}
	}

	@Override
	public void stop(@Nullable Throwable failure) {
		if (!this.stopped.compareAndSet(false, true)) {
			return;
		}
		closeScope();
		if (failure != null) {
			this.observation.error(failure);
		}
		this.observation.lowCardinalityKeyValue(ListenerObservations.OUTCOME_KEY,
				(failure != null) ? "failure" : "success");
		this.observation.stop();
	}

}
