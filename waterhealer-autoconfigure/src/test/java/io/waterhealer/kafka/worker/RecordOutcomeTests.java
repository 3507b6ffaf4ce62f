package io.waterhealer.kafka.worker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
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
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.SerializationUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

/**
 * What becomes of a record around an attempt, without a broker: completing it moves the ledger, resumes a partition
 * paused for a full window and lets the next record of its lane start; a revoked partition's record only frees its
 * lane; a record is counted into its stage once; an undeserializable one fails before any attempt; a JVM error is
 * reported as fatal. The policy is HALT with a long back-off, so a failed record stays failed during a test.
 */
@ExtendWith(OutputCaptureExtension.class)
class RecordOutcomeTests {

	private static final TopicPartition PARTITION = new TopicPartition("orders", 0);

	private final PartitionLedger ledger = new PartitionLedger(PARTITION, 2, 1_000);

	private final MessageListenerContainer container = mock(MessageListenerContainer.class);

	private final AssignedPartition partition = new AssignedPartition("orders", new Object(), this.ledger,
			this.container, CompletedOffsets.none());

	private final List<Runnable> started = new CopyOnWriteArrayList<>();

	private final Dispatcher dispatcher = Dispatcher.forOrdering("orders", Ordering.KEY, this.started::add);

	private final WorkerThreads threads = new WorkerThreads("orders", 1, false);

	private final RecordOutcome outcome = new RecordOutcome(settings(), "onOrder", null, this.threads,
			this.dispatcher);

	private final RecordingMetrics.Meters meters = new RecordingMetrics.Meters();

	@AfterEach
	void stop() {
		this.threads.shutdown(1_000);
	}

	@Test
	void aCompletedRecordMovesTheLedgerAndLetsTheNextRecordOfItsLaneStart() {
		RecordTask first = dispatched(0, "a");
		RecordTask second = dispatched(1, "a");
		assertThat(this.started).containsExactly(first);
		this.outcome.completed(first);
		assertThat(this.ledger.position()).isEqualTo(1);
		assertThat(this.started).containsExactly(first, second);
	}

	@Test
	void aCompletionResumesAPartitionPausedForAFullWindow() {
		RecordTask first = dispatched(0, "a");
		dispatched(1, "b");
		this.partition.pauseIfFull();
		verify(this.container).pausePartition(PARTITION);
		this.outcome.completed(first);
		verify(this.container).resumePartition(PARTITION);
	}

	@Test
	void aRecordOfARevokedPartitionIsNotAttemptedAndFreesItsLane() {
		RecordTask first = dispatched(0, "a");
		RecordTask second = dispatched(1, "a");
		assertThat(this.outcome.droppedIfRevoked(first)).isFalse();
		assertThat(this.started).containsExactly(first);
		this.ledger.close();
		assertThat(this.outcome.droppedIfRevoked(first)).isTrue();
		assertThat(this.started).containsExactly(first, second);
	}

	@Test
	void aRecordIsCountedIntoTheListenerStageOnceWithItsSerializedSize() {
		RecordTask task = dispatched(new ConsumerRecord<>("orders", 0, 0, 0, TimestampType.CREATE_TIME, 3, 5, "k",
				"value", new RecordHeaders(), Optional.empty()));
		assertThat(this.outcome.admitted(task, this.meters)).isTrue();
		assertThat(this.outcome.admitted(task, this.meters)).isTrue();
		assertThat(this.meters.in).containsExactly(8L);
	}

	@Test
	void aRecordThatCouldNotBeDeserializedFailsBeforeAnyAttempt() {
		RecordHeaders headers = new RecordHeaders();
		SerializationUtils.deserializationException(headers, "bad".getBytes(StandardCharsets.UTF_8),
				new IllegalArgumentException("refused"), false);
		RecordTask task = dispatched(new ConsumerRecord<>("orders", 0, 0, 0, TimestampType.CREATE_TIME, 1, 3, "k",
				null, headers, Optional.empty()));
		assertThat(this.outcome.admitted(task, this.meters)).isFalse();
		assertThat(this.meters.errors).singleElement().isInstanceOf(DeserializationException.class);
		assertThat(this.ledger.snapshot().failed()).isEqualTo(1);
		assertThat(this.ledger.isPending(0)).isTrue();
	}

	@Test
	void aJvmErrorIsReportedAsFatalAndLoggedAnAssertionErrorIsAnOrdinaryFailure(CapturedOutput output) {
		AtomicReference<Throwable> fatal = new AtomicReference<>();
		this.outcome.onFatal(fatal::set);
		OutOfMemoryError error = new OutOfMemoryError("test");
		this.outcome.failed(dispatched(0, "a"), error);
		this.outcome.failed(dispatched(1, "b"), new AssertionError("test"));
		assertThat(fatal).hasValue(error);
		assertThat(output).contains("@HealingListener 'orders' hit a JVM error on orders-0@0");
		assertThat(this.ledger.snapshot().failed()).isEqualTo(2);
	}

	@Test
	void aFailureOfARevokedPartitionOnlyFreesTheLane() {
		RecordTask first = dispatched(0, "a");
		RecordTask second = dispatched(1, "a");
		this.ledger.close();
		this.outcome.failed(first, new IllegalStateException("boom"));
		assertThat(first.failedAttempts).isZero();
		assertThat(this.started).containsExactly(first, second);
	}

	private RecordTask dispatched(long offset, String key) {
		return dispatched(new ConsumerRecord<>("orders", 0, offset, key, "v"));
	}

	private RecordTask dispatched(ConsumerRecord<Object, Object> record) {
		this.ledger.handOut(record.offset());
		RecordTask task = new RecordTask(record, this.partition, mock(RecordProcessor.class));
		this.dispatcher.dispatch(task);
		return task;
	}

	static ListenerSettings settings() {
		FailureSettings failure = new FailureSettings(FailurePolicy.HALT, 1,
				new RetryBackOff(Duration.ofMinutes(1), 1, Duration.ofMinutes(1)), List.of(), null, "-dlt", List.of());
		return new ListenerSettings("orders", 1, Ordering.KEY, 1, 100, 1_000, Duration.ofSeconds(1),
				Duration.ofSeconds(1), 4096, failure, false, new BatchSettings(10, Duration.ofSeconds(1), true));
	}

}
