package io.waterhealer.kafka.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.waterhealer.BatchFailedException;
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
 * The records of a batch are observed one by one, as spring-kafka observes the records of a batch: an observation
 * per record opened before the call and its scope closed at once (the method sees none of them as current), then
 * each record's outcome runs inside its own observation, which stops with that record's failure or success.
 */
class BatchAttemptObservationTests {

	private final PartitionLedger ledger = new PartitionLedger(new TopicPartition("orders", 0), 100, 1_000);

	private final AssignedPartition partition = new AssignedPartition("orders", new Object(), this.ledger,
			mock(MessageListenerContainer.class), CompletedOffsets.none());

	private final WorkerThreads threads = new WorkerThreads("orders", 1, false);

	private final List<String> events = new CopyOnWriteArrayList<>();

	@AfterEach
	void stop() {
		this.threads.shutdown(1_000);
	}

	@Test
	void eachRecordOfABatchIsObservedOnItsOwnAndStopsWithItsOwnOutcome() throws Exception {
		HandlerMethodInvoker invoker = new HandlerMethodInvoker("orders", this,
				BatchAttemptObservationTests.class.getDeclaredMethod("onBatch", List.class));
		RecordOutcome outcome = new RecordOutcome(RecordOutcomeTests.settings(), "onBatch", null, this.threads,
				Dispatcher.forOrdering("orders", Ordering.KEY, Runnable::run));
		BatchAttempt attempt = new BatchAttempt(RecordOutcomeTests.settings(), invoker,
				new StageRecorder("orders", new RecordingMetrics(), (value) -> 1, null), outcome,
				new AsyncResults("orders", Duration.ZERO, this.threads.scheduler(), this.threads), this::open);
		List<RecordTask> tasks = new ArrayList<>();
		for (String value : List.of("a", "b", "c")) {
			this.ledger.handOut(tasks.size());
			tasks.add(new RecordTask(new ConsumerRecord<>("orders", 0, tasks.size(), "k", value), this.partition,
					mock(RecordProcessor.class)));
		}
		attempt.run(tasks);
		assertThat(this.events).containsExactly("open 0", "close 0", "open 1", "close 1", "open 2", "close 2",
				"method", "within 0", "stop 0 ok", "within 1", "stop 1 IllegalStateException", "within 2",
				"stop 2 ok");
	}

	List<String> onBatch(List<String> values) {
		this.events.add("method");
		throw new BatchFailedException(List.of(values.get(1)), new IllegalStateException("b is bad"));
	}

	private AttemptObserver.Attempt open(ConsumerRecord<?, ?> record, int attemptNumber) {
		long offset = record.offset();
		this.events.add("open " + offset);
		return new AttemptObserver.Attempt() {

			@Override
			public void closeScope() {
				BatchAttemptObservationTests.this.events.add("close " + offset);
			}

			@Override
			public void within(Runnable action) {
				BatchAttemptObservationTests.this.events.add("within " + offset);
				action.run();
			}

			@Override
			public void stop(@Nullable Throwable failure) {
				BatchAttemptObservationTests.this.events
					.add("stop " + offset + " " + ((failure != null) ? failure.getClass().getSimpleName() : "ok"));
			}

		};
	}

}
