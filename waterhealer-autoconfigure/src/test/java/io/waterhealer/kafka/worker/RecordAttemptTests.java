package io.waterhealer.kafka.worker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import io.waterhealer.FailurePolicy;
import io.waterhealer.Ordering;
import io.waterhealer.Stages;
import io.waterhealer.checkpoint.CheckpointStore;
import io.waterhealer.codec.CompletedOffsets;
import io.waterhealer.ledger.PartitionLedger;
import io.waterhealer.settings.BatchSettings;
import io.waterhealer.settings.FailureSettings;
import io.waterhealer.settings.ListenerSettings;
import io.waterhealer.settings.RetryBackOff;
import kotlin.coroutines.Continuation;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.listener.MessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;

/**
 * One attempt at one record, without a broker or worker threads: a normal return completes the record, sized and
 * checkpointed under the method's name; a thrown exception fails it; a returned stage completes or fails it when it
 * completes, with a {@link CompletionException} unwrapped; the record counts as in flight only while the method runs.
 */
class RecordAttemptTests {

	private final PartitionLedger ledger = new PartitionLedger(new TopicPartition("orders", 0), 100, 1_000);

	private final AssignedPartition partition = new AssignedPartition("orders", new Object(), this.ledger,
			mock(MessageListenerContainer.class), CompletedOffsets.none());

	private final WorkerThreads threads = new WorkerThreads("orders", 1, false);

	private final RecordingMetrics metrics = new RecordingMetrics();

	private final CheckpointStore checkpoints = new CheckpointStore(100);

	private final StageRecorder stages = new StageRecorder("orders", this.metrics, (value) -> 4, this.checkpoints);

	private final RecordOutcome outcome = new RecordOutcome(RecordOutcomeTests.settings(), "onOrder", null,
			this.threads, Dispatcher.forOrdering("orders", Ordering.KEY, Runnable::run));

	private final Orders orders = new Orders();

	@AfterEach
	void stop() {
		this.threads.shutdown(1_000);
	}

	@Test
	void aNormalReturnCompletesTheRecordAndBecomesTheStagesCheckpoint() {
		attempt("onOrder").run(task(0, "ok"));
		assertThat(this.ledger.position()).isEqualTo(1);
		assertThat(this.orders.inFlight).containsExactly(1L);
		assertThat(this.partition.inFlight()).isZero();
		RecordingMetrics.Meters meters = this.metrics.of("onOrder", "orders");
		assertThat(meters.out).containsExactly(4L);
		assertThat(meters.durations).hasSize(1);
		assertThat(this.checkpoints.render("orders").get("onOrder")).containsEntry("value", "done ok");
	}

	@Test
	void anExceptionFailsTheRecordAndCountsAnError() {
		attempt("onOrder").run(task(0, "bad"));
		assertThat(this.ledger.isPending(0)).isTrue();
		assertThat(this.ledger.snapshot().failed()).isEqualTo(1);
		assertThat(this.partition.inFlight()).isZero();
		assertThat(this.metrics.of("onOrder", "orders").errors).singleElement()
			.isInstanceOf(IllegalStateException.class);
	}

	@Test
	void aReturnedStageCompletesTheRecordWhenItCompletes() {
		attempt("onOrderAsync").run(task(0, "ok"));
		assertThat(this.ledger.isPending(0)).isTrue();
		assertThat(this.partition.inFlight()).isEqualTo(1);
		this.orders.pending.complete("later");
		assertThat(this.ledger.position()).isEqualTo(1);
		assertThat(this.partition.inFlight()).isZero();
		assertThat(this.checkpoints.render("orders").get("onOrderAsync")).containsEntry("value", "later");
	}

	@Test
	void aStageThatFailsFailsTheRecordWithTheUnwrappedCause() {
		attempt("onOrderAsync").run(task(0, "ok"));
		IllegalStateException cause = new IllegalStateException("async boom");
		this.orders.pending.completeExceptionally(new CompletionException(cause));
		assertThat(this.ledger.snapshot().failed()).isEqualTo(1);
		assertThat(this.metrics.of("onOrderAsync", "orders").errors).containsExactly(cause);
	}

	/**
	 * A method declared to return a stage that returns {@code null} instead must fail the record like a thrown
	 * exception (NullAway flagged the cast's dereference; the invoker already turns the null into this failure, so
	 * the worker thread never dereferences it).
	 */
	@Test
	void aNullReturnedForAStageFailsTheRecordAndNamesTheMethod() {
		attempt("onOrderAsyncNull").run(task(0, "ok"));
		assertThat(this.ledger.snapshot().failed()).isEqualTo(1);
		assertThat(this.partition.inFlight()).isZero();
		assertThat(this.metrics.of("onOrderAsyncNull", "orders").errors).singleElement()
			.isInstanceOf(IllegalStateException.class)
			.extracting(Throwable::getMessage)
			.asString()
			.isEqualTo("@HealingListener 'orders' returned a null CompletionStage; return a completed one instead");
	}

	/**
	 * A stage that never completes fails the attempt after the completion timeout and the retry begins; when the
	 * first attempt's stage completes after all, that must neither complete the record (its retry is still
	 * running) nor count a second outcome.
	 */
	@Test
	void aStageCompletedAfterTheTimeoutDoesNotCompleteTheRecordWhileItsRetryRuns() {
		FailureSettings failure = new FailureSettings(FailurePolicy.HALT, 3,
				new RetryBackOff(Duration.ofMillis(10), 1, Duration.ofMillis(10)), List.of(), null, "-dlt", List.of());
		ListenerSettings settings = new ListenerSettings("orders", 1, Ordering.KEY, 1, 100, 1_000,
				Duration.ofSeconds(1), Duration.ofSeconds(1), 4096, failure, false,
				new BatchSettings(10, Duration.ofSeconds(1), true), Duration.ofMillis(100));
		RecordOutcome retrying = new RecordOutcome(settings, "onOrderAsync", null, this.threads,
				Dispatcher.forOrdering("orders", Ordering.KEY, Runnable::run));
		RecordProcessor processor = mock(RecordProcessor.class);
		this.ledger.handOut(0);
		RecordTask task = new RecordTask(new ConsumerRecord<>("orders", 0, 0, "k", "ok"), this.partition, processor);
		attempt("onOrderAsync", retrying, settings.completionTimeout()).run(task);
		verify(processor, timeout(5_000)).process(task);
		assertThat(this.ledger.snapshot().failed()).isEqualTo(1);
		assertThat(this.metrics.of("onOrderAsync", "orders").errors).singleElement()
			.isInstanceOf(CompletionTimeoutException.class);
		assertThat(this.partition.inFlight()).isZero();

		this.orders.pending.complete("late");
		assertThat(this.ledger.isPending(0)).isTrue();
		assertThat(this.ledger.position()).isZero();
		assertThat(this.partition.inFlight()).isZero();
		assertThat(this.metrics.of("onOrderAsync", "orders").out).isEmpty();
		assertThat(this.checkpoints.render("orders")).isNull();
	}

	@Test
	void aMethodThatTakesStagesGetsOnesThatRecordUnderTheRecordsTopic() {
		attempt("onOrderInStages").run(task(0, "ok"));
		assertThat(this.ledger.position()).isEqualTo(1);
		assertThat(this.metrics.of("parse", "orders").out).containsExactly(4L);
	}

	@Test
	void aRecordOfARevokedPartitionIsNotAttempted() {
		RecordTask task = task(0, "ok");
		this.ledger.close();
		attempt("onOrder").run(task);
		assertThat(this.orders.inFlight).isEmpty();
		assertThat(this.metrics.lookups).isEmpty();
	}

	/**
	 * An observation handler of the application that throws when the attempt's observation opens must not leave the
	 * record neither completed nor failed (its lane stopped for good): the record is processed unobserved.
	 */
	@Test
	void anObservationThatFailsToOpenLeavesTheRecordProcessedUnobserved() throws NoSuchMethodException {
		AttemptObserver failing = (record, attempt) -> {
			throw new IllegalStateException("observation handler failed");
		};
		RecordAttempt attempt = new RecordAttempt(new HandlerMethodInvoker("orders", this.orders,
				Orders.class.getDeclaredMethod("onOrder", ConsumerRecord.class)), this.stages, this.outcome,
				new AsyncResults("orders", Duration.ZERO, this.threads.scheduler(), this.threads), failing);
		attempt.run(task(0, "ok"));
		assertThat(this.ledger.position()).isEqualTo(1);
		assertThat(this.partition.inFlight()).isZero();
	}

	/**
	 * What the method returned cannot be awaited (a Kotlin {@code suspend fun} returning a {@code Flow}, which Spring
	 * calls into a {@code Flux}): the attempt fails, with the message saying what came back, instead of throwing out of
	 * the worker with the record neither completed nor failed.
	 */
	@Test
	void aReturnThatCannotBeAwaitedFailsTheAttempt() throws NoSuchMethodException {
		RecordAttempt attempt = new RecordAttempt(new HandlerMethodInvoker("orders", new FlowListener(),
				FlowListener.class.getDeclaredMethod("process", ConsumerRecord.class, Continuation.class)),
				this.stages, this.outcome,
				new AsyncResults("orders", Duration.ZERO, this.threads.scheduler(), this.threads));
		attempt.run(task(0, "ok"));
		assertThat(this.ledger.snapshot().failed()).isEqualTo(1);
		assertThat(this.partition.inFlight()).isZero();
		assertThat(this.metrics.of("process", "orders").errors).singleElement()
			.extracting(Throwable::getMessage)
			.asString()
			.contains("where a CompletionStage or Mono was expected");
	}

	private RecordAttempt attempt(String method) {
		return attempt(method, this.outcome, Duration.ZERO);
	}

	private RecordAttempt attempt(String method, RecordOutcome outcome, Duration completionTimeout) {
		Class<?>[] parameters = method.equals("onOrderInStages")
				? new Class<?>[] { ConsumerRecord.class, Stages.class } : new Class<?>[] { ConsumerRecord.class };
		try {
			return new RecordAttempt(new HandlerMethodInvoker("orders", this.orders,
					Orders.class.getDeclaredMethod(method, parameters)), this.stages, outcome,
					new AsyncResults("orders", completionTimeout, this.threads.scheduler(), this.threads));
		}
		catch (NoSuchMethodException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private RecordTask task(long offset, String value) {
		this.ledger.handOut(offset);
		return new RecordTask(new ConsumerRecord<>("orders", 0, offset, "k", value), this.partition,
				mock(RecordProcessor.class));
	}

	final class Orders {

		final List<Long> inFlight = new CopyOnWriteArrayList<>();

		final CompletableFuture<String> pending = new CompletableFuture<>();

		String onOrder(ConsumerRecord<String, String> record) {
			this.inFlight.add(RecordAttemptTests.this.partition.inFlight());
			if (record.value().equals("bad")) {
				throw new IllegalStateException("bad record " + record.offset());
			}
			return "done " + record.value();
		}

		CompletionStage<String> onOrderAsync(ConsumerRecord<String, String> record) {
			return this.pending;
		}

		CompletionStage<String> onOrderAsyncNull(ConsumerRecord<String, String> record) {
			return null;
		}

		void onOrderInStages(ConsumerRecord<String, String> record, Stages stages) {
			stages.apply("parse", record.value(), String::length);
		}

	}

}
