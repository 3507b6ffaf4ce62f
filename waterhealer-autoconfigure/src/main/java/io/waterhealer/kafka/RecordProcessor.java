package io.waterhealer.kafka;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.springframework.core.log.LogAccessor;

/**
 * The worker side of a listener: runs handed-out records on a pool of {@code parallelism} threads in the order the
 * {@link Dispatcher} allows, completes them in the ledger, and retries failures with back-off.
 * <p>
 * A failed record stays incomplete in the ledger, so the committed position never passes it, and is run again
 * after its back-off; waiting for the back-off occupies no worker thread. With {@code KEY} or {@code PARTITION}
 * ordering the record keeps its lane while it is retried, so later records of the same key or partition wait for
 * it, while all other lanes keep flowing.
 */
final class RecordProcessor {

	private static final LogAccessor logger = new LogAccessor(RecordProcessor.class);

	private final ListenerSettings settings;

	private final HandlerMethodInvoker invoker;

	private final ThreadPoolExecutor workers;

	private final ScheduledExecutorService retries;

	private final Dispatcher dispatcher;

	RecordProcessor(ListenerSettings settings, HandlerMethodInvoker invoker) {
		this.settings = settings;
		this.invoker = invoker;
		this.workers = new ThreadPoolExecutor(settings.parallelism(), settings.parallelism(), 0, TimeUnit.MILLISECONDS,
				new LinkedBlockingQueue<>(), threads("waterhealer-" + settings.id() + "-"));
		ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1,
				threads("waterhealer-" + settings.id() + "-retry-"));
		scheduler.setRemoveOnCancelPolicy(true);
		this.retries = scheduler;
		this.dispatcher = Dispatcher.forOrdering(settings.ordering(), this.workers);
	}

	/** Consumer thread: start a handed-out record when its ordering allows. */
	void submit(ConsumerRecord<Object, Object> record, AssignedPartition partition) {
		this.dispatcher.dispatch(new RecordTask(record, partition, this));
	}

	/** Worker thread: one attempt at one record. */
	void process(RecordTask task) {
		if (task.partition().ledger().isClosed()) {
			this.dispatcher.finished(task);
			return;
		}
		CompletionStage<?> stage;
		try {
			stage = this.invoker.invoke(task.record());
		}
		catch (Throwable ex) {
			failed(task, ex);
			return;
		}
		if (stage == null) {
			completed(task);
		}
		else {
			stage.whenComplete((result, ex) -> {
				if (ex == null) {
					completed(task);
				}
				else {
					failed(task, (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex);
				}
			});
		}
	}

	private void completed(RecordTask task) {
		AssignedPartition partition = task.partition();
		partition.ledger().complete(task.record().offset());
		partition.resumeIfRoom();
		this.dispatcher.finished(task);
	}

	private void failed(RecordTask task, Throwable ex) {
		if (ex instanceof Error error && !(ex instanceof AssertionError)) {
			logger.error(ex, () -> "@HealingListener '" + this.settings.id() + "' hit a JVM error on " + task);
			throw error;
		}
		task.failedAttempts++;
		task.partition().ledger().fail(task.record().offset());
		long delay = this.settings.backOff().delayMillis(task.failedAttempts);
		logger.warn(() -> "@HealingListener '" + this.settings.id() + "' failed " + task + " (key "
				+ task.record().key() + ", attempt " + task.failedAttempts + "); retrying in " + delay + " ms: " + ex);
		try {
			this.retries.schedule(() -> retry(task), delay, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException stopped) {
			logger.debug(() -> "Not retrying " + task + ": listener '" + this.settings.id() + "' is stopping");
		}
	}

	private void retry(RecordTask task) {
		try {
			this.workers.execute(task);
		}
		catch (RejectedExecutionException stopped) {
			logger.debug(() -> "Not retrying " + task + ": listener '" + this.settings.id() + "' is stopping");
		}
	}

	int queuedTasks() {
		return this.workers.getQueue().size();
	}

	/** Stop the workers once the containers have stopped; records still incomplete are simply not committed. */
	void shutdown(long timeoutMillis) {
		this.retries.shutdownNow();
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

	private static ThreadFactory threads(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (runnable) -> {
			Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

}
