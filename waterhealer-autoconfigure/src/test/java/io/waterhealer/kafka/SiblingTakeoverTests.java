package io.waterhealer.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import io.waterhealer.Ordering;
import io.waterhealer.kafka.worker.RecordProcessor;
import io.waterhealer.ledger.PartitionLedger;
import io.waterhealer.metrics.ListenerMetrics;
import io.waterhealer.settings.BatchSettings;
import io.waterhealer.settings.FailureSettings;
import io.waterhealer.settings.ListenerSettings;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.listener.MessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyMap;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * With {@code concurrency > 1}, a partition can move to a sibling consumer of the same instance before the consumer
 * that had it is told (it missed a poll past {@code max.poll.interval.ms}). These tests replay that interleaving on
 * one {@link ListenerRuntime} with two mocked consumers: A is assigned p0 and hands out 0..9, then B is assigned p0
 * and hands out 10..14, which stay pending, while A still believes it owns p0. Nothing A's thread does may touch
 * B's assignment, and A's pause of p0 must not outlive A's assignment.
 */
class SiblingTakeoverTests {

	private static final TopicPartition P0 = new TopicPartition("orders", 0);

	private final RecordProcessor processor = mock(RecordProcessor.class);

	private final MessageListenerContainer container = mock(MessageListenerContainer.class);

	@SuppressWarnings("unchecked")
	private final Consumer<Object, Object> consumerA = mock(Consumer.class);

	@SuppressWarnings("unchecked")
	private final Consumer<Object, Object> consumerB = mock(Consumer.class);

	private ListenerRuntime runtime;

	@BeforeEach
	void takeOver() {
		ListenerSettings settings = new ListenerSettings("sibling", 1, Ordering.UNORDERED, 2, 10, 10,
				Duration.ofSeconds(1), Duration.ofMillis(10), 0, FailureSettings.DEFAULT, false, BatchSettings.DEFAULT);
		this.runtime = new ListenerRuntime(settings, this.processor, ListenerMetrics.NONE);
		this.runtime.bind(this.container);
		for (Consumer<Object, Object> consumer : List.of(this.consumerA, this.consumerB)) {
			when(consumer.assignment()).thenReturn(Set.of(P0));
			when(consumer.currentLag(P0)).thenReturn(OptionalLong.empty());
		}
		this.runtime.assigned(this.consumerA, List.of(P0));
		this.runtime.handOut(records(0, 10), this.consumerA);
		this.runtime.assigned(this.consumerB, List.of(P0));
		this.runtime.handOut(records(10, 15), this.consumerB);
	}

	@Test
	void theStaleConsumersBeforePollDoesNotSkipTheNewOwnersLedgerPastItsRecords() {
		// A's consumer had fetched further before it lost the partition
		when(this.consumerA.position(P0, Duration.ZERO)).thenReturn(25L);
		PartitionLedger ownersLedger = this.runtime.ledger().get(P0);
		this.runtime.beforePoll(this.consumerA);
		this.runtime.handOut(records(15, 20), this.consumerB);
		assertThat(ownersLedger.isPending(15)).as("B's record 15 is tracked by B's ledger").isTrue();
		verify(this.processor, times(5)).submit(argThat((record) -> record.offset() >= 15), any());
	}

	@Test
	void theStaleConsumerNeverCommitsTheNewOwnersLedger() {
		when(this.consumerA.position(P0, Duration.ZERO)).thenReturn(10L);
		this.runtime.beforePoll(this.consumerA);
		verify(this.consumerA, never()).commitAsync(anyMap(), any());
	}

	@Test
	void recordsTheStaleConsumerStillReceivesDoNotReplaceTheNewOwnersAssignment() {
		PartitionLedger ownersLedger = this.runtime.ledger().get(P0);
		this.runtime.handOut(records(10, 15), this.consumerA);
		assertThat(this.runtime.ledger().get(P0)).isSameAs(ownersLedger);
		assertThat(ownersLedger.isClosed()).isFalse();
		verify(this.processor, times(5)).submit(argThat((record) -> record.offset() >= 10), any());
	}

	@Test
	void theNewOwnerClearsThePauseTheStaleConsumerRequested() {
		// A handed out 0..9 with maxInFlight 10: its window was full, so p0 was paused for A
		verify(this.container, times(1)).pausePartition(P0);
		verify(this.container).resumePartition(P0);
	}

	private static ConsumerRecords<Object, Object> records(int from, int to) {
		List<ConsumerRecord<Object, Object>> records = new ArrayList<>();
		for (int offset = from; offset < to; offset++) {
			records.add(new ConsumerRecord<>(P0.topic(), P0.partition(), offset, null, "value-" + offset));
		}
		return new ConsumerRecords<>(Map.of(P0, records), Map.of());
	}

}
