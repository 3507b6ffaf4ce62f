package io.waterhealer.kafka.worker;

import java.util.List;
import java.util.function.Consumer;

import io.waterhealer.PayloadSizeEstimator;
import io.waterhealer.checkpoint.CheckpointStore;
import io.waterhealer.metrics.ListenerMetrics;
import io.waterhealer.settings.ListenerSettings;
import io.waterhealer.settings.RateLimit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

/**
 * The worker side of a listener, as the consumer thread sees it: records handed out go in here, and run on the
 * listener's {@link WorkerThreads} in the order the {@link Dispatcher} allows (or in the batches the {@link Batcher}
 * forms), at the rate the {@link StartLimiter} allows, one {@link RecordAttempt} or {@link BatchAttempt} at a time,
 * until their {@link RecordOutcome} completes them in the ledger.
 * <p>
 * This class only builds and connects those parts, so that the consumer-thread side depends on one type and the
 * parts can each be tested on their own.
 */
public final class RecordProcessor {

	private final WorkerThreads threads;

	private final StartLimiter limiter;

	private final Dispatcher dispatcher;

	private final RecordOutcome outcome;

	private final @Nullable RecordAttempt recordAttempt;

	private final @Nullable BatchAttempt batchAttempt;

	private final @Nullable Batcher batcher;

	/**
	 * Build the worker side of a listener whose attempts are not observed and that has no retry tiers.
	 * @param settings the listener's settings (parallelism, ordering, rate, failure policy, timeouts, batching)
	 * @param invoker calls the listener's method
	 * @param deadLetters publishes records that failed for good under {@code DEAD_LETTER}, or {@code null} for another
	 * policy
	 * @param metrics records the listener's meters
	 * @param sizes estimates the payload passed between stages, for the payload meters
	 * @param checkpoints keeps each stage's last value, or {@code null} when checkpoints are off
	 * @param virtualThreads whether the workers are virtual threads (Java 21 or later)
	 */
	public RecordProcessor(ListenerSettings settings, HandlerMethodInvoker invoker, @Nullable DeadLetterPublisher deadLetters,
			ListenerMetrics metrics, PayloadSizeEstimator sizes, @Nullable CheckpointStore checkpoints,
			boolean virtualThreads) {
		this(settings, invoker, deadLetters, metrics, sizes, checkpoints, virtualThreads, AttemptObserver.Factory.NONE);
	}

	/**
	 * As the other constructor, with each record attempt observed (traced) on the worker thread that runs it.
	 * @param settings the listener's settings (parallelism, ordering, rate, failure policy, timeouts, batching)
	 * @param invoker calls the listener's method
	 * @param deadLetters publishes records that failed for good under {@code DEAD_LETTER}, or {@code null} for another
	 * policy
	 * @param metrics records the listener's meters
	 * @param sizes estimates the payload passed between stages, for the payload meters
	 * @param checkpoints keeps each stage's last value, or {@code null} when checkpoints are off
	 * @param virtualThreads whether the workers are virtual threads (Java 21 or later)
	 * @param observers makes the listener's {@link AttemptObserver}
	 */
	public RecordProcessor(ListenerSettings settings, HandlerMethodInvoker invoker,
			@Nullable DeadLetterPublisher deadLetters, ListenerMetrics metrics, PayloadSizeEstimator sizes,
			@Nullable CheckpointStore checkpoints, boolean virtualThreads, AttemptObserver.Factory observers) {
		this(settings, invoker, deadLetters, null, metrics, sizes, checkpoints, virtualThreads, observers);
	}

	/**
	 * As the other constructors, with records that used up their attempts parked on retry tiers.
	 * @param settings the listener's settings (parallelism, ordering, rate, failure policy, timeouts, batching)
	 * @param invoker calls the listener's method
	 * @param deadLetters publishes records that failed for good under {@code DEAD_LETTER}, or {@code null} for another
	 * policy
	 * @param tiers publishes to the listener's retry tiers, or {@code null} for none
	 * @param metrics records the listener's meters
	 * @param sizes estimates the payload passed between stages, for the payload meters
	 * @param checkpoints keeps each stage's last value, or {@code null} when checkpoints are off
	 * @param virtualThreads whether the workers are virtual threads (Java 21 or later)
	 * @param observers makes the listener's {@link AttemptObserver}
	 */
	public RecordProcessor(ListenerSettings settings, HandlerMethodInvoker invoker,
			@Nullable DeadLetterPublisher deadLetters, @Nullable RetryTierPublisher tiers, ListenerMetrics metrics,
			PayloadSizeEstimator sizes, @Nullable CheckpointStore checkpoints, boolean virtualThreads,
			AttemptObserver.Factory observers) {
		StageRecorder stages = new StageRecorder(settings.id(), metrics, sizes, checkpoints);
		this.threads = new WorkerThreads(settings.id(), settings.parallelism(), virtualThreads);
		this.limiter = new StartLimiter(settings.id(), settings.rate(), this.threads,
				StartLimiter.Timer.on(this.threads.scheduler()),
				System::nanoTime, metrics::rateLimitWait);
		this.dispatcher = Dispatcher.forOrdering(settings.id(), settings.ordering(), this.limiter::start);
		this.outcome = new RecordOutcome(settings, invoker.methodName(), deadLetters, tiers, this.threads,
				this.dispatcher);
		AsyncResults completions = new AsyncResults(settings.id(), settings.completionTimeout(),
				this.threads.scheduler(), this.threads);
		if (invoker.isBatch()) {
			BatchAttempt batchAttempt = new BatchAttempt(settings, invoker, stages, this.outcome, completions,
					observers.forListener(settings));
			this.recordAttempt = null;
			this.batchAttempt = batchAttempt;
			this.batcher = new Batcher(settings.batch(), this.threads.scheduler(),
					(batch) -> this.limiter.start(() -> batchAttempt.run(batch), batch.size()));
		}
		else {
			this.recordAttempt = new RecordAttempt(invoker, stages, this.outcome, completions,
					observers.forListener(settings));
			this.batchAttempt = null;
			this.batcher = null;
		}
	}

	/**
	 * Where a failure the application must hear about (a JVM error, a fatal exception) is reported.
	 * @param fatal called with the failure
	 */
	public void onFatal(Consumer<Throwable> fatal) {
		this.outcome.onFatal(fatal);
	}

	/**
	 * Any thread: the dead-letter storm that stopped the listener's failure policy, if one did.
	 * @return the storm, or {@code null}
	 */
	public @Nullable DeadLetterStorm deadLetterStorm() {
		return this.outcome.storm();
	}

	/**
	 * Any thread: go on after a dead-letter storm; the held records are attempted again.
	 * @return whether a storm had stopped the listener
	 */
	public boolean resumeAfterStorm() {
		if (this.outcome.storm() == null) {
			return false;
		}
		this.outcome.resume();
		return true;
	}

	/**
	 * Any thread: the rate at which records start.
	 * @return the rate in force
	 */
	public RateLimit rate() {
		return this.limiter.rate();
	}

	/**
	 * Any thread: change the rate at which records start; records waiting for a token are released at the new rate.
	 * @param rate the new rate
	 */
	public void changeRate(RateLimit rate) {
		this.limiter.rate(rate);
	}

	/**
	 * Any thread: how many records may run at once.
	 * @return the parallelism in force
	 */
	public int parallelism() {
		return this.threads.parallelism();
	}

	/**
	 * Any thread: change how many records may run at once. Records running keep running; a lower bound applies as
	 * they finish, a higher one at once.
	 * @param parallelism the new bound, at least 1
	 * @throws IllegalArgumentException when it is below 1
	 */
	public void changeParallelism(int parallelism) {
		if (parallelism < 1) {
			throw new IllegalArgumentException("The parallelism of a @HealingListener must be a whole number of at "
					+ "least 1, but was " + parallelism);
		}
		this.threads.parallelism(parallelism);
	}

	/**
	 * Consumer thread: start a handed-out record when its ordering allows.
	 * @param record the record
	 * @param partition its partition, which tracks the record as in flight until it completes
	 */
	public void submit(ConsumerRecord<Object, Object> record, AssignedPartition partition) {
		RecordTask task = new RecordTask(record, partition, this);
		partition.inFlightTasks().add(task);
		if (this.batcher != null) {
			this.batcher.add(task);
		}
		else {
			this.dispatcher.dispatch(task);
		}
	}

	/** Worker thread: one attempt at one record. */
	void process(RecordTask task) {
		if (this.batchAttempt != null) {
			// a record of a batch method that failed is retried on its own, as a batch of one
			this.batchAttempt.run(List.of(task));
		}
		else if (this.recordAttempt != null) {
			this.recordAttempt.run(task);
		}
	}

	/**
	 * Stop the workers once the containers have stopped; records still incomplete are simply not committed.
	 * @param timeoutMillis how long to wait for running attempts to finish before interrupting them
	 */
	public void shutdown(long timeoutMillis) {
		this.threads.shutdown(timeoutMillis);
	}

}
