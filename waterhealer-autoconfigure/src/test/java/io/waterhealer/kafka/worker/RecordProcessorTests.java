package io.waterhealer.kafka.worker;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import io.waterhealer.FailurePolicy;
import io.waterhealer.Ordering;
import io.waterhealer.PayloadSizeEstimator;
import io.waterhealer.codec.CompletedOffsets;
import io.waterhealer.kafka.LedgerCommitter;
import io.waterhealer.ledger.PartitionLedger;
import io.waterhealer.metrics.ListenerMetrics;
import io.waterhealer.settings.BatchSettings;
import io.waterhealer.settings.FailureSettings;
import io.waterhealer.settings.ListenerSettings;
import io.waterhealer.settings.RetryBackOff;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.listener.MessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.Mockito.mock;

/**
 * The worker side on its own, without a broker: what a handler's outcome does to the ledger, and what a record of
 * an assignment that ended meanwhile is allowed to do (nothing). The dead-letter broker is Kafka's
 * {@link org.apache.kafka.clients.producer.MockProducer}, so the test holds the acknowledgement of a dead letter
 * while the partition is revoked, which no test against a real broker can time.
 */
class RecordProcessorTests {

	private static final TopicPartition PARTITION = new TopicPartition("orders", 0);

	private final Orders orders = new Orders();

	private final DeadLetterProducer deadLetterBroker = new DeadLetterProducer();

	private @Nullable RecordProcessor processor;

	@AfterEach
	void stop() {
		if (this.processor != null) {
			this.processor.shutdown(1_000);
		}
	}

	@Test
	void aRecordTheHandlerProcessedIsCompletedAndThePositionMovesPastIt() {
		RecordProcessor processor = processor(FailurePolicy.HALT);
		AssignedPartition partition = assignment();
		submit(processor, partition, 0, "a", "ok");
		submit(processor, partition, 1, "b", "ok");
		await().atMost(Duration.ofSeconds(10)).until(() -> partition.ledger().position() == 2);
		assertThat(this.orders.seen).containsExactlyInAnyOrder("ok@0", "ok@1");
	}

	@Test
	void aRecordTheHandlerFailsStaysIncompleteAndHoldsThePositionWhileLaterRecordsComplete() {
		RecordProcessor processor = processor(FailurePolicy.HALT);
		AssignedPartition partition = assignment();
		submit(processor, partition, 0, "a", "bad");
		submit(processor, partition, 1, "b", "ok");
		await().atMost(Duration.ofSeconds(10)).until(() -> !partition.ledger().isPending(1));
		assertThat(partition.ledger().isPending(0)).isTrue();
		assertThat(partition.ledger().position()).isZero();
	}

	@Test
	void aRecordOfARevokedPartitionIsNotRun() {
		RecordProcessor processor = processor(FailurePolicy.HALT);
		AssignedPartition revoked = assignment();
		AssignedPartition next = assignment();
		revoked.ledger().close();
		submit(processor, revoked, 0, "a", "ok");
		// same key, so it runs only after the revoked record left the lane
		submit(processor, next, 0, "a", "again");
		await().atMost(Duration.ofSeconds(10)).until(() -> next.ledger().position() == 1);
		assertThat(this.orders.seen).containsExactly("again@0");
	}

	@Test
	void aDeadLetterAcknowledgedAfterThePartitionWasRevokedCompletesNothingAndCommitsNothing() {
		RecordProcessor processor = processor(FailurePolicy.DEAD_LETTER);
		AssignedPartition revoked = assignment();
		submit(processor, revoked, 5, "a", "bad");
		await().atMost(Duration.ofSeconds(10)).until(() -> this.deadLetterBroker.history().size() == 1);
		// the publish is in flight: the partition is revoked and assigned again in this instance
		revoked.ledger().close();
		AssignedPartition next = assignment();
		next.ledger().handOut(5);
		this.deadLetterBroker.completeNext();
		// same key, so it runs only after the dead-lettered record left its lane
		submit(processor, next, 6, "a", "ok");
		await().atMost(Duration.ofSeconds(10)).until(() -> this.orders.seen.contains("ok@6"));
		assertThat(next.ledger().isPending(5)).as("the new assignment's record 5 is still its own to process").isTrue();
		assertThat(next.ledger().position()).isEqualTo(5);
		assertThat(revoked.ledger().snapshot().completedTotal()).isZero();
		MockConsumer<String, String> consumer = new MockConsumer<>("earliest");
		consumer.assign(List.of(PARTITION));
		new LedgerCommitter("orders", 4096, ListenerMetrics.NONE).commitSync(consumer, List.of(revoked.ledger()),
				Duration.ofSeconds(1));
		assertThat(consumer.committed(Set.of(PARTITION))).isEmpty();
	}

	private RecordProcessor processor(FailurePolicy policy) {
		FailureSettings failure = new FailureSettings(policy, 1, new RetryBackOff(Duration.ofMillis(5), 1,
				Duration.ofMillis(5)), List.of(), null, "-dlt", List.of());
		ListenerSettings settings = new ListenerSettings("orders", 4, Ordering.KEY, 1, 100, 1_000,
				Duration.ofSeconds(1), Duration.ofSeconds(1), 4096, failure, false, BatchSettings.DEFAULT);
		HandlerMethodInvoker invoker;
		try {
			invoker = new HandlerMethodInvoker("orders", this.orders,
					Orders.class.getDeclaredMethod("onOrder", ConsumerRecord.class));
		}
		catch (NoSuchMethodException ex) {
			throw new IllegalStateException(ex);
		}
		DeadLetterPublisher deadLetters = (policy == FailurePolicy.DEAD_LETTER)
				? this.deadLetterBroker.publisher("orders") : null;
		this.processor = new RecordProcessor(settings, invoker, deadLetters, ListenerMetrics.NONE,
				PayloadSizeEstimator.DEFAULT, null, false);
		return this.processor;
	}

	private static AssignedPartition assignment() {
		return new AssignedPartition("orders", new Object(), new PartitionLedger(PARTITION, 100, 1_000),
				mock(MessageListenerContainer.class), CompletedOffsets.none());
	}

	private static void submit(RecordProcessor processor, AssignedPartition partition, long offset, String key,
			String value) {
		partition.ledger().handOut(offset);
		processor.submit(new ConsumerRecord<>("orders", 0, offset, key, value), partition);
	}

	static final class Orders {

		final List<String> seen = new CopyOnWriteArrayList<>();

		void onOrder(ConsumerRecord<String, String> record) {
			if (record.value().equals("bad")) {
				throw new IllegalStateException("bad record " + record.offset());
			}
			this.seen.add(record.value() + "@" + record.offset());
		}

	}

}
