package io.waterhealer.kafka.worker;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.core.task.VirtualThreadTaskExecutor;

/**
 * The threads of one listener's worker side: {@code parallelism} workers that run records, and one scheduler thread
 * for back-offs and batch timeouts, so that waiting for a retry or a batch occupies no worker.
 * <p>
 * The workers are a fixed pool with an unbounded queue: {@code parallelism} is the bound on handlers running at
 * once, and the ledger's window (not this queue) bounds how many records wait. The bound can change live
 * ({@link #parallelism(int)}), which a fixed pool allows through its core and maximum sizes. Threads are named
 * {@code waterhealer-<listener id>-<n>} and {@code waterhealer-<listener id>-retry-<n>}, which is how a thread dump
 * (and a user's log pattern) tells whose work a thread does.
 */
final class WorkerThreads implements Executor {

	private final ThreadPoolExecutor workers;

	private final ScheduledThreadPoolExecutor scheduler;

	/**
	 * Start the threads of a listener.
	 * @param listenerId the listener's id, part of every thread name
	 * @param parallelism how many records may run at once
	 * @param virtualThreads whether the workers are virtual threads (Java 21 or later)
	 */
	WorkerThreads(String listenerId, int parallelism, boolean virtualThreads) {
		String prefix = "waterhealer-" + listenerId + "-";
		this.workers = new ThreadPoolExecutor(parallelism, parallelism, 0, TimeUnit.MILLISECONDS,
				new LinkedBlockingQueue<>(), virtualThreads ? virtualThreads(prefix) : platformThreads(prefix));
		this.scheduler = new ScheduledThreadPoolExecutor(1, platformThreads(prefix + "retry-"));
		this.scheduler.setRemoveOnCancelPolicy(true);
	}

	/** Run a task on a worker; rejected once {@link #shutdown} began. */
	@Override
	public void execute(Runnable task) {
		this.workers.execute(task);
	}

	/**
	 * How many records may run at once now.
	 * @return the workers
	 */
	int parallelism() {
		return this.workers.getMaximumPoolSize();
	}

	/**
	 * Change how many records may run at once, from any thread. Raising adds workers at once for the tasks queued;
	 * lowering lets running handlers finish, and the workers beyond the new size leave as they go idle, so no running
	 * record is interrupted. Core and maximum move in the order that keeps core at most maximum, which the pool
	 * refuses otherwise.
	 * @param parallelism the new bound, at least 1
	 */
	synchronized void parallelism(int parallelism) {
		if (parallelism > this.workers.getMaximumPoolSize()) {
			this.workers.setMaximumPoolSize(parallelism);
			this.workers.setCorePoolSize(parallelism);
		}
		else {
			this.workers.setCorePoolSize(parallelism);
			this.workers.setMaximumPoolSize(parallelism);
		}
	}

	/** The thread that waits out back-offs and batch timeouts; it hands the work itself to the workers. */
	ScheduledExecutorService scheduler() {
		return this.scheduler;
	}

	/**
	 * Stop once the containers have stopped: pending retries are dropped, records already queued still run for up
	 * to {@code timeoutMillis}, then the workers are interrupted. Records still incomplete are simply not committed.
	 */
	void shutdown(long timeoutMillis) {
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

	private static ThreadFactory platformThreads(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (runnable) -> {
			Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

}
