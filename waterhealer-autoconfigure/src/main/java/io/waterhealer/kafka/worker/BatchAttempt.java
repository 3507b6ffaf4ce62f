package io.waterhealer.kafka.worker;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import io.waterhealer.BatchFailedException;
import io.waterhealer.metrics.ListenerMetrics.StageMeters;
import io.waterhealer.metrics.RecordState;
import io.waterhealer.settings.ListenerSettings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

/**
 * One attempt at a batch of a batch listener method: one call for all records of the batch (one partition, offset
 * order), then an outcome per record. The records the method names in a {@link BatchFailedException} (or that the
 * leakage check finds missing from its result) fail on their own and are retried one by one; the others complete.
 * <p>
 * A partial failure is trusted only when every element it names is one of the batch's: an exception that names
 * something else cannot say which records failed, so it fails them all rather than complete one that did not run.
 */
final class BatchAttempt {

	private final String listenerId;

	private final boolean checkLeakage;

	private final HandlerMethodInvoker invoker;

	private final StageRecorder stages;

	private final String stage;

	private final RecordOutcome outcome;

	private final AsyncResults completions;

	private final ObservationOpener observer;

	BatchAttempt(ListenerSettings settings, HandlerMethodInvoker invoker, StageRecorder stages,
			RecordOutcome outcome, AsyncResults completions) {
		this(settings, invoker, stages, outcome, completions, AttemptObserver.NONE);
	}

	/**
	 * As the other constructor, with each record of a batch observed on its own, as spring-kafka observes the records
	 * of a batch: one observation per record (a child of its own producer's trace), none of them current while the
	 * method runs, each stopped with its record's outcome, which runs inside it (a dead letter carries its trace).
	 */
	BatchAttempt(ListenerSettings settings, HandlerMethodInvoker invoker, StageRecorder stages,
			RecordOutcome outcome, AsyncResults completions, AttemptObserver observer) {
		this.completions = completions;
		this.observer = new ObservationOpener(observer);
		this.listenerId = settings.id();
		this.checkLeakage = settings.batch().checkLeakage();
		this.invoker = invoker;
		this.stages = stages;
		this.stage = invoker.methodName();
		this.outcome = outcome;
	}

	/** Worker thread: one attempt at a batch (a record retried on its own is a batch of one). */
	void run(List<RecordTask> tasks) {
		List<RecordTask> live = new ArrayList<>(tasks.size());
		for (RecordTask task : tasks) {
			if (this.outcome.droppedIfRevoked(task)) {
				continue;
			}
			if (this.outcome.admitted(task, this.stages.meters(this.stage, task.record().topic()))) {
				live.add(task);
			}
		}
		if (live.isEmpty()) {
			return;
		}
		List<ConsumerRecord<Object, Object>> records = new ArrayList<>(live.size());
		live.forEach((task) -> records.add(task.record()));
		List<Object> elements = this.invoker.batchElements(records);
		List<AttemptObserver.Attempt> observed = new ArrayList<>(live.size());
		for (RecordTask task : live) {
			AttemptObserver.Attempt attempt = this.observer.open(task.record(), task.failedAttempts + 1);
			attempt.closeScope();
			observed.add(attempt);
		}
		StageMeters meters = this.stages.meters(this.stage, records.get(0).topic());
		AssignedPartition partition = live.get(0).partition();
		live.forEach((task) -> task.state(RecordState.RUNNING));
		partition.running(live.size());
		long start = meters.timed() ? System.nanoTime() : 0;
		Object result;
		try {
			result = this.invoker.invokeBatch(elements);
		}
		catch (Throwable ex) {
			partition.running(-live.size());
			finish(meters, start);
			outcome(live, observed, elements, null, ex, meters);
			return;
		}
		if (!this.invoker.returnsStage()) {
			partition.running(-live.size());
			finish(meters, start);
			outcome(live, observed, elements, result, null, meters);
			return;
		}
		CompletionStage<?> stage;
		try {
			// never null: the invoker fails a method that returns a null stage
			stage = this.completions.completion(Objects.requireNonNull(result),
					PoisonPillException.coordinates(records.get(0)) + ".." + records.get(records.size() - 1).offset());
		}
		catch (RuntimeException ex) {
			// what the method returned cannot be awaited: a failed attempt, never records left without an outcome
			partition.running(-live.size());
			finish(meters, start);
			outcome(live, observed, elements, null, ex, meters);
			return;
		}
		stage.whenComplete((value, ex) -> {
			partition.running(-live.size());
			finish(meters, start);
			outcome(live, observed, elements, value,
					(ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex, meters);
		});
	}

	private void outcome(List<RecordTask> tasks, List<AttemptObserver.Attempt> observed, List<Object> elements,
			@Nullable Object result, @Nullable Throwable failure, StageMeters meters) {
		BatchFailedException partial = (failure instanceof BatchFailedException batchFailure
				&& namesOnlyElementsOf(batchFailure, elements)) ? batchFailure : null;
		Set<Object> returned = (failure == null && this.checkLeakage) ? identitySet(result) : null;
		for (int i = 0; i < tasks.size(); i++) {
			RecordTask task = tasks.get(i);
			Object element = elements.get(i);
			Throwable cause = null;
			if (failure != null && (partial == null || partial.failed(element))) {
				cause = (partial != null && partial.getCause() != null) ? partial.getCause() : failure;
			}
			else if (returned != null && !returned.contains(element)) {
				cause = new LeakedRecordException(this.listenerId, task.record());
			}
			AttemptObserver.Attempt attempt = observed.get(i);
			if (cause != null) {
				meters.error(cause);
				Throwable failed = cause;
				attempt.within(() -> this.outcome.failed(task, failed));
			}
			else {
				meters.out(-1);
				attempt.within(() -> this.outcome.completed(task));
			}
			attempt.stop(cause);
		}
		if (failure == null) {
			this.stages.checkpoint(this.stage, tasks.get(tasks.size() - 1).record(),
					this.invoker.returnsVoid() ? elements : result);
		}
	}

	private static boolean namesOnlyElementsOf(BatchFailedException failure, List<Object> elements) {
		Set<Object> batch = Collections.newSetFromMap(new IdentityHashMap<>());
		batch.addAll(elements);
		return batch.containsAll(failure.failedElements());
	}

	private static Set<Object> identitySet(@Nullable Object result) {
		Set<Object> set = Collections.newSetFromMap(new IdentityHashMap<>());
		if (result instanceof Iterable<?> iterable) {
			iterable.forEach(set::add);
		}
		return set;
	}

	private static void finish(StageMeters meters, long start) {
		if (meters.timed()) {
			meters.duration(System.nanoTime() - start);
		}
	}

}
