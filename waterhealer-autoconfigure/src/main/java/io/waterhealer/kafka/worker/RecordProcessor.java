package io.waterhealer.kafka.worker;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.waterhealer.BatchFailedException;
import io.waterhealer.PayloadSizeEstimator;
import io.waterhealer.checkpoint.CheckpointStore;
import io.waterhealer.metrics.ListenerMetrics;
import io.waterhealer.settings.ListenerSettings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.core.log.LogAccessor;
import org.springframework.core.task.VirtualThreadTaskExecutor;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.SerializationUtils;

/**
 * The worker side of a listener: runs handed-out records on a pool of {@code parallelism} threads in the order the
 * {@link Dispatcher} allows, completes them in the ledger, and hands failures to the {@link FailureHandler}.
 * <p>
 * A failed record stays incomplete in the ledger, so the committed position never passes it. With {@code KEY} or
 * {@code PARTITION} ordering the record keeps its lane while it is retried, so later records of the same key or
 * partition wait for it, while all other lanes keep flowing.
 */
public final class RecordProcessor {

	private static final LogAccessor logger = new LogAccessor(RecordProcessor.class);

	private final ListenerSettings settings;

	private final HandlerMethodInvoker invoker;

	private final ThreadPoolExecutor workers;

	private final ScheduledThreadPoolExecutor scheduler;

	private final Dispatcher dispatcher;

	private final FailureHandler failures;

	private final MeteredStages.StageCatalog stages;

	private final String stageName;

	private final @Nullable Batcher batcher;

	private volatile java.util.function.Consumer<Throwable> fatal = (failure) -> {
	};

	/** The listener stage's meters of the last topic seen: one topic per listener is the common case. */
	private volatile TopicMeters lastTopic = new TopicMeters("", ListenerMetrics.StageMeters.NONE);

	public RecordProcessor(ListenerSettings settings, HandlerMethodInvoker invoker, @Nullable DeadLetterPublisher deadLetters,
			ListenerMetrics metrics, PayloadSizeEstimator sizes, @Nullable CheckpointStore checkpoints,
			boolean virtualThreads) {
		this.settings = settings;
		this.invoker = invoker;
		this.stages = new MeteredStages.StageCatalog(settings.id(), metrics, sizes, checkpoints);
		this.stageName = invoker.methodName();
		this.workers = new ThreadPoolExecutor(settings.parallelism(), settings.parallelism(), 0, TimeUnit.MILLISECONDS,
				new LinkedBlockingQueue<>(), virtualThreads ? virtualThreads("waterhealer-" + settings.id() + "-")
						: threads("waterhealer-" + settings.id() + "-"));
		this.scheduler = new ScheduledThreadPoolExecutor(1, threads("waterhealer-" + settings.id() + "-retry-"));
		this.scheduler.setRemoveOnCancelPolicy(true);
		this.dispatcher = Dispatcher.forOrdering(settings.id(), settings.ordering(), this.workers);
		this.failures = new FailureHandler(settings, this.stageName, deadLetters, this.scheduler, this.workers,
				this::completed);
		this.batcher = invoker.isBatch()
				? new Batcher(settings.batch(), this.scheduler, (batch) -> this.workers.execute(() -> processBatch(batch)))
				: null;
	}

	public void onFatal(java.util.function.Consumer<Throwable> fatal) {
		this.fatal = fatal;
		this.failures.onFatal(fatal);
	}

	/** Consumer thread: start a handed-out record when its ordering allows. */
	public void submit(ConsumerRecord<Object, Object> record, AssignedPartition partition) {
		RecordTask task = new RecordTask(record, partition, this);
		if (this.batcher != null) {
			this.batcher.add(task);
		}
		else {
			this.dispatcher.dispatch(task);
		}
	}

	/** Worker thread: one attempt at one record. */
	void process(RecordTask task) {
		if (this.batcher != null) {
			// a record of a batch method that failed is retried on its own, as a batch of one
			processBatch(List.of(task));
			return;
		}
		AssignedPartition partition = task.partition();
		if (partition.ledger().isClosed()) {
			this.dispatcher.finished(task);
			return;
		}
		ConsumerRecord<Object, Object> record = task.record();
		ListenerMetrics.StageMeters meters = listenerStage(record.topic());
		if (!task.counted) {
			task.counted = true;
			meters.in(serializedSize(record));
		}
		DeserializationException undeserializable = deserializationFailure(record);
		if (undeserializable != null) {
			meters.error(undeserializable);
			failed(task, undeserializable);
			return;
		}
		long start = meters.timed() ? System.nanoTime() : 0;
		partition.running(1);
		Object result;
		try {
			result = this.invoker.invoke(record,
					this.invoker.takesStages() ? new MeteredStages(this.stages, record) : null);
		}
		catch (Throwable ex) {
			finishAttempt(partition, meters, start);
			meters.error(ex);
			failed(task, ex);
			return;
		}
		if (!this.invoker.returnsStage()) {
			finishAttempt(partition, meters, start);
			meters.out(this.stages.sizeOf(result));
			this.stages.checkpoint(this.stageName, record, (result != null) ? result : record.value());
			completed(task);
			return;
		}
		((CompletionStage<?>) result).whenComplete((value, ex) -> {
			finishAttempt(partition, meters, start);
			if (ex == null) {
				meters.out(this.stages.sizeOf(value));
				this.stages.checkpoint(this.stageName, record, (value != null) ? value : record.value());
				completed(task);
			}
			else {
				Throwable cause = (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
				meters.error(cause);
				failed(task, cause);
			}
		});
	}

	/**
	 * Worker thread: one attempt at a batch. The records the method names in a {@code BatchFailedException} (or
	 * that the leakage check finds missing from its result) fail on their own; the others complete.
	 */
	void processBatch(List<RecordTask> tasks) {
		List<RecordTask> live = new ArrayList<>(tasks.size());
		for (RecordTask task : tasks) {
			if (task.partition().ledger().isClosed()) {
				this.dispatcher.finished(task);
				continue;
			}
			ListenerMetrics.StageMeters meters = listenerStage(task.record().topic());
			if (!task.counted) {
				task.counted = true;
				meters.in(serializedSize(task.record()));
			}
			DeserializationException undeserializable = deserializationFailure(task.record());
			if (undeserializable != null) {
				meters.error(undeserializable);
				failed(task, undeserializable);
			}
			else {
				live.add(task);
			}
		}
		if (live.isEmpty()) {
			return;
		}
		List<ConsumerRecord<Object, Object>> records = new ArrayList<>(live.size());
		live.forEach((task) -> records.add(task.record()));
		List<Object> elements = this.invoker.batchElements(records);
		ListenerMetrics.StageMeters meters = listenerStage(records.get(0).topic());
		AssignedPartition partition = live.get(0).partition();
		partition.running(live.size());
		long start = meters.timed() ? System.nanoTime() : 0;
		Object result;
		try {
			result = this.invoker.invokeBatch(elements);
		}
		catch (Throwable ex) {
			partition.running(-live.size());
			finishBatchAttempt(meters, start);
			batchOutcome(live, elements, null, ex, meters);
			return;
		}
		if (!this.invoker.returnsStage()) {
			partition.running(-live.size());
			finishBatchAttempt(meters, start);
			batchOutcome(live, elements, result, null, meters);
			return;
		}
		((CompletionStage<?>) result).whenComplete((value, ex) -> {
			partition.running(-live.size());
			finishBatchAttempt(meters, start);
			batchOutcome(live, elements, value,
					(ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex, meters);
		});
	}

	private void batchOutcome(List<RecordTask> tasks, List<Object> elements, @Nullable Object result,
			@Nullable Throwable failure, ListenerMetrics.StageMeters meters) {
		BatchFailedException partial = (failure instanceof BatchFailedException batchFailure
				&& namesOnlyElementsOf(batchFailure, elements)) ? batchFailure : null;
		Set<Object> returned = (failure == null && this.settings.batch().checkLeakage()) ? identitySet(result) : null;
		for (int i = 0; i < tasks.size(); i++) {
			RecordTask task = tasks.get(i);
			Object element = elements.get(i);
			Throwable cause = null;
			if (failure != null && (partial == null || partial.failed(element))) {
				cause = (partial != null && partial.getCause() != null) ? partial.getCause() : failure;
			}
			else if (returned != null && !returned.contains(element)) {
				cause = new LeakedRecordException(this.settings.id(), task.record());
			}
			if (cause != null) {
				meters.error(cause);
				failed(task, cause);
			}
			else {
				meters.out(-1);
				completed(task);
			}
		}
		if (failure == null) {
			this.stages.checkpoint(this.stageName, tasks.get(tasks.size() - 1).record(),
					this.invoker.returnsVoid() ? elements : result);
		}
	}

	/** A partial failure is only trusted when every element it names is one of the batch's. */
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

	private static void finishBatchAttempt(ListenerMetrics.StageMeters meters, long start) {
		if (meters.timed()) {
			meters.duration(System.nanoTime() - start);
		}
	}

	private ListenerMetrics.StageMeters listenerStage(String topic) {
		TopicMeters last = this.lastTopic;
		if (last.topic().equals(topic)) {
			return last.meters();
		}
		ListenerMetrics.StageMeters meters = this.stages.meters(this.stageName, topic);
		this.lastTopic = new TopicMeters(topic, meters);
		return meters;
	}

	private record TopicMeters(String topic, ListenerMetrics.StageMeters meters) {
	}

	private static void finishAttempt(AssignedPartition partition, ListenerMetrics.StageMeters meters, long start) {
		partition.running(-1);
		if (meters.timed()) {
			meters.duration(System.nanoTime() - start);
		}
	}

	private static long serializedSize(ConsumerRecord<?, ?> record) {
		return Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
	}

	private void completed(RecordTask task) {
		AssignedPartition partition = task.partition();
		partition.ledger().complete(task.record().offset());
		partition.resumeIfRoom();
		this.dispatcher.finished(task);
	}

	private void failed(RecordTask task, Throwable ex) {
		if (ex instanceof Error && !(ex instanceof AssertionError)) {
			// the record keeps its lane and is retried like any failure, so nothing behind it is stuck silently;
			// the listener reports itself DOWN, so the application is restarted if the error persists
			logger.error(ex, () -> "@HealingListener '" + this.settings.id() + "' hit a JVM error on " + task);
			this.fatal.accept(ex);
		}
		if (task.partition().ledger().isClosed()) {
			this.dispatcher.finished(task);
			return;
		}
		this.failures.failed(task, ex);
	}

	/**
	 * A record whose key or value could not be deserialized reaches the listener (through spring-kafka's
	 * {@code ErrorHandlingDeserializer}) with a null in its place and the exception in a header.
	 */
	private static @Nullable DeserializationException deserializationFailure(ConsumerRecord<?, ?> record) {
		if (record.value() == null || record.key() == null) {
			DeserializationException value = SerializationUtils.getExceptionFromHeader(record,
					SerializationUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER, logger);
			if (value != null) {
				return value;
			}
			return SerializationUtils.getExceptionFromHeader(record,
					SerializationUtils.KEY_DESERIALIZER_EXCEPTION_HEADER, logger);
		}
		return null;
	}

	/** Stop the workers once the containers have stopped; records still incomplete are simply not committed. */
	public void shutdown(long timeoutMillis) {
		this.scheduler.shutdownNow();
		this.workers.shutdown();
		try {
			if (!this.workers.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS)) {
				this.workers.shutdownNow();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.workers.shutdownNow();
		}
	}

	/**
	 * {@code parallelism} long-lived virtual workers: the pool keeps the bound and the queue, the threads cost a few
	 * hundred bytes each while parked and free their carrier while a handler blocks.
	 */
	private static ThreadFactory virtualThreads(String prefix) {
		return new VirtualThreadTaskExecutor(prefix).getVirtualThreadFactory();
	}

	private static ThreadFactory threads(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (runnable) -> {
			Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

}
