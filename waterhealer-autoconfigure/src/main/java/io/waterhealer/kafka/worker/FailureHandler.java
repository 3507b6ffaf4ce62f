package io.waterhealer.kafka.worker;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.waterhealer.FailurePolicy;
import io.waterhealer.metrics.RecordState;
import io.waterhealer.settings.FailureSettings;
import io.waterhealer.settings.ListenerSettings;
import io.waterhealer.settings.RetryTiers.Tier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.support.serializer.DeserializationException;

/**
 * Decides what happens after a record failed: another attempt after a back-off, or, once the attempts are used up
 * or the failure is not retryable, the listener's {@link FailurePolicy}.
 * <p>
 * Waiting for a back-off occupies no worker thread: the next attempt is scheduled. Every failure logs one line with
 * the listener, topic, partition, offset, key, attempt and exception (with its root cause), so that a stuck consumer
 * always says why.
 * <p>
 * DEAD_LETTER and SKIP go through a {@link DeadLetterStormGuard}: once too many records in a row failed the same way,
 * the policy is not applied any more. Those records are held, incomplete, and their partitions paused, until an
 * operator {@linkplain #resume() resumes} the listener or the application restarts; a configuration mistake then
 * costs a threshold of dead letters instead of the whole topic.
 */
final class FailureHandler {

	/** A stable logger name for failure lines, so applications can route or silence them without knowing classes. */
	static final String LOGGER_NAME = "io.waterhealer.failures";

	private static final LogAccessor logger = new LogAccessor(LOGGER_NAME);

	private final ListenerSettings settings;

	private final String stage;

	private final FailureSettings failure;

	private final @Nullable DeadLetterPublisher deadLetters;

	private final @Nullable RetryTierPublisher tiers;

	private final ScheduledExecutorService scheduler;

	private final Executor workers;

	private final Consumer<RecordTask> complete;

	private final DeadLetterStormGuard storms;

	/** Records the tripped guard holds back, incomplete; guards itself and {@link #heldPartitions}. */
	private final List<RecordTask> held = new ArrayList<>();

	/** Partitions paused since the guard tripped. */
	private final Set<AssignedPartition> heldPartitions = new HashSet<>();

	private volatile Consumer<Throwable> fatal = (failure) -> {
	};

	FailureHandler(ListenerSettings settings, String stage, @Nullable DeadLetterPublisher deadLetters,
			ScheduledExecutorService scheduler, Executor workers, Consumer<RecordTask> complete) {
		this(settings, stage, deadLetters, null, scheduler, workers, complete);
	}

	FailureHandler(ListenerSettings settings, String stage, @Nullable DeadLetterPublisher deadLetters,
			@Nullable RetryTierPublisher tiers, ScheduledExecutorService scheduler, Executor workers,
			Consumer<RecordTask> complete) {
		this.settings = settings;
		this.stage = stage;
		this.failure = settings.failure();
		this.deadLetters = deadLetters;
		this.tiers = tiers;
		this.scheduler = scheduler;
		this.workers = workers;
		this.complete = complete;
		this.storms = new DeadLetterStormGuard(settings.id(), this.failure.stormThreshold(), this.failure.policy());
		if (this.failure.policy() == FailurePolicy.DEAD_LETTER && deadLetters == null) {
			throw new IllegalArgumentException("DEAD_LETTER needs a dead-letter publisher");
		}
	}

	void onFatal(Consumer<Throwable> fatal) {
		this.fatal = fatal;
	}

	/** Worker (or completion) thread: one attempt at a record failed. */
	void failed(RecordTask task, Throwable failure) {
		if (this.failure.isFatal(failure)) {
			logger.error(() -> line("failed with an exception declared fatal", task, failure)
					+ "; the record stays incomplete and the listener reports itself DOWN");
			this.fatal.accept(failure);
		}
		task.failedAttempts++;
		if (task.firstFailureMillis == 0) {
			task.firstFailureMillis = System.currentTimeMillis();
		}
		task.partition().ledger().fail(task.record().offset());
		boolean poisonPill = isPoisonPill(failure);
		if (!poisonPill && !this.failure.isNotRetryable(failure) && !this.failure.exhausted(task.failedAttempts)) {
			// a nack(Duration) from an Acknowledgment parameter names its own delay, as with @KafkaListener
			long delay = (failure instanceof CompletingAcknowledgment.NackedException nacked)
					? nacked.sleep().toMillis() : this.settings.backOff().delayMillis(task.failedAttempts);
			logger.warn(() -> line("failed", task, failure) + "; retrying in " + delay + " ms");
			task.state(RecordState.RETRY_WAIT);
			schedule(task, delay);
			return;
		}
		// a poison pill or a non-retryable failure would fail on every tier too: it goes to the policy at once
		Tier tier = (poisonPill || this.failure.isNotRetryable(failure) || this.tiers == null) ? null
				: this.tiers.next(task.record());
		if (tier != null) {
			toTier(task, tier, failure);
			return;
		}

		// held from here until the policy completes it: HALT's retries, a dead-letter publication, a storm
		task.state(RecordState.FAILING);
		String reason = poisonPill ? "cannot be processed (poison pill)"
				: this.failure.isNotRetryable(failure) ? "failed with a non-retryable exception"
						: "failed " + task.failedAttempts + " times";
		if (this.failure.policy() != FailurePolicy.HALT && !admitted(task, failure)) {
			return;
		}
		switch (this.failure.policy()) {
			case HALT -> halt(task, failure, reason);
			case SKIP -> skip(task, failure, reason);
			case DEAD_LETTER -> deadLetter(task, failure, reason);
		}
	}

	/** Any worker thread: a record was processed, which ends a run of failures of one type. */
	void succeeded() {
		this.storms.succeeded();
	}

	/**
	 * The storm that stopped the policy, if one did.
	 * @return the storm, or {@code null}
	 */
	@Nullable DeadLetterStorm storm() {
		return this.storms.storm();
	}

	/**
	 * An operator asks to go on after a storm: the guard counts from zero, the held partitions resume, and the held
	 * records are attempted again from their first attempt (the cause may be gone: a database back up).
	 */
	void resume() {
		List<RecordTask> again;
		synchronized (this.held) {
			this.storms.reset();
			again = new ArrayList<>(this.held);
			this.held.clear();
			this.heldPartitions.forEach(AssignedPartition::releaseStormHold);
			this.heldPartitions.clear();
		}
		again.forEach(this::attemptAgain);
		logger.warn(() -> "@HealingListener '" + this.settings.id() + "' resumed after a dead-letter storm; "
				+ again.size() + " held records are attempted again");
	}

	/**
	 * Whether the guard lets the policy apply to this record; if not, the record is held and its partition paused.
	 * The record that trips the guard is the last one the policy applies to.
	 */
	private boolean admitted(RecordTask task, Throwable failure) {
		synchronized (this.held) {
			boolean calm = this.storms.storm() == null;
			boolean admitted = this.storms.admit(failure);
			DeadLetterStorm storm = this.storms.storm();
			if (storm == null) {
				return admitted;
			}
			if (this.heldPartitions.add(task.partition())) {
				task.partition().holdForStorm();
			}
			if (calm) {
				logger.error(() -> "@HealingListener '" + this.settings.id() + "' stopped: " + storm.describe());
			}
			if (!admitted) {
				this.held.add(task);
				logger.debug(() -> line("is held by the dead-letter storm guard", task, failure));
			}
			return admitted;
		}
	}

	private void attemptAgain(RecordTask task) {
		task.failedAttempts = 0;
		task.deadLetterAttempts = 0;
		task.state(RecordState.QUEUED);
		try {
			this.workers.execute(task);
		}
		catch (RejectedExecutionException stopped) {
			logger.debug(() -> "Listener '" + this.settings.id() + "' is stopping; not resuming " + task);
		}
	}

	private void halt(RecordTask task, Throwable failure, String reason) {
		long delay = this.settings.backOff().max().toMillis();
		if (!task.policyReported) {
			task.policyReported = true;
			logger.error(() -> line(reason, task, failure) + "; policy HALT holds the committed position of "
					+ task.record().topic() + "-" + task.record().partition() + " at " + task.record().offset()
					+ " and retries every " + delay + " ms (set failure-policy DEAD_LETTER or SKIP to move on)");
		}
		else {
			logger.debug(() -> line("still failing", task, failure));
		}
		schedule(task, delay);
	}

	private void skip(RecordTask task, Throwable failure, String reason) {
		logger.error(() -> line(reason, task, failure) + "; policy SKIP completes it without processing");
		this.complete.accept(task);
	}

	private void deadLetter(RecordTask task, Throwable failure, String reason) {
		if (task.partition().ledger().isClosed()) {
			// revoked: the next owner processes the record again; stop holding its lane here
			this.complete.accept(task);
			return;
		}
		ConsumerRecord<Object, Object> record = task.record();
		String topic = this.failure.deadLetterTopicFor(record.topic());
		try {
			// never null here: the constructor refuses DEAD_LETTER without a publisher
			Objects.requireNonNull(this.deadLetters).publish(record, failure, task.failedAttempts);
		}
		catch (RuntimeException ex) {
			// publishing backs off like a retry (up to max-interval) and logs the 1st, 10th, 100th... failure, so a
			// dead-letter topic that stays unwritable holds the record visibly without flooding the log
			int publishAttempts = ++task.deadLetterAttempts;
			long delay = this.settings.backOff().delayMillis(publishAttempts);
			if (isPowerOfTen(publishAttempts)) {
				logger.error(() -> line(reason, task, failure) + "; could not publish it to dead-letter topic "
						+ topic + ", it stays incomplete and publishing is retried in " + delay + " ms (failed "
						+ publishAttempts + " times so far; logged at 1, 10, 100, ... failures): " + ex);
			}
			retryLater(() -> deadLetter(task, failure, reason), delay);
			return;
		}
		logger.warn(() -> line(reason, task, failure) + "; policy DEAD_LETTER published it to " + topic);
		this.complete.accept(task);
	}

	/**
	 * Park the record on its next tier; it is completed only once the broker acknowledged the tier's copy. A publish
	 * that fails is retried with the back-off, the record staying incomplete meanwhile, as a dead letter's does.
	 */
	private void toTier(RecordTask task, Tier tier, Throwable failure) {
		if (task.partition().ledger().isClosed()) {
			// revoked: the next owner processes the record again; stop holding its lane here
			this.complete.accept(task);
			return;
		}
		String topic;
		try {
			// never null here: tiers are looked up only when there is a publisher
			topic = Objects.requireNonNull(this.tiers).publish(task.record(), tier, failure, task.failedAttempts,
					task.firstFailureMillis);
		}
		catch (RuntimeException ex) {
			int publishAttempts = ++task.tierPublishAttempts;
			long delay = this.settings.backOff().delayMillis(publishAttempts);
			if (isPowerOfTen(publishAttempts)) {
				logger.error(() -> line("failed " + task.failedAttempts + " times", task, failure)
						+ "; could not publish it to retry tier " + tier.name() + ", it stays incomplete and "
						+ "publishing is retried in " + delay + " ms (failed " + publishAttempts
						+ " times so far; logged at 1, 10, 100, ... failures): " + ex);
			}
			retryLater(() -> toTier(task, tier, failure), delay);
			return;
		}
		logger.warn(() -> line("failed " + task.failedAttempts + " times", task, failure) + "; published it to retry "
				+ "tier " + topic + ", where it is attempted again in " + tier.delay().toMillis() + " ms");
		this.complete.accept(task);
	}

	/** The task's next attempt after a back-off; once due, it waits for a worker like any record handed out. */
	private void schedule(RecordTask task, long delayMillis) {
		retryLater(task, task, delayMillis);
	}

	private void retryLater(Runnable action, long delayMillis) {
		retryLater(action, null, delayMillis);
	}

	private void retryLater(Runnable action, @Nullable RecordTask due, long delayMillis) {
		try {
			this.scheduler.schedule(() -> {
				try {
					if (due != null) {
						due.state(RecordState.QUEUED);
					}
					this.workers.execute(action);
				}
				catch (RejectedExecutionException stopped) {
					logger.debug(() -> "Listener '" + this.settings.id() + "' is stopping; not retrying");
				}
			}, delayMillis, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException stopped) {
			logger.debug(() -> "Listener '" + this.settings.id() + "' is stopping; not retrying");
		}
	}

	private String line(String what, RecordTask task, Throwable failure) {
		ConsumerRecord<Object, Object> record = task.record();
		return "@HealingListener '" + this.settings.id() + "' " + what + ": stage=" + this.stage + " topic="
				+ record.topic() + " partition="
				+ record.partition() + " offset=" + record.offset() + " key=" + abbreviate(record.key()) + " attempt="
				+ task.failedAttempts + " exception=" + describe(failure);
	}

	/**
	 * A failure with its root cause, when it has one: a {@code DeserializationException} says only "failed to
	 * deserialize", the deserializer's own exception says what was wrong with the bytes. The root cause's message is
	 * put on one line.
	 */
	static String describe(Throwable failure) {
		Throwable root = rootCause(failure);
		if (root == failure) {
			return failure.toString();
		}
		// on one line, so that the failure line stays one line: Jackson's messages, for one, end in a second line
		String message = String.valueOf(root.getMessage()).replaceAll("\\R+", " ");
		return failure + " (root cause: " + root.getClass().getName() + ": " + message + ")";
	}

	/**
	 * The innermost cause of a failure.
	 * @param failure the failure
	 * @return its root cause, or the failure itself when it has no cause
	 */
	static Throwable rootCause(Throwable failure) {
		Throwable root = failure;
		Throwable cause = failure.getCause();
		for (int depth = 0; cause != null && cause != root && depth < 20; depth++) {
			root = cause;
			cause = root.getCause();
		}
		return root;
	}

	private static String abbreviate(@Nullable Object key) {
		if (key == null) {
			return "null";
		}
		String text = (key instanceof byte[] bytes) ? "byte[" + bytes.length + "]" : String.valueOf(key);
		return (text.length() > 80) ? text.substring(0, 77) + "..." : text;
	}

	private static boolean isPowerOfTen(int n) {
		int rest = n;
		while (rest % 10 == 0) {
			rest /= 10;
		}
		return rest == 1;
	}

	static boolean isPoisonPill(Throwable failure) {
		return failure instanceof PoisonPillException || failure instanceof DeserializationException;
	}

}
