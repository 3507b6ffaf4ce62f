package io.waterhealer;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * Helpers for batch {@link HealingListener} methods to process the elements of a batch one by one
 * ({@link #forEach}) or concurrently with a bound ({@link #forEachConcurrently}): water-healer's {@code foreach_map}
 * and {@code foreach_async}. Every element is attempted; the ones that threw are reported together in a
 * {@link BatchFailedException}, so only their records are retried.
 */
public final class HealingBatch {

	private static final ExecutorService ELEMENTS = Executors.newCachedThreadPool((runnable) -> {
		Thread thread = new Thread(runnable, "waterhealer-batch-element");
		thread.setDaemon(true);
		return thread;
	});

	private HealingBatch() {
	}

	/**
	 * Process each element in order.
	 * @param batch the batch
	 * @param action what to do with one element
	 * @param <T> the element type
	 * @throws BatchFailedException naming the elements whose action threw
	 */
	public static <T> void forEach(List<T> batch, Consumer<? super T> action) {
		Map<T, RuntimeException> failures = new IdentityHashMap<>();
		for (T element : batch) {
			try {
				action.accept(element);
			}
			catch (RuntimeException ex) {
				failures.put(element, ex);
			}
		}
		throwIfAny(failures);
	}

	/**
	 * Process the elements concurrently, at most {@code bound} at a time, and wait for all of them.
	 * @param batch the batch
	 * @param bound the most elements processed at the same time (at least 1)
	 * @param action what to do with one element
	 * @param <T> the element type
	 * @throws BatchFailedException naming the elements whose action threw
	 */
	public static <T> void forEachConcurrently(List<T> batch, int bound, Consumer<? super T> action) {
		if (bound < 1) {
			throw new IllegalArgumentException("bound must be at least 1, was " + bound);
		}
		Semaphore permits = new Semaphore(bound);
		Map<T, RuntimeException> failures = Collections.synchronizedMap(new IdentityHashMap<>());
		CompletableFuture<?>[] futures = new CompletableFuture<?>[batch.size()];
		for (int i = 0; i < batch.size(); i++) {
			T element = batch.get(i);
			permits.acquireUninterruptibly();
			futures[i] = CompletableFuture.runAsync(() -> {
				try {
					action.accept(element);
				}
				catch (RuntimeException ex) {
					failures.put(element, ex);
				}
				finally {
					permits.release();
				}
			}, ELEMENTS);
		}
		CompletableFuture.allOf(futures).join();
		throwIfAny(failures);
	}

	private static <T> void throwIfAny(Map<T, RuntimeException> failures) {
		if (!failures.isEmpty()) {
			throw BatchFailedException.of(failures);
		}
	}

}
