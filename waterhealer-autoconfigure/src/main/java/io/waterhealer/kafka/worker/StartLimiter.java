package io.waterhealer.kafka.worker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

import io.waterhealer.settings.RateLimit;
import org.jspecify.annotations.Nullable;

import org.springframework.core.log.LogAccessor;

/**
 * Sits between the hand-out (the {@link Dispatcher}, the {@link Batcher}) and the {@link WorkerThreads}: a record may
 * start only with a token of the listener's {@link TokenBucket}, so that the listener starts at most its
 * {@link RateLimit} on this instance.
 * <p>
 * A start without a token waits in a FIFO queue, not on a thread: one timer on the listener's scheduler is set for
 * the moment the head's tokens are due, hands what is due to the workers and sets itself again while starts wait. No
 * worker is held and nothing spins. A waiting record is still in flight in its partition's ledger, so a listener held
 * back by its rate fills its windows and its partitions pause as they do behind slow handlers.
 * <p>
 * Order: the queue is first in, first out, and the {@link Dispatcher}'s lanes hand a lane's next record in only when
 * the previous one finished, so the limiter never reorders a key or a partition. What counts is a first start: a
 * record takes one token, a batch one per record (the limit protects what the handler calls, which a batch calls
 * once per record or more); a retry takes none, since its back-off already spaces it.
 * <p>
 * The rate can change at any time from any thread ({@link #rate(RateLimit)}); the starts waiting are released at the
 * new rate. Unlimited costs one volatile read per start.
 */
final class StartLimiter {

	private static final LogAccessor logger = new LogAccessor(StartLimiter.class);

	private final String listenerId;

	private final Executor workers;

	private final Timer timer;

	private final LongSupplier clock;

	private final LongConsumer waited;

	private final ArrayDeque<Waiting> queue = new ArrayDeque<>();

	/** The tokens while a limit is set; {@code null} when unlimited. Written under the lock. */
	private volatile @Nullable TokenBucket bucket;

	private volatile RateLimit limit;

	private @Nullable Future<?> release;

	/**
	 * Create the limiter of one listener.
	 * @param listenerId the listener, for the log
	 * @param limit the rate at the start
	 * @param workers where a start with its token runs
	 * @param timer sets the release timer; it only hands tasks to {@code workers}
	 * @param clock nanoseconds, {@link System#nanoTime()} in production
	 * @param waited told, for every start under a limit, how many nanoseconds it waited for its tokens
	 */
	StartLimiter(String listenerId, RateLimit limit, Executor workers, Timer timer,
			LongSupplier clock, LongConsumer waited) {
		this.listenerId = listenerId;
		this.workers = workers;
		this.timer = timer;
		this.clock = clock;
		this.waited = waited;
		this.limit = limit;
		this.bucket = limit.isUnlimited() ? null : new TokenBucket(limit.perSecond(), clock.getAsLong());
	}

	/**
	 * Start one record's first attempt, now or when its token is due.
	 * @param task the attempt
	 */
	void start(Runnable task) {
		start(task, 1);
	}

	/**
	 * Start a task that counts as {@code permits} records (a batch), now or when its tokens are due.
	 * @param task the task
	 * @param permits the records it starts, at least 1
	 * @throws RejectedExecutionException when it would start now and the workers are stopping
	 */
	void start(Runnable task, int permits) {
		if (this.bucket != null && !takeOrQueue(task, permits)) {
			return;
		}
		this.workers.execute(task);
	}

	/**
	 * Take the tokens of a start, or queue it behind those waiting (which come first even when a token is there).
	 * @return whether it may start now; {@code false} when it was queued
	 */
	private synchronized boolean takeOrQueue(Runnable task, int permits) {
		TokenBucket tokens = this.bucket;
		if (tokens == null) {
			// the limit was lifted meanwhile, and what waited was released
			return true;
		}
		long now = this.clock.getAsLong();
		if (this.queue.isEmpty() && tokens.tryTake(permits, now)) {
			this.waited.accept(0);
			return true;
		}
		this.queue.add(new Waiting(task, permits, now));
		armTimer(tokens, now);
		return false;
	}

	/**
	 * The rate in force.
	 * @return the rate
	 */
	RateLimit rate() {
		return this.limit;
	}

	/**
	 * Change the rate; starts waiting now are released at the new rate (all at once when it is unlimited). Any
	 * thread.
	 * @param limit the new rate
	 */
	void rate(RateLimit limit) {
		List<Waiting> due;
		long now;
		synchronized (this) {
			now = this.clock.getAsLong();
			this.limit = limit;
			TokenBucket tokens = this.bucket;
			if (limit.isUnlimited()) {
				this.bucket = null;
			}
			else if (tokens == null) {
				this.bucket = new TokenBucket(limit.perSecond(), now);
			}
			else {
				tokens.rate(limit.perSecond(), now);
			}
			if (this.release != null) {
				this.release.cancel(false);
				this.release = null;
			}
			due = takeDue(now);
		}
		hand(due, now);
	}

	/**
	 * Starts waiting for their tokens.
	 * @return how many tasks wait
	 */
	synchronized int waiting() {
		return this.queue.size();
	}

	/** The timer: hand what is due to the workers, set the timer again for what still waits. */
	private void release() {
		List<Waiting> due;
		long now;
		synchronized (this) {
			this.release = null;
			now = this.clock.getAsLong();
			due = takeDue(now);
		}
		hand(due, now);
	}

	/** Under the lock: the waiting starts whose tokens are there, in order; the timer set for the rest. */
	private List<Waiting> takeDue(long now) {
		List<Waiting> due = new ArrayList<>();
		TokenBucket tokens = this.bucket;
		while (!this.queue.isEmpty()) {
			Waiting head = this.queue.peek();
			if (tokens != null && !tokens.tryTake(head.permits, now)) {
				break;
			}
			due.add(this.queue.poll());
		}
		if (tokens != null && !this.queue.isEmpty()) {
			armTimer(tokens, now);
		}
		return due;
	}

	/** Under the lock: set the one timer for the head's tokens, unless it is set. */
	private void armTimer(TokenBucket tokens, long now) {
		if (this.release != null) {
			return;
		}
		Waiting head = this.queue.peek();
		if (head == null) {
			return;
		}
		try {
			this.release = this.timer.schedule(this::release, tokens.nanosUntil(head.permits, now));
		}
		catch (RejectedExecutionException stopping) {
			int dropped = this.queue.size();
			this.queue.clear();
			logger.debug(() -> "@HealingListener '" + this.listenerId + "' is stopping; " + dropped
					+ " records waiting for their rate limit's tokens were not started and stay uncommitted");
		}
	}

	/** Outside the lock: the workers' queue may be long, and a start must never wait for the limiter's lock. */
	private void hand(List<Waiting> due, long now) {
		for (Waiting start : due) {
			if (this.bucket != null) {
				this.waited.accept(Math.max(0, now - start.since));
			}
			try {
				this.workers.execute(start.task);
			}
			catch (RejectedExecutionException stopping) {
				// the workers stop after the containers did: a record never started is never committed, and the
				// next owner of its partition processes it
				logger.debug(() -> "@HealingListener '" + this.listenerId + "' is stopping; a record waiting for "
						+ "its rate limit's token was not started and stays uncommitted");
			}
		}
	}

	/** Where the one release timer is set: the listener's scheduler thread in production, a test's clock in tests. */
	@FunctionalInterface
	interface Timer {

		/**
		 * The timer on a scheduler's thread.
		 * @param scheduler the scheduler
		 * @return the timer
		 */
		static Timer on(ScheduledExecutorService scheduler) {
			return (task, delayNanos) -> scheduler.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
		}

		/**
		 * Run a task once after a delay.
		 * @param task the task
		 * @param delayNanos the delay, 0 for as soon as possible
		 * @return what cancels it
		 * @throws RejectedExecutionException when the scheduler is stopping
		 */
		Future<?> schedule(Runnable task, long delayNanos);

	}

	private record Waiting(Runnable task, int permits, long since) {
	}

}
