package io.waterhealer.kafka.worker;

import io.waterhealer.codec.CompletedOffsets;
import io.waterhealer.ledger.PartitionLedger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.listener.MessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

/**
 * A task is what the executors, the dispatcher's lanes and the failure handler pass around: running it is one
 * attempt by its processor, and it names itself by the record's coordinates, which is how log lines name it.
 */
class RecordTaskTests {

	private final RecordProcessor processor = mock(RecordProcessor.class);

	private final AssignedPartition partition = new AssignedPartition("orders", new Object(),
			new PartitionLedger(new TopicPartition("orders", 3), 100, 1_000), mock(MessageListenerContainer.class),
			CompletedOffsets.none());

	private final RecordTask task = new RecordTask(new ConsumerRecord<>("orders", 3, 42, "k", "v"), this.partition,
			this.processor);

	@Test
	void runningTheTaskIsOneAttemptByItsProcessor() {
		this.task.run();
		verify(this.processor).process(this.task);
	}

	@Test
	void itNamesItselfByTopicPartitionAndOffset() {
		assertThat(this.task).hasToString("orders-3@42");
	}

	@Test
	void aNewTaskHasNoAttemptsAndWasNotCountedYet() {
		assertThat(this.task.failedAttempts).isZero();
		assertThat(this.task.deadLetterAttempts).isZero();
		assertThat(this.task.policyReported).isFalse();
		assertThat(this.task.counted).isFalse();
		assertThat(this.task.record().offset()).isEqualTo(42);
		assertThat(this.task.partition()).isSameAs(this.partition);
	}

}
