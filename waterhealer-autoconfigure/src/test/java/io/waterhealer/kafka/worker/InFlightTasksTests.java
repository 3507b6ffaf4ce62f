package io.waterhealer.kafka.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import io.waterhealer.codec.CompletedOffsets;
import io.waterhealer.ledger.PartitionLedger;
import io.waterhealer.metrics.RecordState;
import io.waterhealer.metrics.RecordStates;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.listener.MessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * The slots that let the ledger endpoint read each in-flight record's state: every record added is found until it
 * finishes, however many are in flight and in whatever order they finish, and a finished record's slot is reused.
 */
class InFlightTasksTests {

	private final AssignedPartition partition = new AssignedPartition("orders", new Object(),
			new PartitionLedger(new TopicPartition("orders", 0), 100_000, 1_000_000),
			mock(MessageListenerContainer.class), CompletedOffsets.none());

	private final RecordProcessor processor = mock(RecordProcessor.class);

	@Test
	void everyRecordAddedIsQueuedUntilItMovesOnAndLeavesWhenItFinishes() {
		List<RecordTask> tasks = add(0, 3);
		tasks.get(1).state(RecordState.RUNNING);
		tasks.get(2).state(RecordState.RETRY_WAIT);
		RecordStates states = this.partition.recordStates();
		assertThat(states.offsets(RecordState.QUEUED)).containsExactly(0);
		assertThat(states.offsets(RecordState.RUNNING)).containsExactly(1);
		assertThat(states.offsets(RecordState.RETRY_WAIT)).containsExactly(2);
		assertThat(states.count(RecordState.FAILING)).isZero();
		tasks.forEach(RecordTask::finished);
		assertThat(counts(this.partition.recordStates())).isZero();
	}

	@Test
	void thousandsInFlightGrowTheSlotsAndRecordsFinishingInAnyOrderLeaveTheRest() {
		List<RecordTask> tasks = add(0, 5_000);
		assertThat(this.partition.recordStates().offsets(RecordState.QUEUED))
			.containsExactly(LongStream.range(0, 5_000).toArray());
		// every other record finishes: the rest are still all found
		for (int i = 0; i < tasks.size(); i += 2) {
			tasks.get(i).finished();
		}
		assertThat(this.partition.recordStates().offsets(RecordState.QUEUED))
			.containsExactly(LongStream.range(0, 5_000).filter((offset) -> offset % 2 == 1).toArray());
	}

	@Test
	void slotsOfFinishedRecordsAreReusedSoASteadyFlowNeedsNoMoreSlots() {
		// a record that never finishes, and 100,000 behind it that each finish before the next is handed out
		RecordTask stuck = add(0, 1).get(0);
		for (long offset = 1; offset <= 100_000; offset++) {
			add(offset, 1).get(0).finished();
		}
		RecordTask last = add(100_001, 1).get(0);
		assertThat(last.slot).isLessThan(64);
		assertThat(this.partition.recordStates().offsets(RecordState.QUEUED)).containsExactly(0, 100_001);
		assertThat(stuck.state()).isEqualTo(RecordState.QUEUED);
	}

	@Test
	void aBlockOfRecordsThatNeverFinishDoesNotMakeTheSlotsGrowOnEveryPass() {
		// a stuck key with 500 records queued behind it, while 100,000 others flow with 10 in flight at a time
		add(0, 500);
		List<RecordTask> flowing = new ArrayList<>();
		for (long offset = 500; offset < 100_500; offset++) {
			flowing.addAll(add(offset, 1));
			if (flowing.size() == 10) {
				flowing.remove(0).finished();
			}
		}
		assertThat(this.partition.inFlightTasks().capacity()).isLessThanOrEqualTo(2_048);
		assertThat(this.partition.recordStates().count(RecordState.QUEUED)).isEqualTo(500 + 9);
	}

	private List<RecordTask> add(long from, int count) {
		List<RecordTask> tasks = new ArrayList<>();
		for (long offset = from; offset < from + count; offset++) {
			RecordTask task = new RecordTask(new ConsumerRecord<>("orders", 0, offset, "k", "v"), this.partition,
					this.processor);
			this.partition.inFlightTasks().add(task);
			tasks.add(task);
		}
		return tasks;
	}

	private static int counts(RecordStates states) {
		int total = 0;
		for (RecordState state : RecordState.values()) {
			total += states.count(state);
		}
		return total;
	}

}
