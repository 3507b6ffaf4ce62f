package io.waterhealer.kafka.worker;

import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import io.waterhealer.metrics.ListenerMetrics.StageMeters;
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

	RecordAttempt(HandlerMethodInvoker invoker, StageRecorder stages, RecordOutcome outcome,
			AsyncResults completions) {
		this.invoker = invoker;
		this.stages = stages;
		this.stage = invoker.methodName();
		this.outcome = outcome;
		this.completions = completions;
	}

	/** Worker thread: one attempt at the task's record. */
	void run(RecordTask task) {
		if (this.outcome.droppedIfRevoked(task)) {
			return;
		}
		AssignedPartition partition = task.partition();
		ConsumerRecord<Object, Object> record = task.record();
		StageMeters meters = this.stages.meters(this.stage, record.topic());
		if (!this.outcome.admitted(task, meters)) {
			return;
		}
		long start = meters.timed() ? System.nanoTime() : 0;
		partition.running(1);
		Object result;
		try {
			result = this.invoker.invoke(record, this.invoker.takesStages() ? this.stages.stagesFor(record) : null);
		}
		catch (Throwable ex) {
			finish(partition, meters, start);
			meters.error(ex);
			this.outcome.failed(task, ex);
			return;
		}
		if (!this.invoker.returnsStage()) {
			finish(partition, meters, start);
			meters.out(this.stages.sizeOf(result));
			this.stages.checkpoint(this.stage, record, (result != null) ? result : record.value());
			this.outcome.completed(task);
			return;
		}
		// never null: the invoker fails a method that returns a null stage
		CompletionStage<?> stage = this.completions.completion(Objects.requireNonNull(result),
				PoisonPillException.coordinates(record));
		stage.whenComplete((value, ex) -> {
			finish(partition, meters, start);
			if (ex == null) {
				meters.out(this.stages.sizeOf(value));
				this.stages.checkpoint(this.stage, record, (value != null) ? value : record.value());
				this.outcome.completed(task);
			}
			else {
				Throwable cause = (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
				meters.error(cause);
				this.outcome.failed(task, cause);
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
