package io.waterhealer.kafka.worker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import io.waterhealer.BatchFailedException;
import io.waterhealer.Ordering;
import io.waterhealer.checkpoint.CheckpointStore;
import io.waterhealer.codec.CompletedOffsets;
import io.waterhealer.ledger.PartitionLedger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.support.serializer.SerializationUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.Mockito.mock;

/**
 * One attempt at a batch, without a broker or worker threads: one call for the batch, then an outcome per record.
 * Only the elements a {@link BatchFailedException} names fail, unless it names something outside the batch; with
 * the leakage check, a record missing from the result fails; records of a revoked partition and undeserializable
 * ones never reach the method. The policy is HALT with a long back-off, so a failed record stays failed here.
 */
class BatchAttemptTests {

	private final PartitionLedger ledger = new PartitionLedger(new TopicPartition("orders", 0), 100, 1_000);

	private final AssignedPartition partition = new AssignedPartition("orders", new Object(), this.ledger,
			mock(MessageListenerContainer.class), CompletedOffsets.none());

	private final WorkerThreads threads = new WorkerThreads("orders", 1, false);

	private final RecordingMetrics metrics = new RecordingMetrics();

	private final CheckpointStore checkpoints = new CheckpointStore(100);

	private final Batches batches = new Batches();

	private final RecordingMetrics.Meters meters = this.metrics.of("onBatch", "orders");

	private long nextOffset;

	@AfterEach
	void stop() {
		this.threads.shutdown(1_000);
	}

	@Test
	void aBatchThatSucceedsCompletesEveryRecordAndCheckpointsTheResultAtTheLastRecord() {
		attempt("onBatch").run(tasks("a", "b", "c"));
		assertThat(this.batches.received).containsExactly(List.of("a", "b", "c"));
		assertThat(this.ledger.position()).isEqualTo(3);
		assertThat(this.partition.inFlight()).isZero();
		assertThat(this.meters.in).hasSize(3);
		assertThat(this.meters.out).hasSize(3);
		assertThat(this.checkpoints.render("orders").get("onBatch")).containsEntry("value", "[a, b, c]")
			.containsEntry("offset", 2L);
	}

	@Test
	void onlyTheElementsABatchFailedExceptionNamesFail() {
		IllegalStateException cause = new IllegalStateException("b is bad");
		this.batches.body = (values) -> {
			throw new BatchFailedException(List.of(values.get(1)), cause);
		};
		attempt("onBatch").run(tasks("a", "b", "c"));
		assertThat(this.ledger.isPending(0)).isFalse();
		assertThat(this.ledger.isPending(1)).isTrue();
		assertThat(this.ledger.isPending(2)).isFalse();
		assertThat(this.meters.errors).containsExactly(cause);
		assertThat(this.checkpoints.render()).doesNotContainKey("orders");
	}

	@Test
	void aBatchFailedExceptionNamingAnElementOutsideTheBatchFailsTheWholeBatch() {
		this.batches.body = (values) -> {
			throw new BatchFailedException(List.of(new String("a")), new IllegalStateException("which a?"));
		};
		attempt("onBatch").run(tasks("a", "b"));
		assertThat(this.ledger.snapshot().failed()).isEqualTo(2);
		assertThat(this.meters.errors).hasSize(2).allSatisfy((error) -> assertThat(error)
			.isInstanceOf(BatchFailedException.class));
	}

	@Test
	void withTheLeakageCheckARecordMissingFromTheResultFails() {
		this.batches.body = (values) -> values.subList(0, 1);
		attempt("onBatch").run(tasks("a", "b"));
		assertThat(this.ledger.isPending(0)).isFalse();
		assertThat(this.ledger.isPending(1)).isTrue();
		assertThat(this.meters.errors).singleElement()
			.isInstanceOf(LeakedRecordException.class)
			.satisfies((error) -> assertThat(error).hasMessageContaining("lost orders-0@1"));
	}

	@Test
	void recordsOfARevokedPartitionAndUndeserializableOnesNeverReachTheMethod() {
		AssignedPartition revoked = new AssignedPartition("orders", new Object(),
				new PartitionLedger(new TopicPartition("orders", 0), 100, 1_000), mock(MessageListenerContainer.class),
				CompletedOffsets.none());
		revoked.ledger().handOut(0);
		RecordTask ofRevoked = new RecordTask(new ConsumerRecord<>("orders", 0, 0, "k", "gone"), revoked,
				mock(RecordProcessor.class));
		revoked.ledger().close();
		RecordHeaders headers = new RecordHeaders();
		SerializationUtils.deserializationException(headers, "bad".getBytes(StandardCharsets.UTF_8),
				new IllegalArgumentException("refused"), false);
		List<RecordTask> tasks = new ArrayList<>(List.of(ofRevoked));
		tasks.add(task(new ConsumerRecord<>("orders", 0, 1, 0, TimestampType.CREATE_TIME, 1, 3, "k", null, headers,
				Optional.empty())));
		tasks.addAll(tasks("c"));
		attempt("onBatch").run(tasks);
		assertThat(this.batches.received).containsExactly(List.of("c"));
		assertThat(this.ledger.isPending(1)).isTrue();
		assertThat(this.ledger.isPending(2)).isFalse();
	}

	@Test
	void aReturnedStageThatFailsFailsEveryRecordWithTheUnwrappedCause() {
		attempt("onBatchAsync").run(tasks("a", "b"));
		assertThat(this.partition.inFlight()).isEqualTo(2);
		IllegalStateException cause = new IllegalStateException("async boom");
		this.batches.pending.completeExceptionally(new CompletionException(cause));
		assertThat(this.partition.inFlight()).isZero();
		assertThat(this.ledger.snapshot().failed()).isEqualTo(2);
		assertThat(this.metrics.of("onBatchAsync", "orders").errors).containsExactly(cause, cause);
	}

	private BatchAttempt attempt(String method) {
		return attempt(method, Duration.ZERO);
	}

	private BatchAttempt attempt(String method, Duration completionTimeout) {
		try {
			HandlerMethodInvoker invoker = new HandlerMethodInvoker("orders", this.batches,
					Batches.class.getDeclaredMethod(method, List.class));
			RecordOutcome outcome = new RecordOutcome(RecordOutcomeTests.settings(), method, null, this.threads,
					Dispatcher.forOrdering("orders", Ordering.KEY, Runnable::run));
			return new BatchAttempt(RecordOutcomeTests.settings(), invoker,
					new StageRecorder("orders", this.metrics, (value) -> 1, this.checkpoints), outcome,
					new AsyncResults("orders", completionTimeout, this.threads.scheduler(), this.threads));
		}
		catch (NoSuchMethodException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void aReturnedStageThatNeverCompletesFailsEveryRecordAfterTheTimeoutAndALateCompletionChangesNothing() {
		attempt("onBatchAsync", Duration.ofMillis(50)).run(tasks("a", "b", "c"));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.ledger.snapshot().failed() == 3);
		assertThat(this.partition.inFlight()).isZero();
		assertThat(this.metrics.of("onBatchAsync", "orders").errors).hasSize(3)
			.allSatisfy((error) -> assertThat(error).isInstanceOf(CompletionTimeoutException.class)
				.hasMessageContaining("did not complete orders-0@0..2 within PT0.05S"));
		this.batches.pending.complete(List.of("a", "b", "c"));
		assertThat(this.ledger.position()).isZero();
		assertThat(this.partition.inFlight()).isZero();
		assertThat(this.metrics.of("onBatchAsync", "orders").out).isEmpty();
	}

	@Test
	void aReturnedMonoCompletesEveryRecordWhenItEmits() {
		attempt("onBatchMono").run(tasks("a", "b"));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.ledger.position() == 2);
		assertThat(this.partition.inFlight()).isZero();
	}

	private List<RecordTask> tasks(String... values) {
		List<RecordTask> tasks = new ArrayList<>();
		for (String value : values) {
			tasks.add(task(new ConsumerRecord<>("orders", 0, this.nextOffset, "k", value)));
		}
		return tasks;
	}

	private RecordTask task(ConsumerRecord<Object, Object> record) {
		this.ledger.handOut(record.offset());
		this.nextOffset = record.offset() + 1;
		return new RecordTask(record, this.partition, mock(RecordProcessor.class));
	}

	static final class Batches {

		final List<List<String>> received = new CopyOnWriteArrayList<>();

		final CompletableFuture<List<String>> pending = new CompletableFuture<>();

		Function<List<String>, List<String>> body = (values) -> values;

		List<String> onBatch(List<String> values) {
			this.received.add(List.copyOf(values));
			return this.body.apply(values);
		}

		CompletionStage<List<String>> onBatchAsync(List<String> values) {
			return this.pending;
		}

		Mono<List<String>> onBatchMono(List<String> values) {
			return Mono.delay(Duration.ofMillis(5)).map((tick) -> values);
		}

	}

}
