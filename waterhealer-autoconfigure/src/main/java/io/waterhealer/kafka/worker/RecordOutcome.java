package io.waterhealer.kafka.worker;

import java.util.function.Consumer;

import io.waterhealer.metrics.ListenerMetrics.StageMeters;
import io.waterhealer.settings.ListenerSettings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.SerializationUtils;

/**
 * What becomes of a record around an attempt, the same for a record and for a batch: before it, a record of a
 * revoked partition leaves its lane without running and one that could not be deserialized fails at once; after
 * it, the record is completed in its ledger (which may resume its partition and frees its lane) or its failure goes
 * to the {@link FailureHandler}.
 * <p>
 * A failed record stays incomplete in the ledger, so the committed position never passes it. With {@code KEY} or
 * {@code PARTITION} ordering the record keeps its lane while it is retried, so later records of the same key or
 * partition wait for it, while all other lanes keep flowing.
 */
final class RecordOutcome {

	/** The front door's name: applications (and the chaos tests) set the level of the JVM-error line by it. */
	private static final LogAccessor logger = new LogAccessor(RecordProcessor.class);

	private final String listenerId;

	private final Dispatcher dispatcher;

	private final FailureHandler failures;

	private volatile Consumer<Throwable> fatal = (failure) -> {
	};

	RecordOutcome(ListenerSettings settings, String stage, @Nullable DeadLetterPublisher deadLetters,
			WorkerThreads threads, Dispatcher dispatcher) {
		this(settings, stage, deadLetters, null, threads, dispatcher);
	}

	RecordOutcome(ListenerSettings settings, String stage, @Nullable DeadLetterPublisher deadLetters,
			@Nullable RetryTierPublisher tiers, WorkerThreads threads, Dispatcher dispatcher) {
		this.listenerId = settings.id();
		this.dispatcher = dispatcher;
		this.failures = new FailureHandler(settings, stage, deadLetters, tiers, threads.scheduler(), threads,
				this::finished);
	}

	/** Where a failure the application must hear about (a JVM error, a fatal exception) is reported. */
	void onFatal(Consumer<Throwable> fatal) {
		this.fatal = fatal;
		this.failures.onFatal(fatal);
	}

	/**
	 * Worker thread: whether the record of a revoked partition leaves its lane without running, which it does.
	 * @param task the record about to be attempted
	 * @return {@code true} if the attempt must not happen
	 */
	boolean droppedIfRevoked(RecordTask task) {
		if (task.partition().ledger().isClosed()) {
			task.finished();
			this.dispatcher.finished(task);
			return true;
		}
		return false;
	}

	/**
	 * Worker thread: count the record into the listener's stage on its first attempt, and fail it at once if it
	 * could not be deserialized.
	 * @param task the record about to be attempted
	 * @param meters the listener stage's meters for the record's topic
	 * @return whether the record can be attempted
	 */
	boolean admitted(RecordTask task, StageMeters meters) {
		ConsumerRecord<Object, Object> record = task.record();
		if (!task.counted) {
			task.counted = true;
			meters.in(serializedSize(record));
		}
		DeserializationException undeserializable = deserializationFailure(record);
		if (undeserializable != null) {
			meters.error(undeserializable);
			failed(task, undeserializable);
			return false;
		}
		return true;
	}

	/** The record was processed: complete it in its ledger and let the next record of its lane start. */
	void completed(RecordTask task) {
		this.failures.succeeded();
		finished(task);
	}

	/** The failure handler's way out: the policy completed the record (dead-lettered or skipped). */
	private void finished(RecordTask task) {
		AssignedPartition partition = task.partition();
		task.finished();
		partition.ledger().complete(task.record().offset());
		partition.resumeIfRoom();
		this.dispatcher.finished(task);
	}

	/** The dead-letter storm that stopped the failure policy, if one did. */
	@Nullable DeadLetterStorm storm() {
		return this.failures.storm();
	}

	/** An operator resumes the listener after a dead-letter storm. */
	void resume() {
		this.failures.resume();
	}

	/** An attempt at the record failed: retry it or apply the failure policy, unless its partition was revoked. */
	void failed(RecordTask task, Throwable ex) {
		if (ex instanceof Error && !(ex instanceof AssertionError)) {
			// the record keeps its lane and is retried like any failure, so nothing behind it is stuck silently;
			// the listener reports itself DOWN, so the application is restarted if the error persists
			logger.error(ex, () -> "@HealingListener '" + this.listenerId + "' hit a JVM error on " + task);
			this.fatal.accept(ex);
		}
		if (task.partition().ledger().isClosed()) {
			task.finished();
			this.dispatcher.finished(task);
			return;
		}
		this.failures.failed(task, ex);
	}

	private static long serializedSize(ConsumerRecord<?, ?> record) {
		return Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
	}

	/**
	 * A record whose key or value could not be deserialized reaches the listener (through spring-kafka's
	 * {@code ErrorHandlingDeserializer}) with a null in its place and the exception in a header.
	 */
	private static @Nullable DeserializationException deserializationFailure(ConsumerRecord<?, ?> record) {
		if (record.value() == null || record.key() == null) {
			DeserializationException value = SerializationUtils.getExceptionFromHeader(record,
					SerializationUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER, logger);
			if (value != null) {
				return value;
			}
			return SerializationUtils.getExceptionFromHeader(record,
					SerializationUtils.KEY_DESERIALIZER_EXCEPTION_HEADER, logger);
		}
		return null;
	}

}
