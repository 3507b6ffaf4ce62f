package io.waterhealer.kafka.worker;

import java.util.Map;

import io.waterhealer.Stages;
import io.waterhealer.checkpoint.CheckpointStore;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The stage recorder and the {@link Stages} it hands a method, without a broker: meters asked of the metrics once
 * per stage and topic, a size estimator that throws costs a size and never the record, and what a step produced
 * becomes its stage's checkpoint with the record's coordinates.
 */
class StageRecorderTests {

	private final RecordingMetrics metrics = new RecordingMetrics();

	private final CheckpointStore checkpoints = new CheckpointStore(100);

	private final StageRecorder recorder = new StageRecorder("orders", this.metrics, (value) -> 7, this.checkpoints);

	private final ConsumerRecord<Object, Object> record = new ConsumerRecord<>("orders", 2, 40, "k", "v");

	@Test
	void eachStageAndTopicAsksTheMetricsForItsMetersOnce() {
		for (int i = 0; i < 3; i++) {
			this.recorder.meters("onOrder", "orders");
			this.recorder.meters("onOrder", "refunds");
			this.recorder.meters("enrich", "orders");
		}
		assertThat(this.recorder.meters("onOrder", "orders")).isSameAs(this.metrics.of("onOrder", "orders"));
		assertThat(this.metrics.lookups).containsExactly("onOrder/orders", "onOrder/refunds", "enrich/orders");
	}

	@Test
	void aSizeEstimatorThatThrowsGivesMinusOne() {
		StageRecorder recorder = new StageRecorder("orders", this.metrics, (value) -> {
			throw new IllegalStateException("cannot size");
		}, null);
		assertThat(recorder.sizeOf("anything")).isEqualTo(-1);
		assertThat(this.recorder.sizeOf("anything")).isEqualTo(7);
	}

	@Test
	void aCheckpointKeepsTheValueAndTheRecordsCoordinates() {
		this.recorder.checkpoint("onOrder", this.record, "done");
		Map<String, Object> checkpoint = this.checkpoints.render("orders").get("onOrder");
		assertThat(checkpoint).containsEntry("value", "done")
			.containsEntry("topic", "orders")
			.containsEntry("partition", 2)
			.containsEntry("offset", 40L);
	}

	@Test
	void aStepIsCountedSizedTimedAndCheckpointedUnderItsStageName() {
		Stages stages = this.recorder.stagesFor(this.record);
		String output = stages.apply("enrich", "v", (value) -> value + "!");
		assertThat(output).isEqualTo("v!");
		RecordingMetrics.Meters enrich = this.metrics.of("enrich", "orders");
		assertThat(enrich.in).containsExactly(7L);
		assertThat(enrich.out).containsExactly(7L);
		assertThat(enrich.durations).hasSize(1);
		assertThat(enrich.errors).isEmpty();
		assertThat(this.checkpoints.render("orders").get("enrich")).containsEntry("value", "v!");
	}

	@Test
	void aStepThatThrowsCountsAnErrorRethrowsAndLeavesNoCheckpoint() {
		Stages stages = this.recorder.stagesFor(this.record);
		IllegalStateException boom = new IllegalStateException("boom");
		assertThatIllegalStateException().isThrownBy(() -> stages.accept("charge", "v", (value) -> {
			throw boom;
		})).isSameAs(boom);
		RecordingMetrics.Meters charge = this.metrics.of("charge", "orders");
		assertThat(charge.errors).containsExactly(boom);
		assertThat(charge.out).isEmpty();
		assertThat(charge.durations).hasSize(1);
		assertThat(this.checkpoints.render()).doesNotContainKey("orders");
	}

}
