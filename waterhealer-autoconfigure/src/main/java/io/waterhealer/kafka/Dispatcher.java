package io.waterhealer.kafka;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

import io.waterhealer.Ordering;
import org.jspecify.annotations.Nullable;

/**
 * Decides when a handed-out record may start, according to the listener's {@link Ordering}.
 */
abstract class Dispatcher {

	protected final Executor workers;

	Dispatcher(Executor workers) {
		this.workers = workers;
	}

	static Dispatcher forOrdering(Ordering ordering, Executor workers) {
		return switch (ordering) {
			case UNORDERED -> new Unordered(workers);
			case KEY -> new Serial(workers, true);
			case PARTITION -> new Serial(workers, false);
		};
	}

	/** Consumer thread: a record was handed out. */
	abstract void dispatch(RecordTask task);

	/** Worker thread: a record finished for good (completed, or dropped because its partition was revoked). */
	abstract void finished(RecordTask task);

	/** Any record may start at once. */
	static final class Unordered extends Dispatcher {

		Unordered(Executor workers) {
			super(workers);
		}

		@Override
		void dispatch(RecordTask task) {
			this.workers.execute(task);
		}

		@Override
		void finished(RecordTask task) {
		}

	}

	/**
	 * Records of one lane (one key, or one partition) run one after another in the order they were handed out,
	 * which for one partition is offset order; lanes run in parallel. A lane exists only while it has work, so the
	 * map holds at most as many lanes as there are incomplete records.
	 */
	static final class Serial extends Dispatcher {

		private final Map<Object, Lane> lanes = new ConcurrentHashMap<>();

		private final boolean byKey;

		Serial(Executor workers, boolean byKey) {
			super(workers);
			this.byKey = byKey;
		}

		@Override
		void dispatch(RecordTask task) {
			Object key = laneKey(task);
			if (key == null) {
				this.workers.execute(task);
				return;
			}
			task.laneKey = key;
			boolean[] startNow = new boolean[1];
			this.lanes.compute(key, (k, existing) -> {
				Lane lane = (existing != null) ? existing : new Lane();
				startNow[0] = lane.offer(task);
				return lane;
			});
			if (startNow[0]) {
				this.workers.execute(task);
			}
		}

		@Override
		void finished(RecordTask task) {
			Object key = task.laneKey;
			if (key == null) {
				return;
			}
			RecordTask[] next = new RecordTask[1];
			this.lanes.computeIfPresent(key, (k, lane) -> {
				next[0] = lane.advance();
				return (next[0] != null) ? lane : null;
			});
			if (next[0] != null) {
				this.workers.execute(next[0]);
			}
		}

		private @Nullable Object laneKey(RecordTask task) {
			if (!this.byKey) {
				return task.partition().topicPartition();
			}
			Object key = task.record().key();
			return (key instanceof byte[] bytes) ? ByteBuffer.wrap(bytes) : key;
		}

	}

	/** The queue of one key or partition; guarded by the map's per-key lock of {@code compute}. */
	private static final class Lane {

		private final ArrayDeque<RecordTask> waiting = new ArrayDeque<>(2);

		private @Nullable RecordTask running;

		/** Queue the task; {@code true} if the lane was idle and the task may start now. */
		boolean offer(RecordTask task) {
			if (this.running == null) {
				this.running = task;
				return true;
			}
			this.waiting.add(task);
			return false;
		}

		@Nullable RecordTask advance() {
			RecordTask next = this.waiting.poll();
			this.running = next;
			return next;
		}

	}

}
