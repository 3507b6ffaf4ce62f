package io.waterhealer.kafka.worker;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.waterhealer.InvalidHealingListenerException;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import org.springframework.core.KotlinDetector;
import org.springframework.util.ClassUtils;

/**
 * Turns what a listener method returned into "done now" or a {@link CompletionStage} the record completes with,
 * bounded by the listener's completion timeout.
 * <p>
 * Completing later are: a {@link CompletionStage}; a Reactor {@code Mono} (when reactor-core is on the class path),
 * whose one element (or emptiness) completes the record and whose error fails it; and a Kotlin {@code suspend}
 * function, which Spring's {@code CoroutinesUtils} calls into a {@code Mono} (kotlinx-coroutines-reactor). Other
 * Reactive Streams publishers ({@code Flux}, ...) are refused at start-up: they emit any number of elements, and
 * waiting for one or for all of them would each surprise someone; {@code flux.then()} says which is meant. (Only
 * Reactor's publishers are recognised: without reactor-core a publisher's return is an ordinary value.)
 * <p>
 * The timeout starts when the method returns. It fails the attempt on a worker thread (the failure policy may
 * publish a dead letter, which must not hold up the scheduler thread); the first of completion and timeout wins, so
 * a completion after the timeout is ignored: it can neither complete the record twice nor complete it while its
 * retry runs. A {@code Mono} that timed out is cancelled; a {@code CompletionStage} belongs to the application and
 * is left as it is. {@link #bounded} is the same bound for a completion waterhealer creates itself (an
 * acknowledgment the method must call).
 */
final class AsyncResults {

	private static final boolean REACTOR_PRESENT = ClassUtils.isPresent("reactor.core.publisher.Mono",
			AsyncResults.class.getClassLoader());

	private final String listenerId;

	private final Duration timeout;

	private final ScheduledExecutorService scheduler;

	private final Executor workers;

	/**
	 * @param listenerId the listener, named in a timeout's message
	 * @param timeout how long a returned completion may take; zero for no limit
	 * @param scheduler the listener's scheduler thread, for the timers
	 * @param workers where a timeout fails the attempt
	 */
	AsyncResults(String listenerId, Duration timeout, ScheduledExecutorService scheduler, Executor workers) {
		this.listenerId = listenerId;
		this.timeout = timeout;
		this.scheduler = scheduler;
		this.workers = workers;
	}

	/**
	 * Whether a method completes its record later, by what it returns; checked once, at start-up.
	 * @param listenerId the listener, for the message of a refused return type
	 * @param method the listener method
	 * @return whether {@link #completion} must be awaited for what it returns
	 * @throws InvalidHealingListenerException for a publisher that is not a {@code Mono}
	 */
	static boolean completesLater(String listenerId, Method method) {
		Class<?> type = method.getReturnType();
		if (CompletionStage.class.isAssignableFrom(type) || KotlinDetector.isSuspendingFunction(method)) {
			return true;
		}
		if (REACTOR_PRESENT && Reactor.isMono(type)) {
			return true;
		}
		if (REACTOR_PRESENT && Reactor.isPublisher(type)) {
			throw new InvalidHealingListenerException(listenerId, "method " + HandlerMethodInvoker.describe(method),
					"returns " + type.getSimpleName() + ", a publisher of any number of elements",
					"Return a Mono (e.g. flux.then() to complete the record when the flux completes) or a "
							+ "CompletionStage.");
		}
		return false;
	}

	/**
	 * The completion of what a method that {@linkplain #completesLater completes later} returned, bounded by the
	 * timeout.
	 * @param returned what the method returned, not null
	 * @param records the record(s) it was called for, for the timeout's message (e.g. {@code orders-0@42})
	 * @return a stage that completes with the returned one's value or failure, or fails with a
	 * {@link CompletionTimeoutException}, whichever comes first
	 */
	CompletionStage<?> completion(Object returned, String records) {
		if (returned instanceof CompletionStage<?> stage) {
			return bounded(stage, records, false);
		}
		if (REACTOR_PRESENT && Reactor.isMono(returned.getClass())) {
			return bounded(Reactor.toFuture(returned), records, true);
		}
		throw new IllegalStateException("@HealingListener '" + this.listenerId + "' returned a "
				+ returned.getClass().getName() + " where a CompletionStage or Mono was expected");
	}

	/**
	 * A completion bounded by the timeout: the hook for completions waterhealer creates itself.
	 * @param pending the completion
	 * @param records the record(s) it completes, for the timeout's message
	 * @param cancelOnTimeout whether {@code pending} is cancelled when the timeout wins (only for one waterhealer
	 * owns)
	 * @return {@code pending} itself when there is no timeout, otherwise a stage that completes first of the two
	 */
	<T> CompletionStage<T> bounded(CompletionStage<T> pending, String records, boolean cancelOnTimeout) {
		if (this.timeout.isZero()) {
			return pending;
		}
		CompletableFuture<T> first = new CompletableFuture<>();
		ScheduledFuture<?> timer = this.scheduler.schedule(() -> this.workers.execute(() -> {
			if (first.completeExceptionally(new CompletionTimeoutException(this.listenerId, records, this.timeout))
					&& cancelOnTimeout) {
				pending.toCompletableFuture().cancel(false);
			}
		}), this.timeout.toNanos(), TimeUnit.NANOSECONDS);
		pending.whenComplete((value, ex) -> {
			timer.cancel(false);
			if (ex != null) {
				first.completeExceptionally(ex);
			}
			else {
				first.complete(value);
			}
		});
		return first;
	}

	/** Reactor's types, in a class of their own so that nothing loads them when reactor-core is absent. */
	private static final class Reactor {

		static boolean isMono(Class<?> type) {
			return Mono.class.isAssignableFrom(type);
		}

		static boolean isPublisher(Class<?> type) {
			return Publisher.class.isAssignableFrom(type);
		}

		static CompletableFuture<?> toFuture(Object mono) {
			return ((Mono<?>) mono).toFuture();
		}

	}

}
