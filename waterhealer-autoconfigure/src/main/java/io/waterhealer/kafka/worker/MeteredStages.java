package io.waterhealer.kafka.worker;

import java.util.function.Consumer;
import java.util.function.Function;

import io.waterhealer.Stages;
import io.waterhealer.metrics.ListenerMetrics.StageMeters;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The {@link Stages} given to a listener method for one record: each step is counted, timed and sized under its
 * stage name and the record's topic, and its output becomes the stage's checkpoint. One object per record, so
 * that a step needs nothing but its stage name; the meters themselves are looked up and kept by the
 * {@link StageRecorder}.
 */
final class MeteredStages implements Stages {

	private final StageRecorder recorder;

	private final ConsumerRecord<?, ?> record;

	private final String topic;

	MeteredStages(StageRecorder recorder, ConsumerRecord<?, ?> record) {
		this.recorder = recorder;
		this.record = record;
		this.topic = record.topic();
	}

	@Override
	public <I, O> O apply(String stage, I input, Function<? super I, ? extends O> step) {
		StageMeters meters = this.recorder.meters(stage, this.topic);
		meters.in(this.recorder.sizeOf(input));
		long start = meters.timed() ? System.nanoTime() : 0;
		try {
			O output = step.apply(input);
			meters.out(this.recorder.sizeOf(output));
			this.recorder.checkpoint(stage, this.record, output);
			return output;
		}
		catch (RuntimeException | Error ex) {
			meters.error(ex);
			throw ex;
		}
		finally {
			if (meters.timed()) {
				meters.duration(System.nanoTime() - start);
			}
		}
	}

	@Override
	public <I> void accept(String stage, I input, Consumer<? super I> step) {
		apply(stage, input, (value) -> {
			step.accept(value);
			return null;
		});
	}

}
