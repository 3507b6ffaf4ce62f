package io.waterhealer.kafka.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.waterhealer.Ordering;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The KEY dispatcher under a race-prone load: no-op tasks on few keys, finished on pool threads while the
 * dispatching thread keeps queueing behind them. Every task must run exactly once, in dispatch order per key, and
 * no key may run two tasks at once; a lane left without a finisher would stop its key for good.
 */
class DispatcherTests {

	private static final int TASKS = 300_000;

	private static final int KEYS = 40;

	@Test
	void everyTaskRunsOnceInOrderPerKeyAndNoLaneIsLeftBehind() throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(8);
		AtomicReference<Dispatcher> dispatcher = new AtomicReference<>();
		Map<Object, AtomicInteger> running = new ConcurrentHashMap<>();
		Map<Object, Long> lastOffset = new ConcurrentHashMap<>();
		AtomicInteger done = new AtomicInteger();
		AtomicReference<String> violation = new AtomicReference<>();
		dispatcher.set(Dispatcher.forOrdering("test", Ordering.KEY, (runnable) -> pool.execute(() -> {
			RecordTask task = (RecordTask) runnable;
			Object key = task.record().key();
			if (running.computeIfAbsent(key, (k) -> new AtomicInteger()).incrementAndGet() != 1) {
				violation.compareAndSet(null, "two tasks of " + key + " at once");
			}
			Long previous = lastOffset.put(key, task.record().offset());
			if (previous != null && previous > task.record().offset()) {
				violation.compareAndSet(null, key + " ran " + task.record().offset() + " after " + previous);
			}
			running.get(key).decrementAndGet();
			done.incrementAndGet();
			dispatcher.get().finished(task);
		})));
		try {
			for (int i = 0; i < TASKS; i++) {
				ConsumerRecord<Object, Object> record = new ConsumerRecord<>("t", 0, i, "key-" + (i % KEYS), "v");
				dispatcher.get().dispatch(new RecordTask(record, null, null));
			}
			await().atMost(Duration.ofSeconds(60)).until(() -> done.get() == TASKS);
			assertThat(violation.get()).isNull();
		}
		finally {
			pool.shutdownNow();
			pool.awaitTermination(10, TimeUnit.SECONDS);
		}
	}


	/**
	 * A key class without value equality (no {@code equals}/{@code hashCode} of its own) must not give each record a
	 * lane of its own: two records with equal content would then run at once and out of order. Each of the 20 tasks
	 * holds its worker for a moment, so a second lane would run beside it.
	 */
	@Test
	void keysWithoutValueEqualityNeverRunConcurrentlyAndKeepOffsetOrder() throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(4);
		AtomicReference<Dispatcher> dispatcher = new AtomicReference<>();
		AtomicInteger running = new AtomicInteger();
		AtomicInteger maxRunning = new AtomicInteger();
		List<Long> order = Collections.synchronizedList(new ArrayList<>());
		CountDownLatch done = new CountDownLatch(20);
		dispatcher.set(Dispatcher.forOrdering("test", Ordering.KEY, (runnable) -> pool.execute(() -> {
			RecordTask task = (RecordTask) runnable;
			maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
			try {
				Thread.sleep(5);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			order.add(task.record().offset());
			running.decrementAndGet();
			done.countDown();
			dispatcher.get().finished(task);
		})));
		try {
			for (int i = 0; i < 20; i++) {
				ConsumerRecord<Object, Object> record = new ConsumerRecord<>("t", 0, i, new IdentityKey("same"), "v");
				dispatcher.get().dispatch(new RecordTask(record, null, null));
			}
			assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
			assertThat(maxRunning.get()).as("records of equal keys running at once").isEqualTo(1);
			assertThat(order).isSorted().hasSize(20);
		}
		finally {
			pool.shutdownNow();
			pool.awaitTermination(10, TimeUnit.SECONDS);
		}
	}

	/**
	 * The workers stop (shutdown, after the containers stopped) while a key still has a record queued behind the one
	 * running. Finishing the running one must not throw from the worker thread (a stack trace on every shutdown, and
	 * an uncaught exception in whatever watches the threads); the queued record is simply never started, so it is
	 * never completed and never committed.
	 */
	@Test
	void aRecordQueuedBehindTheRunningOneIsDroppedQuietlyWhenTheWorkersStop() throws Exception {
		List<Throwable> uncaught = Collections.synchronizedList(new ArrayList<>());
		ExecutorService pool = Executors.newSingleThreadExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "dispatcher-test-worker");
			thread.setUncaughtExceptionHandler((t, ex) -> uncaught.add(ex));
			return thread;
		});
		CountDownLatch firstRunning = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch firstFinished = new CountDownLatch(1);
		List<Long> ran = Collections.synchronizedList(new ArrayList<>());
		AtomicReference<Dispatcher> dispatcher = new AtomicReference<>();
		dispatcher.set(Dispatcher.forOrdering("test", Ordering.KEY, new Executor() {
			@Override
			public void execute(Runnable runnable) {
				RecordTask task = (RecordTask) runnable;
				pool.execute(() -> {
					ran.add(task.record().offset());
					firstRunning.countDown();
					try {
						release.await();
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
					try {
						dispatcher.get().finished(task);
					}
					finally {
						firstFinished.countDown();
					}
				});
			}
		}));
		try {
			dispatcher.get().dispatch(new RecordTask(new ConsumerRecord<>("t", 0, 0, "k", "v"), null, null));
			assertThat(firstRunning.await(10, TimeUnit.SECONDS)).isTrue();
			dispatcher.get().dispatch(new RecordTask(new ConsumerRecord<>("t", 0, 1, "k", "v"), null, null));
			pool.shutdown();
			release.countDown();
			assertThat(firstFinished.await(10, TimeUnit.SECONDS)).isTrue();
			assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
			assertThat(uncaught).as("exceptions thrown out of the worker thread").isEmpty();
			assertThat(ran).as("offsets started").containsExactly(0L);
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void valueEqualityIsToldFromIdentityEquality() {
		record Account(String id) {
		}
		assertThat(Dispatcher.Serial.hasValueEquality(Account.class)).isTrue();
		assertThat(Dispatcher.Serial.hasValueEquality(Long.class)).isTrue();
		assertThat(Dispatcher.Serial.hasValueEquality(Ordering.class)).isTrue();
		assertThat(Dispatcher.Serial.hasValueEquality(UUID.class)).isTrue();
		assertThat(Dispatcher.Serial.hasValueEquality(IdentityKey.class)).isFalse();
		assertThat(Dispatcher.Serial.hasValueEquality(int[].class)).isFalse();
	}

	/** A key as a deserializer might produce it: equal content, but identity equality. */
	static final class IdentityKey {

		private final String id;

		IdentityKey(String id) {
			this.id = id;
		}

		@Override
		public String toString() {
			return "IdentityKey[" + this.id + "]";
		}

	}

}
