package io.waterhealer.kafka.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicReference;

import io.waterhealer.FailurePolicy;
import io.waterhealer.Ordering;
import io.waterhealer.codec.CompletedOffsets;
import io.waterhealer.ledger.PartitionLedger;
import io.waterhealer.settings.BatchSettings;
import io.waterhealer.settings.FailureSettings;
import io.waterhealer.settings.ListenerSettings;
import io.waterhealer.settings.RetryBackOff;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.support.serializer.DeserializationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;
import static org.awaitility.Awaitility.await;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;

/**
 * What happens to a record after a failed attempt, decided without a broker: another attempt after the back-off, or
 * the policy; under DEAD_LETTER, Kafka's {@link org.apache.kafka.clients.producer.MockProducer} plays the dead-letter
 * broker, so a publish the broker fails (which a test against a real broker cannot provoke on demand) is seen to keep
 * the record incomplete and to be tried again.
 */
@ExtendWith(OutputCaptureExtension.class)
class FailureHandlerTests {

	private static final TopicPartition PARTITION = new TopicPartition("orders", 0);

	private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);

	private final PartitionLedger ledger = new PartitionLedger(PARTITION, 100, 1_000);

	private final AssignedPartition partition = new AssignedPartition("orders", this, this.ledger,
			mock(MessageListenerContainer.class), CompletedOffsets.none());

	/** The next attempt of a retried record arrives here (the handler runs the task, the task asks its processor). */
	private final RecordProcessor processor = mock(RecordProcessor.class);

	private final List<RecordTask> completed = new CopyOnWriteArrayList<>();

	private final DeadLetterProducer deadLetterBroker = new DeadLetterProducer();

	private final RecordTask task = task(7);

	@AfterEach
	void stop() {
		this.scheduler.shutdownNow();
	}

	@Test
	void aFailureWithAttemptsLeftKeepsTheRecordIncompleteAndRunsItAgainAfterTheBackOff() {
		FailureHandler handler = handler(FailurePolicy.SKIP, 3);
		handler.failed(this.task, new IllegalStateException("boom"));
		assertThat(this.ledger.isPending(7)).isTrue();
		assertThat(this.ledger.snapshot().failed()).isEqualTo(1);
		verify(this.processor, timeout(5_000)).process(this.task);
		assertThat(this.completed).isEmpty();
	}

	@Test
	void skipCompletesTheRecordOnceItsAttemptsAreUsedUp() {
		FailureHandler handler = handler(FailurePolicy.SKIP, 2);
		handler.failed(this.task, new IllegalStateException("boom"));
		assertThat(this.completed).isEmpty();
		handler.failed(this.task, new IllegalStateException("boom"));
		assertThat(this.completed).containsExactly(this.task);
	}

	@Test
	void haltNeverCompletesTheRecordAndKeepsRetryingItAfterItsAttemptsAreUsedUp(CapturedOutput output) {
		FailureHandler handler = handler(FailurePolicy.HALT, 1);
		handler.failed(this.task, new IllegalStateException("boom"));
		verify(this.processor, timeout(5_000)).process(this.task);
		assertThat(this.completed).isEmpty();
		assertThat(this.ledger.isPending(7)).isTrue();
		assertThat(output).contains("policy HALT holds the committed position of orders-0 at 7");
	}

	@Test
	void aPoisonPillGoesToThePolicyWithoutRetries() {
		FailureHandler handler = handler(FailurePolicy.SKIP, 10);
		handler.failed(this.task, new PoisonPillException("cannot deserialize"));
		assertThat(this.completed).containsExactly(this.task);
		verify(this.processor, never()).process(this.task);
	}

	@Test
	void anExceptionDeclaredFatalIsReportedAndTheRecordIsStillRetried() {
		FailureSettings failure = new FailureSettings(FailurePolicy.SKIP, 3, new RetryBackOff(Duration.ofMillis(1), 1,
				Duration.ofMillis(1)), List.of(), null, "-dlt", List.of(OutOfMemoryError.class));
		FailureHandler handler = new FailureHandler(settings(failure), "onOrder", null, this.scheduler, Runnable::run,
				this.completed::add);
		AtomicReference<Throwable> fatal = new AtomicReference<>();
		handler.onFatal(fatal::set);
		OutOfMemoryError error = new OutOfMemoryError("heap");
		handler.failed(this.task, error);
		assertThat(fatal).hasValue(error);
		assertThat(this.ledger.isPending(7)).isTrue();
		verify(this.processor, timeout(5_000)).process(this.task);
	}

	@Test
	void deadLetterNeedsAPublisher() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new FailureHandler(settings(failure(FailurePolicy.DEAD_LETTER, 1)), "onOrder", null,
					this.scheduler, Runnable::run, this.completed::add))
			.withMessage("DEAD_LETTER needs a dead-letter publisher");
	}

	@Test
	void deadLetterCompletesTheRecordOnlyOnceTheBrokerAcknowledgedIt() {
		FailureHandler handler = handler(FailurePolicy.DEAD_LETTER, 1);
		CompletableFuture<Void> failing = CompletableFuture
			.runAsync(() -> handler.failed(this.task, new IllegalStateException("boom")));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.deadLetterBroker.history().size() == 1);
		assertThat(this.completed).isEmpty();
		this.deadLetterBroker.completeNext();
		assertThat(failing).succeedsWithin(Duration.ofSeconds(10));
		assertThat(this.completed).containsExactly(this.task);
		assertThat(this.deadLetterBroker.history().get(0).topic()).isEqualTo("orders-dlt");
	}

	@Test
	void aDeadLetterTheBrokerFailsKeepsTheRecordIncompleteAndIsPublishedAgainAfterTheBackOff(CapturedOutput output) {
		FailureHandler handler = handler(FailurePolicy.DEAD_LETTER, 1);
		CompletableFuture<Void> failing = CompletableFuture
			.runAsync(() -> handler.failed(this.task, new IllegalStateException("boom")));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.deadLetterBroker.history().size() == 1);
		this.deadLetterBroker.errorNext(new NotLeaderOrFollowerException("orders-dlt-0 has no leader"));
		assertThat(failing).succeedsWithin(Duration.ofSeconds(10));
		assertThat(this.completed).isEmpty();
		assertThat(this.ledger.isPending(7)).isTrue();
		assertThat(output).contains("could not publish it to dead-letter topic orders-dlt, it stays incomplete and "
				+ "publishing is retried in 1 ms (failed 1 times so far");
		// the scheduler publishes again; this time the broker takes it
		await().atMost(Duration.ofSeconds(10)).until(() -> this.deadLetterBroker.history().size() == 2);
		this.deadLetterBroker.completeNext();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.completed.contains(this.task));
		assertThat(this.task.deadLetterAttempts).isEqualTo(1);
	}

	@Test
	void aRecordWhosePartitionWasRevokedIsNotDeadLetteredItsNextOwnerProcessesItAgain() {
		FailureHandler handler = handler(FailurePolicy.DEAD_LETTER, 1);
		this.ledger.close();
		handler.failed(this.task, new IllegalStateException("boom"));
		assertThat(this.deadLetterBroker.history()).isEmpty();
		assertThat(this.completed).containsExactly(this.task);
	}

	@Test
	void aStormOfOneExceptionTypeStopsThePolicyHoldsTheRecordsIncompleteAndPausesThePartition() {
		MessageListenerContainer container = mock(MessageListenerContainer.class);
		AssignedPartition held = new AssignedPartition("orders", this, this.ledger, container, CompletedOffsets.none());
		FailureHandler handler = new FailureHandler(settings(stormy(FailurePolicy.SKIP, 3)), "onOrder", null,
				this.scheduler, Runnable::run, this.completed::add);
		List<RecordTask> tasks = new ArrayList<>();
		for (int offset = 10; offset < 15; offset++) {
			this.ledger.handOut(offset);
			RecordTask task = new RecordTask(new ConsumerRecord<>("orders", 0, offset, "key", "value"), held,
					this.processor);
			tasks.add(task);
			handler.failed(task, new PoisonPillException("wrong type"));
		}
		assertThat(this.completed).containsExactlyElementsOf(tasks.subList(0, 3));
		assertThat(this.ledger.isPending(13)).isTrue();
		assertThat(this.ledger.isPending(14)).isTrue();
		assertThat(held.paused()).isTrue();
		verify(container).pausePartition(PARTITION);
		DeadLetterStorm storm = handler.storm();
		assertThat(storm).isNotNull();
		assertThat(storm.describe()).contains("the last 3 records failed with " + PoisonPillException.class.getName())
			.contains("policy SKIP")
			.contains("/actuator/waterhealer/orders");
		verify(this.processor, never()).process(tasks.get(3));

		handler.resume();
		assertThat(handler.storm()).isNull();
		assertThat(held.paused()).isFalse();
		verify(container).resumePartition(PARTITION);
		verify(this.processor).process(tasks.get(3));
		verify(this.processor).process(tasks.get(4));
		assertThat(tasks.get(3).failedAttempts).isZero();
	}

	@Test
	void haltIsNeverStoppedByTheGuard() {
		FailureHandler handler = new FailureHandler(settings(stormy(FailurePolicy.HALT, 1)), "onOrder", null,
				this.scheduler, Runnable::run, this.completed::add);
		for (int offset = 10; offset < 15; offset++) {
			handler.failed(task(offset), new PoisonPillException("wrong type"));
		}
		assertThat(handler.storm()).isNull();
	}

	@Test
	void theFailureLineOfARecordThatCouldNotBeDeserializedNamesTheRootCause(CapturedOutput output) {
		FailureHandler handler = handler(FailurePolicy.SKIP, 1);
		handler.failed(this.task, new DeserializationException("failed to deserialize", new byte[] { 1, 2, 3 },
				false, new SerializationException("Size of data received by IntegerDeserializer is not 4")));
		assertThat(output).contains("exception=org.springframework.kafka.support.serializer.DeserializationException: "
				+ "failed to deserialize (root cause: org.apache.kafka.common.errors.SerializationException: "
				+ "Size of data received by IntegerDeserializer is not 4)");
	}

	@Test
	void aRootCauseOnSeveralLinesKeepsTheFailureLineOnOne(CapturedOutput output) {
		FailureHandler handler = handler(FailurePolicy.SKIP, 1);
		handler.failed(this.task, new DeserializationException("failed to deserialize", new byte[] { 'n' }, false,
				new IllegalArgumentException("Unexpected character ('n')\n at [Source: byte[]; line: 1, column: 2]")));
		assertThat(output.getAll().lines().filter((line) -> line.contains("offset=7 ")))
			.singleElement(STRING)
			.contains("(root cause: java.lang.IllegalArgumentException: Unexpected character ('n')  at [Source:")
			.contains("policy SKIP");
	}

	private static FailureSettings stormy(FailurePolicy policy, int threshold) {
		return new FailureSettings(policy, 1, new RetryBackOff(Duration.ofMillis(1), 1, Duration.ofMillis(1)),
				List.of(), null, "-dlt", List.of(), threshold);
	}

	private FailureHandler handler(FailurePolicy policy, int maxAttempts) {
		DeadLetterPublisher deadLetters = (policy == FailurePolicy.DEAD_LETTER)
				? this.deadLetterBroker.publisher("orders") : null;
		return new FailureHandler(settings(failure(policy, maxAttempts)), "onOrder", deadLetters, this.scheduler,
				Runnable::run, this.completed::add);
	}

	private static FailureSettings failure(FailurePolicy policy, int maxAttempts) {
		return new FailureSettings(policy, maxAttempts, new RetryBackOff(Duration.ofMillis(1), 1, Duration.ofMillis(1)),
				List.of(), null, "-dlt", List.of());
	}

	private static ListenerSettings settings(FailureSettings failure) {
		return new ListenerSettings("orders", 1, Ordering.UNORDERED, 1, 100, 1_000, Duration.ofSeconds(1),
				Duration.ofSeconds(1), 0, failure, false, BatchSettings.DEFAULT);
	}

	private RecordTask task(long offset) {
		this.ledger.handOut(offset);
		return new RecordTask(new ConsumerRecord<>("orders", 0, offset, "key-" + offset, "value"), this.partition,
				this.processor);
	}

}
