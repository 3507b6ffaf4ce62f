package io.waterhealer.kafka.worker;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import io.waterhealer.Ordering;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.core.log.LogAccessor;

/**
 * Decides when a handed-out record may start, according to the listener's {@link Ordering}.
 */
abstract class Dispatcher {

	private static final LogAccessor logger = new LogAccessor(Dispatcher.class);

	protected final Executor workers;

	Dispatcher(Executor workers) {
		this.workers = workers;
	}

	static Dispatcher forOrdering(String listenerId, Ordering ordering, Executor workers) {
		return switch (ordering) {
			case UNORDERED -> new Unordered(workers);
			case KEY -> new Serial(listenerId, workers, true);
			case PARTITION -> new Serial(listenerId, workers, false);
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
	 * <p>
	 * Lanes are found by the key's {@code equals}/{@code hashCode}. A key class that keeps {@link Object}'s identity
	 * equality (a deserializer's own class without them, an array) would give every record a lane of its own, and
	 * records with equal keys would run at once and out of order. Such records go to their partition's lane instead:
	 * in offset order, one at a time, which keeps the promise of {@code KEY} at the cost of that partition's
	 * parallelism, and the class is named once in a WARN so that it can be given value equality.
	 */
	static final class Serial extends Dispatcher {

		/** Whether instances of a key class are equal by content, so that one lane per distinct key is one per key. */
		private static final ClassValue<Boolean> VALUE_EQUALITY = new ClassValue<>() {
			@Override
			protected Boolean computeValue(Class<?> type) {
				return hasValueEquality(type);
			}
		};

		private final Map<Object, Lane> lanes = new ConcurrentHashMap<>();

		private final Map<Class<?>, Boolean> identityKeysReported = new ConcurrentHashMap<>();

		private final String listenerId;

		private final boolean byKey;

		Serial(String listenerId, Executor workers, boolean byKey) {
			super(workers);
			this.listenerId = listenerId;
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
			if (next == null) {
				return;
			}
			try {
				this.workers.execute(next);
			}
			catch (RejectedExecutionException stopping) {
				// the workers stop after the containers did: what is still queued is never started, so never
				// completed and never committed; the next owner of the partition processes it
				logger.debug(() -> "@HealingListener '" + this.listenerId + "' is stopping; " + next
						+ " and the records queued behind it on its lane were not started and stay uncommitted");
			}
		}

		private @Nullable Object laneKey(RecordTask task) {
			if (!this.byKey) {
				return task.partition().topicPartition();
			}
			Object key = task.record().key();
			if (key == null || key instanceof String) {
				return key;
			}
			if (key instanceof byte[] bytes) {
				return ByteBuffer.wrap(bytes);
			}
			if (VALUE_EQUALITY.get(key.getClass())) {
				return key;
			}
			reportIdentityKey(key.getClass());
			return new TopicPartition(task.record().topic(), task.record().partition());
		}

		private void reportIdentityKey(Class<?> type) {
			if (this.identityKeysReported.putIfAbsent(type, Boolean.TRUE) == null) {
				logger.warn(() -> "@HealingListener '" + this.listenerId + "' orders by KEY, but its key class "
						+ type.getName() + " has no equals/hashCode of its own, so equal keys cannot be told apart; "
						+ "records with such keys run one at a time in offset order per partition. Give the class "
						+ "value equality (a record, or equals and hashCode) to let different keys run in parallel");
			}
		}

		static boolean hasValueEquality(Class<?> type) {
			if (type.isEnum()) {
				return true;
			}
			if (type.isArray()) {
				return false;
			}
			try {
				return type.getMethod("equals", Object.class).getDeclaringClass() != Object.class
						&& type.getMethod("hashCode").getDeclaringClass() != Object.class;
			}
			catch (NoSuchMethodException ex) {
				return false;
			}
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
