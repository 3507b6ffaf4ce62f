package io.waterhealer.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import io.waterhealer.kafka.worker.RetryTierHeaders;
import io.waterhealer.metrics.ListenerMetrics;
import io.waterhealer.metrics.TierPartitionView;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A retry tier partition is held on Kafka's {@link MockConsumer}: a record that is not due is sought back to and its
 * partition paused (no worker waits for it), it is resumed before the first poll after its due time and never
 * before, and a record that is due passes.
 */
class RetryTierHoldTests {

	private static final TopicPartition TIER = new TopicPartition("orders-retry-1s", 0);

	private final MockConsumer<Object, Object> consumer = new MockConsumer<>("earliest");

	private final List<TierPartitionView> views = new CopyOnWriteArrayList<>();

	private final RetryTierHold hold = new RetryTierHold((topic) -> "1s", new ListenerMetrics() {

		@Override
		public void tierPartitionAssigned(TierPartitionView partition) {
			RetryTierHoldTests.this.views.add(partition);
		}

	});

	@BeforeEach
	void assign() {
		this.consumer.assign(List.of(TIER));
		this.consumer.updateBeginningOffsets(Map.of(TIER, 0L));
		this.consumer.seek(TIER, 12);
		this.hold.assigned(this.consumer, List.of(TIER));
	}

	@Test
	void aRecordNotDueYetIsSoughtBackToAndItsPartitionPausedUntilItIsDue() {
		long due = System.currentTimeMillis() + 300;
		assertThat(this.hold.holds(this.consumer, record(5, due))).isTrue();
		assertThat(this.consumer.paused()).containsExactly(TIER);
		assertThat(this.consumer.position(TIER)).isEqualTo(5);
		this.hold.beforePoll(this.consumer);
		assertThat(this.consumer.paused()).as("not before it is due").containsExactly(TIER);
		await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> {
			this.hold.beforePoll(this.consumer);
			return this.consumer.paused().isEmpty();
		});
		assertThat(System.currentTimeMillis()).as("resumed at or after the due time").isGreaterThanOrEqualTo(due);
		assertThat(this.hold.holds(this.consumer, record(5, due))).isFalse();
	}

	@Test
	void aPartitionIsHeldUntilDueForTheHealthCheckOnlyWhileItsHeadWaits() {
		assertThat(this.hold.heldUntilDue(TIER)).isFalse();
		long due = System.currentTimeMillis() + 100;
		this.hold.holds(this.consumer, record(5, due));
		assertThat(this.hold.heldUntilDue(TIER)).isTrue();
		await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> {
			this.hold.beforePoll(this.consumer);
			return !this.hold.heldUntilDue(TIER);
		});
		assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(due);
	}

	@Test
	void aRecordThatIsDuePassesAndNothingIsPaused() {
		assertThat(this.hold.holds(this.consumer, record(12, System.currentTimeMillis() - 1))).isFalse();
		assertThat(this.consumer.paused()).isEmpty();
		assertThat(this.consumer.position(TIER)).isEqualTo(12);
	}

	@Test
	void theDueLagGaugeSaysHowLateAHeldHeadIsAndTheDepthWhatWaits() {
		assertThat(this.views).singleElement().satisfies((view) -> {
			assertThat(view.tier()).isEqualTo("1s");
			assertThat(view.topicPartition()).isEqualTo(TIER);
		});
		TierPartitionView view = this.views.get(0);
		long due = System.currentTimeMillis() + 50;
		this.hold.holds(this.consumer, record(5, due));
		assertThat(view.dueLagSeconds()).as("not due yet").isZero();
		await().atMost(Duration.ofSeconds(5)).until(() -> view.dueLagSeconds() > 0);
		this.hold.holds(this.consumer, record(5, due));
		assertThat(view.dueLagSeconds()).as("handed out").isZero();
	}

	@Test
	void aNewAssignmentEndsAPauseTheHoldMadeForTheLastOne() {
		this.hold.holds(this.consumer, record(5, System.currentTimeMillis() + 60_000));
		assertThat(this.consumer.paused()).containsExactly(TIER);
		this.hold.assigned(this.consumer, List.of(TIER));
		assertThat(this.consumer.paused()).isEmpty();
	}

	private static ConsumerRecord<Object, Object> record(long offset, long due) {
		RecordHeaders headers = new RecordHeaders();
		headers.add(RetryTierHeaders.DUE, Long.toString(due).getBytes(StandardCharsets.UTF_8));
		return new ConsumerRecord<>(TIER.topic(), TIER.partition(), offset, 0L, TimestampType.CREATE_TIME, 3, 5, "key",
				"value", headers, Optional.empty());
	}

}
