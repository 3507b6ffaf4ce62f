package io.waterhealer.kafka.worker;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.waterhealer.InvalidHealingListenerException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * What a listener method returns, turned into the completion its record waits for, without a broker: a
 * {@code Mono}'s element, emptiness or error; a stage that does not complete within the timeout fails on a worker
 * thread with a message naming the listener, the record and the timeout; a completion after the timeout changes
 * nothing; a {@code Flux} is refused at start-up.
 */
class AsyncResultsTests {

	private final WorkerThreads threads = new WorkerThreads("orders", 1, false);

	@AfterEach
	void stop() {
		this.threads.shutdown(1_000);
	}

	@Test
	void aMonosElementCompletesTheStage() {
		CompletionStage<?> stage = results(Duration.ofSeconds(5)).completion(Mono.just("done"), "orders-0@1");
		assertThat(stage.toCompletableFuture().join()).isEqualTo("done");
	}

	@Test
	void anEmptyMonoCompletesTheStageWithNull() {
		CompletionStage<?> stage = results(Duration.ofSeconds(5)).completion(Mono.empty(), "orders-0@1");
		assertThat(stage.toCompletableFuture().join()).isNull();
	}

	@Test
	void aMonosErrorFailsTheStageWithThatError() {
		IllegalStateException boom = new IllegalStateException("boom");
		CompletionStage<?> stage = results(Duration.ofSeconds(5)).completion(Mono.error(boom), "orders-0@1");
		assertThat(failureOf(stage)).isSameAs(boom);
	}

	@Test
	void aStageThatNeverCompletesFailsOnAWorkerAfterTheTimeoutNamingListenerRecordAndTimeout() {
		CompletableFuture<String> never = new CompletableFuture<>();
		AtomicReference<String> thread = new AtomicReference<>();
		CompletionStage<?> stage = results(Duration.ofMillis(100)).completion(never, "orders-0@42");
		stage.whenComplete((value, ex) -> thread.set(Thread.currentThread().getName()));
		await().atMost(Duration.ofSeconds(5)).until(() -> thread.get() != null);
		assertThat(failureOf(stage)).isInstanceOf(CompletionTimeoutException.class)
			.hasMessage("@HealingListener 'orders' did not complete orders-0@42 within PT0.1S: what the method "
					+ "returned never completed; complete it (or fail it), or raise "
					+ "waterhealer.listener.completion-timeout (or the completionTimeout attribute; 0 for none)");
		assertThat(thread.get()).isEqualTo("waterhealer-orders-1");
		assertThat(never).isNotDone();
	}

	@Test
	void aCompletionAfterTheTimeoutIsIgnored() {
		CompletableFuture<String> late = new CompletableFuture<>();
		CompletionStage<?> stage = results(Duration.ofMillis(50)).completion(late, "orders-0@42");
		await().atMost(Duration.ofSeconds(5)).until(() -> stage.toCompletableFuture().isDone());
		late.complete("too late");
		assertThat(failureOf(stage)).isInstanceOf(CompletionTimeoutException.class);
	}

	@Test
	void aCompletionInTimeCancelsTheTimer() {
		CompletableFuture<String> soon = new CompletableFuture<>();
		CompletionStage<?> stage = results(Duration.ofMinutes(5)).completion(soon, "orders-0@42");
		assertThat(this.threads.scheduler()).extracting((scheduler) -> scheduler.toString()).asString()
			.contains("queued tasks = 1");
		soon.complete("in time");
		assertThat(stage.toCompletableFuture().join()).isEqualTo("in time");
		assertThat(this.threads.scheduler().toString()).contains("queued tasks = 0");
	}

	@Test
	void aMonoThatTimedOutIsCancelled() {
		AtomicBoolean cancelled = new AtomicBoolean();
		Mono<String> never = Sinks.<String>one().asMono().doOnCancel(() -> cancelled.set(true));
		CompletionStage<?> stage = results(Duration.ofMillis(50)).completion(never, "orders-0@42");
		await().atMost(Duration.ofSeconds(5)).untilTrue(cancelled);
		assertThat(failureOf(stage)).isInstanceOf(CompletionTimeoutException.class);
	}

	@Test
	void aZeroTimeoutLeavesTheReturnedStageAsItIs() {
		CompletableFuture<String> pending = new CompletableFuture<>();
		assertThat(results(Duration.ZERO).completion(pending, "orders-0@42")).isSameAs(pending);
		assertThat(this.threads.scheduler().toString()).contains("queued tasks = 0");
	}

	@Test
	void stagesMonosAndSuspendFunctionsCompleteLaterOtherReturnsDoNot() throws NoSuchMethodException {
		assertThat(AsyncResults.completesLater("orders", Returns.class.getDeclaredMethod("stage"))).isTrue();
		assertThat(AsyncResults.completesLater("orders", Returns.class.getDeclaredMethod("mono"))).isTrue();
		assertThat(AsyncResults.completesLater("orders", Returns.class.getDeclaredMethod("value"))).isFalse();
	}

	@Test
	void aFluxIsRefusedAtStartUpWithTheWayOut() throws NoSuchMethodException {
		assertThatExceptionOfType(InvalidHealingListenerException.class)
			.isThrownBy(() -> AsyncResults.completesLater("orders", Returns.class.getDeclaredMethod("flux")))
			.withMessageContaining("Returns.flux()")
			.withMessageContaining("returns Flux, a publisher of any number of elements")
			.withMessageContaining("flux.then()");
	}

	private AsyncResults results(Duration timeout) {
		return new AsyncResults("orders", timeout, this.threads.scheduler(), this.threads);
	}

	private static Throwable failureOf(CompletionStage<?> stage) {
		AtomicReference<Throwable> failure = new AtomicReference<>();
		stage.whenComplete((value, ex) -> failure.set(ex));
		assertThat(failure.get()).as("the stage failed").isNotNull();
		return failure.get();
	}

	static final class Returns {

		CompletionStage<String> stage() {
			return CompletableFuture.completedFuture("x");
		}

		Mono<String> mono() {
			return Mono.just("x");
		}

		Flux<String> flux() {
			return Flux.just("x");
		}

		String value() {
			return "x";
		}

	}

}
