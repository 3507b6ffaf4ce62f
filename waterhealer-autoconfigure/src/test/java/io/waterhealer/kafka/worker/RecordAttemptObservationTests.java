package io.waterhealer.kafka.worker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import io.waterhealer.Ordering;
import io.waterhealer.codec.CompletedOffsets;
import io.waterhealer.ledger.PartitionLedger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.listener.MessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * Where a {@link RecordAttempt} opens, closes and stops its observation: opened on the worker thread before the
 * method, the scope closed on that thread when the method returned (also when it threw), stopped only once the
 * outcome reached the ledger (so a dead letter is published inside it), and for a returned stage stopped on the
 * completing thread, with the outcome run inside the attempt there.
 */
class RecordAttemptObservationTests {

	private final PartitionLedger ledger = new PartitionLedger(new TopicPartition("orders", 0), 100, 1_000);

	private final AssignedPartition partition = new AssignedPartition("orders", new Object(), this.ledger,
			mock(MessageListenerContainer.class), CompletedOffsets.none());

	private final WorkerThreads threads = new WorkerThreads("orders", 1, false);

	private final StageRecorder stages = new StageRecorder("orders", new RecordingMetrics(), (value) -> 4, null);

	private final RecordOutcome outcome = new RecordOutcome(RecordOutcomeTests.settings(), "onOrder", null,
			this.threads, Dispatcher.forOrdering("orders", Ordering.KEY, Runnable::run));

	private final Recorder observer = new Recorder();

	private final Orders orders = new Orders();

	@AfterEach
	void stop() {
		this.threads.shutdown(1_000);
	}

	@Test
	void aNormalReturnStopsTheAttemptAfterTheRecordCompletedThenClosesTheScopeHere() {
		attempt("onOrder").run(task(0, "ok", 0));
		String here = Thread.currentThread().getName();
		assertThat(this.observer.events).containsExactly("open 0 attempt 1 on " + here,
				"stop ok position 1 on " + here, "closeScope on " + here);
	}

	@Test
	void anExceptionStopsTheAttemptWithItAfterTheFailureWasHandled() {
		attempt("onOrder").run(task(0, "bad", 2));
		String here = Thread.currentThread().getName();
		assertThat(this.observer.events).containsExactly("open 0 attempt 3 on " + here,
				"stop IllegalStateException failed 1 on " + here, "closeScope on " + here);
	}

	@Test
	void aReturnedStageClosesTheScopeAtOnceAndStopsOnTheThreadThatCompletesIt() throws Exception {
		attempt("onOrderAsync").run(task(0, "ok", 0));
		String here = Thread.currentThread().getName();
		assertThat(this.observer.events).containsExactly("open 0 attempt 1 on " + here, "closeScope on " + here);
		Thread completer = new Thread(() -> this.orders.pending.complete("later"), "completer");
		completer.start();
		completer.join();
		assertThat(this.observer.events).containsExactly("open 0 attempt 1 on " + here, "closeScope on " + here,
				"within on completer", "outcome inside position 1", "stop ok position 1 on completer");
	}

	private RecordAttempt attempt(String method) {
		try {
			return new RecordAttempt(new HandlerMethodInvoker("orders", this.orders,
					Orders.class.getDeclaredMethod(method, ConsumerRecord.class)), this.stages, this.outcome,
					new AsyncResults("orders", Duration.ZERO, this.threads.scheduler(), this.threads), this.observer);
		}
		catch (NoSuchMethodException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private RecordTask task(long offset, String value, int failedAttempts) {
		this.ledger.handOut(offset);
		RecordTask task = new RecordTask(new ConsumerRecord<>("orders", 0, offset, "k", value), this.partition,
				mock(RecordProcessor.class));
		task.failedAttempts = failedAttempts;
		return task;
	}

	/** Notes each call with its thread and what the ledger says at that moment. */
	final class Recorder implements AttemptObserver {

		final List<String> events = new CopyOnWriteArrayList<>();

		@Override
		public Attempt open(ConsumerRecord<?, ?> record, int attempt) {
			this.events.add("open " + record.offset() + " attempt " + attempt + " on " + thread());
			return new Attempt() {

				@Override
				public void closeScope() {
					Recorder.this.events.add("closeScope on " + thread());
				}

				@Override
				public void within(Runnable action) {
					Recorder.this.events.add("within on " + thread());
					action.run();
					Recorder.this.events
						.add("outcome inside position " + RecordAttemptObservationTests.this.ledger.position());
				}

				@Override
				public void stop(@Nullable Throwable failure) {
					String what = (failure != null) ? failure.getClass().getSimpleName() + " failed "
							+ RecordAttemptObservationTests.this.ledger.snapshot().failed()
							: "ok position " + RecordAttemptObservationTests.this.ledger.position();
					Recorder.this.events.add("stop " + what + " on " + thread());
				}

			};
		}

		private static String thread() {
			return Thread.currentThread().getName();
		}

	}

	final class Orders {

		final CompletableFuture<String> pending = new CompletableFuture<>();

		String onOrder(ConsumerRecord<String, String> record) {
			if (record.value().equals("bad")) {
				throw new IllegalStateException("bad record " + record.offset());
			}
			return "done " + record.value();
		}

		CompletionStage<String> onOrderAsync(ConsumerRecord<String, String> record) {
			return this.pending;
		}

	}

}
