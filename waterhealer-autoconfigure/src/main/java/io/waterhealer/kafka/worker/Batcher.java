package io.waterhealer.kafka.worker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.waterhealer.settings.BatchSettings;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * Forms the batches of a batch listener, one open batch per partition: a batch closes when it has {@code size}
 * records, or when {@code timeout} has passed since its first record. The timeout is a timer, so a half-full batch
 * is delivered on time even when no more records arrive (water-healer only checked on the next arrival). Records of a
 * batch come from one partition, in offset order.
 */
final class Batcher {

	private final BatchSettings settings;

	private final ScheduledExecutorService timer;

	private final Consumer<List<RecordTask>> deliver;

	private final Map<TopicPartition, OpenBatch> open = new HashMap<>();

	Batcher(BatchSettings settings, ScheduledExecutorService timer, Consumer<List<RecordTask>> deliver) {
		this.settings = settings;
		this.timer = timer;
		this.deliver = deliver;
	}

	/** Consumer thread: add a handed-out record to its partition's open batch. */
	void add(RecordTask task) {
		List<RecordTask> full = null;
		synchronized (this) {
			TopicPartition topicPartition = task.partition().topicPartition();
			OpenBatch batch = this.open.get(topicPartition);
			if (batch == null) {
				batch = new OpenBatch();
				this.open.put(topicPartition, batch);
				OpenBatch timed = batch;
				try {
					batch.timeout = this.timer.schedule(() -> closeOnTimeout(topicPartition, timed),
							this.settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
				}
				catch (RejectedExecutionException stopping) {
					batch.timeout = null;
				}
			}
			batch.tasks.add(task);
			if (batch.tasks.size() >= this.settings.size()) {
				this.open.remove(topicPartition);
				if (batch.timeout != null) {
					batch.timeout.cancel(false);
				}
				full = batch.tasks;
			}
		}
		if (full != null) {
			this.deliver.accept(full);
		}
	}

	private void closeOnTimeout(TopicPartition topicPartition, OpenBatch batch) {
		synchronized (this) {
			if (this.open.get(topicPartition) != batch) {
				return;
			}
			this.open.remove(topicPartition);
		}
		this.deliver.accept(batch.tasks);
	}

	private static final class OpenBatch {

		final List<RecordTask> tasks = new ArrayList<>();

		@Nullable ScheduledFuture<?> timeout;

	}

}
