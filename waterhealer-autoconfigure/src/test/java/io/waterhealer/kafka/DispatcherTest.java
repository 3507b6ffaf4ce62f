package io.waterhealer.kafka;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
class DispatcherTest {

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
		dispatcher.set(Dispatcher.forOrdering(Ordering.KEY, (runnable) -> pool.execute(() -> {
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
			await().atMost(java.time.Duration.ofSeconds(60)).until(() -> done.get() == TASKS);
			assertThat(violation.get()).isNull();
		}
		finally {
			pool.shutdownNow();
			pool.awaitTermination(10, TimeUnit.SECONDS);
		}
	}

}
