package io.waterhealer.kafka.worker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.waterhealer.FailurePolicy;
import io.waterhealer.Ordering;
import io.waterhealer.PayloadSizeEstimator;
import io.waterhealer.codec.CompletedOffsets;
import io.waterhealer.ledger.PartitionLedger;
import io.waterhealer.metrics.ListenerMetrics;
import io.waterhealer.metrics.RecordState;
import io.waterhealer.settings.BatchSettings;
import io.waterhealer.settings.FailureSettings;
import io.waterhealer.settings.ListenerSettings;
import io.waterhealer.settings.RetryBackOff;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.listener.MessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.Mockito.mock;

/**
 * What the ledger page shows for each incomplete record, read from a real worker side while handlers are held on
 * latches: a record waiting behind its key is queued, then running once the one before it finished; a failed record
 * waits for its retry during the back-off; one that used its attempts is failing while HALT holds it, or while its
 * dead letter is not acknowledged; a finished record is in no state.
 */
class RecordStateTrackingTests {

	private static final TopicPartition PARTITION = new TopicPartition("orders", 0);

	private static final Duration AN_HOUR = Duration.ofHours(1);

	private final Orders orders = new Orders();

	private final DeadLetterProducer deadLetterBroker = new DeadLetterProducer();

	private final AssignedPartition partition = new AssignedPartition("orders", new Object(),
			new PartitionLedger(PARTITION, 100, 1_000), mock(MessageListenerContainer.class), CompletedOffsets.none());

	private @Nullable RecordProcessor processor;

	@AfterEach
	void stop() {
		this.orders.latches.values().forEach(CountDownLatch::countDown);
		if (this.processor != null) {
			this.processor.shutdown(1_000);
		}
	}

	@Test
	void aRecordQueuedBehindItsKeyIsQueuedThenRunningOnceTheOneBeforeItFinished() {
		RecordProcessor processor = processor(FailurePolicy.HALT, 3, AN_HOUR);
		CountDownLatch first = this.orders.hold(0);
		CountDownLatch second = this.orders.hold(1);
		submit(processor, 0, "a", "ok");
		submit(processor, 1, "a", "ok");
		awaitState(0, RecordState.RUNNING);
		assertThat(offsets(RecordState.QUEUED)).containsExactly(1);
		first.countDown();
		awaitState(1, RecordState.RUNNING);
		assertThat(offsets(RecordState.QUEUED)).isEmpty();
		second.countDown();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.partition.ledger().position() == 2);
		assertThat(offsets(RecordState.RUNNING)).isEmpty();
	}

	@Test
	void aRecordWaitingOutItsBackOffIsWaitingForARetryWhileOthersComplete() {
		RecordProcessor processor = processor(FailurePolicy.HALT, 3, AN_HOUR);
		submit(processor, 0, "a", "bad");
		submit(processor, 1, "b", "ok");
		awaitState(0, RecordState.RETRY_WAIT);
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.partition.ledger().isPending(1));
		assertThat(offsets(RecordState.RUNNING)).isEmpty();
		assertThat(offsets(RecordState.QUEUED)).isEmpty();
		assertThat(offsets(RecordState.FAILING)).isEmpty();
	}

	@Test
	void aRecordThatUsedItsAttemptsIsFailingWhileHaltHoldsItAndTheRecordsOfItsKeyStayQueued() {
		RecordProcessor processor = processor(FailurePolicy.HALT, 2, Duration.ofMillis(5));
		submit(processor, 0, "a", "bad");
		submit(processor, 1, "a", "ok");
		// two attempts 5 ms apart, then HALT retries it every max back-off (an hour)
		awaitState(0, RecordState.FAILING);
		assertThat(this.orders.attempts.get(0L)).isEqualTo(2);
		assertThat(offsets(RecordState.QUEUED)).containsExactly(1);
		assertThat(offsets(RecordState.RETRY_WAIT)).isEmpty();
	}

	@Test
	void aRecordWhoseDeadLetterIsNotAcknowledgedYetIsFailingUntilItIs() {
		RecordProcessor processor = processor(FailurePolicy.DEAD_LETTER, 1, AN_HOUR);
		submit(processor, 0, "a", "bad");
		await().atMost(Duration.ofSeconds(10)).until(() -> this.deadLetterBroker.history().size() == 1);
		assertThat(offsets(RecordState.FAILING)).containsExactly(0);
		this.deadLetterBroker.completeNext();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.partition.ledger().position() == 1);
		assertThat(offsets(RecordState.FAILING)).isEmpty();
	}

	private void awaitState(long offset, RecordState state) {
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(offsets(state)).containsExactly(offset));
	}

	private long[] offsets(RecordState state) {
		return this.partition.recordStates().offsets(state);
	}

	private RecordProcessor processor(FailurePolicy policy, int maxAttempts, Duration backOff) {
		FailureSettings failure = new FailureSettings(policy, maxAttempts, new RetryBackOff(backOff, 1, AN_HOUR),
				List.of(), null, "-dlt", List.of());
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

	private void submit(RecordProcessor processor, long offset, String key, String value) {
		this.partition.ledger().handOut(offset);
		processor.submit(new ConsumerRecord<>("orders", 0, offset, key, value), this.partition);
	}

	static final class Orders {

		final Map<Long, CountDownLatch> latches = new ConcurrentHashMap<>();

		final Map<Long, Integer> attempts = new ConcurrentHashMap<>();

		CountDownLatch hold(long offset) {
			CountDownLatch latch = new CountDownLatch(1);
			this.latches.put(offset, latch);
			return latch;
		}

		void onOrder(ConsumerRecord<String, String> record) throws InterruptedException {
			this.attempts.merge(record.offset(), 1, Integer::sum);
			CountDownLatch latch = this.latches.get(record.offset());
			if (latch != null && !latch.await(30, TimeUnit.SECONDS)) {
				throw new IllegalStateException("never released: " + record.offset());
			}
			if (record.value().equals("bad")) {
				throw new IllegalStateException("bad record " + record.offset());
			}
		}

	}

}
