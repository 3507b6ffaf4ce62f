package io.waterhealer.kafka.worker;

import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import io.waterhealer.metrics.ListenerMetrics.StageMeters;
import io.waterhealer.metrics.RecordState;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One attempt at one record of a per-record listener method: the method runs on a worker thread, counted and timed
 * as the listener's stage; a normal return completes the record, a returned {@link CompletionStage} (or
 * {@code Mono}, see {@link AsyncResults}) completes it when it completes (on whatever thread completes it) or fails it
 * after the completion timeout, and an exception fails it.
 * <p>
 * What the method returned (or the record's value, when it returned nothing) becomes the listener stage's
 * checkpoint.
 */
final class RecordAttempt {

	private final HandlerMethodInvoker invoker;

	private final StageRecorder stages;

	private final String stage;

	private final RecordOutcome outcome;

	private final AsyncResults completions;

	private final ObservationOpener observer;

	RecordAttempt(HandlerMethodInvoker invoker, StageRecorder stages, RecordOutcome outcome,
			AsyncResults completions) {
		this(invoker, stages, outcome, completions, AttemptObserver.NONE);
	}

	RecordAttempt(HandlerMethodInvoker invoker, StageRecorder stages, RecordOutcome outcome,
			AsyncResults completions, AttemptObserver observer) {
		this.invoker = invoker;
		this.stages = stages;
		this.stage = invoker.methodName();
		this.outcome = outcome;
		this.completions = completions;
		this.observer = new ObservationOpener(observer);
	}

	/**
	 * Worker thread: one attempt at the task's record, observed from here (so a failure that is dead-lettered at once
	 * carries the attempt's trace) until its outcome; the observer's scope never outlives this call on this thread.
	 */
	void run(RecordTask task) {
		if (this.outcome.droppedIfRevoked(task)) {
			return;
		}
		AttemptObserver.Attempt observed = this.observer.open(task.record(), task.failedAttempts + 1);
		try {
			run(task, observed);
		}
		finally {
			observed.closeScope();
		}
	}

	private void run(RecordTask task, AttemptObserver.Attempt observed) {
		AssignedPartition partition = task.partition();
		ConsumerRecord<Object, Object> record = task.record();
		StageMeters meters = this.stages.meters(this.stage, record.topic());
		if (!this.outcome.admitted(task, meters)) {
			// not admitted means it could not be deserialized and has already failed
			observed.stop(new IllegalStateException("the record could not be deserialized"));
			return;
		}
		long start = meters.timed() ? System.nanoTime() : 0;
		task.state(RecordState.RUNNING);
		partition.running(1);
		Object result;
		try {
			result = this.invoker.invoke(record, this.invoker.takesStages() ? this.stages.stagesFor(record) : null);
		}
		catch (Throwable ex) {
			finish(partition, meters, start);
			meters.error(ex);
			this.outcome.failed(task, ex);
			observed.stop(ex);
			return;
		}
		if (!this.invoker.returnsStage()) {
			finish(partition, meters, start);
			meters.out(this.stages.sizeOf(result));
			this.stages.checkpoint(this.stage, record, (result != null) ? result : record.value());
			this.outcome.completed(task);
			observed.stop(null);
			return;
		}
		CompletionStage<?> stage;
		try {
			// never null: the invoker fails a method that returns a null stage
			stage = this.completions.completion(Objects.requireNonNull(result), PoisonPillException.coordinates(record));
		}
		catch (RuntimeException ex) {
			// what the method returned cannot be awaited: a failed attempt, never a record left without an outcome
			finish(partition, meters, start);
			meters.error(ex);
			this.outcome.failed(task, ex);
			observed.stop(ex);
			return;
		}
		stage.whenComplete((value, ex) -> {
			finish(partition, meters, start);
			if (ex == null) {
				meters.out(this.stages.sizeOf(value));
				this.stages.checkpoint(this.stage, record, (value != null) ? value : record.value());
				observed.within(() -> this.outcome.completed(task));
				observed.stop(null);
			}
			else {
				Throwable cause = (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
				meters.error(cause);
				observed.within(() -> this.outcome.failed(task, cause));
				observed.stop(cause);
			}
		});
	}

	private static void finish(AssignedPartition partition, StageMeters meters, long start) {
		partition.running(-1);
		if (meters.timed()) {
			meters.duration(System.nanoTime() - start);
		}
	}

}
