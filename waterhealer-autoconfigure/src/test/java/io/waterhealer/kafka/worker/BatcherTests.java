package io.waterhealer.kafka.worker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import io.waterhealer.codec.CompletedOffsets;
import io.waterhealer.ledger.PartitionLedger;
import io.waterhealer.settings.BatchSettings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.listener.MessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.Mockito.mock;

/** How the records of a batch method are grouped: per partition, closed by size or by a timer. */
class BatcherTests {

	private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);

	private final List<List<RecordTask>> delivered = new CopyOnWriteArrayList<>();

	private final AssignedPartition zero = partition(0);

	private final AssignedPartition one = partition(1);

	BatcherTests() {
		this.timer.setRemoveOnCancelPolicy(true);
	}

	@AfterEach
	void stop() {
		this.timer.shutdownNow();
	}

	@Test
	void aBatchIsDeliveredAsSoonAsItIsFullInOffsetOrderAndItsTimerIsCancelled() {
		Batcher batcher = batcher(3, Duration.ofMinutes(1));
		RecordTask first = task(this.zero, 10);
		RecordTask second = task(this.zero, 11);
		RecordTask third = task(this.zero, 12);
		batcher.add(first);
		batcher.add(second);
		assertThat(this.delivered).isEmpty();
		batcher.add(third);
		assertThat(this.delivered).containsExactly(List.of(first, second, third));
		assertThat(this.timer.getQueue()).isEmpty();
	}

	@Test
	void aHalfFullBatchIsDeliveredWhenItsTimeoutPassesEvenWithoutAnotherRecord() {
		Batcher batcher = batcher(100, Duration.ofMillis(50));
		RecordTask only = task(this.zero, 10);
		batcher.add(only);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.delivered.size() == 1);
		assertThat(this.delivered).containsExactly(List.of(only));
	}

	@Test
	void recordsOfDifferentPartitionsNeverShareABatch() {
		Batcher batcher = batcher(2, Duration.ofMinutes(1));
		RecordTask a = task(this.zero, 10);
		RecordTask b = task(this.one, 10);
		RecordTask c = task(this.zero, 11);
		RecordTask d = task(this.one, 11);
		batcher.add(a);
		batcher.add(b);
		assertThat(this.delivered).isEmpty();
		batcher.add(c);
		batcher.add(d);
		assertThat(this.delivered).containsExactly(List.of(a, c), List.of(b, d));
	}

	@Test
	void aRecordAfterAFullBatchStartsTheNextBatch() {
		Batcher batcher = batcher(1, Duration.ofMinutes(1));
		RecordTask a = task(this.zero, 10);
		RecordTask b = task(this.zero, 11);
		batcher.add(a);
		batcher.add(b);
		assertThat(this.delivered).containsExactly(List.of(a), List.of(b));
	}

	@Test
	void afterTheTimerStopsRecordsAreStillBatchedBySize() {
		this.timer.shutdownNow();
		Batcher batcher = batcher(2, Duration.ofMillis(1));
		RecordTask a = task(this.zero, 10);
		RecordTask b = task(this.zero, 11);
		batcher.add(a);
		batcher.add(b);
		assertThat(this.delivered).containsExactly(List.of(a, b));
	}

	private Batcher batcher(int size, Duration timeout) {
		return new Batcher(new BatchSettings(size, timeout, false), this.timer, this.delivered::add);
	}

	private static AssignedPartition partition(int partition) {
		return new AssignedPartition("orders", new Object(),
				new PartitionLedger(new TopicPartition("orders", partition), 100, 1_000),
				mock(MessageListenerContainer.class), CompletedOffsets.none());
	}

	private static RecordTask task(AssignedPartition partition, long offset) {
		partition.ledger().handOut(offset);
		return new RecordTask(new ConsumerRecord<>("orders", partition.topicPartition().partition(), offset, "k", "v"),
				partition, mock(RecordProcessor.class));
	}

}
