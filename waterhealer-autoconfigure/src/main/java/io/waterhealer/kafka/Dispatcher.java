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
	 * <p>
	 * The consumer thread finds a busy lane with a lock-free read and queues under the lane's own monitor; only a
	 * key without work in flight costs a map insertion. A lane retires (and leaves the map) under its monitor when
	 * it runs dry, so a dispatch that raced with the retirement sees the flag and starts a fresh lane.
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
			while (true) {
				Lane lane = this.lanes.get(key);
				if (lane == null) {
					Lane fresh = new Lane();
					task.lane = fresh;
					if (this.lanes.putIfAbsent(key, fresh) == null) {
						this.workers.execute(task);
						return;
					}
				}
				else {
					// set before queueing: once queued, a worker may run and finish the task at any moment
					task.lane = lane;
					if (lane.queue(task)) {
						return;
					}
				}
			}
		}

		@Override
		void finished(RecordTask task) {
			Lane lane = task.lane;
			if (lane == null) {
				return;
			}
			RecordTask next = lane.advance(this.lanes, task.laneKey);
			if (next != null) {
				this.workers.execute(next);
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

	/** The tasks of one key or partition waiting behind the one running; guarded by the lane's monitor. */
	static final class Lane {

		private final ArrayDeque<RecordTask> waiting = new ArrayDeque<>(4);

		private boolean retired;

		/** Queue the task behind the running one; {@code false} if the lane retired meanwhile. */
		synchronized boolean queue(RecordTask task) {
			if (this.retired) {
				return false;
			}
			this.waiting.add(task);
			return true;
		}

		/** The running task finished: the next one to run, or {@code null} after retiring the lane. */
		synchronized @Nullable RecordTask advance(Map<Object, Lane> lanes, @Nullable Object key) {
			RecordTask next = this.waiting.poll();
			if (next == null) {
				this.retired = true;
				lanes.remove(key, this);
			}
			return next;
		}

	}

}
