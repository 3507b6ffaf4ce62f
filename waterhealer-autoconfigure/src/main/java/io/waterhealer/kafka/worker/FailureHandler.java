package io.waterhealer.kafka.worker;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.waterhealer.FailurePolicy;
import io.waterhealer.settings.FailureSettings;
import io.waterhealer.settings.ListenerSettings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.support.serializer.DeserializationException;

/**
 * Decides what happens after a record failed: another attempt after a back-off, or, once the attempts are used up
 * or the failure is not retryable, the listener's {@link FailurePolicy}.
 * <p>
 * Waiting for a back-off occupies no worker thread: the next attempt is scheduled. Every failure logs one line with
 * the listener, topic, partition, offset, key, attempt and exception, so that a stuck consumer always says why.
 */
final class FailureHandler {

	/** A stable logger name for failure lines, so applications can route or silence them without knowing classes. */
	static final String LOGGER_NAME = "io.waterhealer.failures";

	private static final LogAccessor logger = new LogAccessor(LOGGER_NAME);

	private final ListenerSettings settings;

	private final String stage;

	private final FailureSettings failure;

	private final @Nullable DeadLetterPublisher deadLetters;

	private final ScheduledExecutorService scheduler;

	private final Executor workers;

	private final Consumer<RecordTask> complete;

	private volatile Consumer<Throwable> fatal = (failure) -> {
	};

	FailureHandler(ListenerSettings settings, String stage, @Nullable DeadLetterPublisher deadLetters,
			ScheduledExecutorService scheduler, Executor workers, Consumer<RecordTask> complete) {
		this.settings = settings;
		this.stage = stage;
		this.failure = settings.failure();
		this.deadLetters = deadLetters;
		this.scheduler = scheduler;
		this.workers = workers;
		this.complete = complete;
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
		task.partition().ledger().fail(task.record().offset());
		boolean poisonPill = isPoisonPill(failure);
		if (!poisonPill && !this.failure.isNotRetryable(failure) && !this.failure.exhausted(task.failedAttempts)) {
			// a nack(Duration) from an Acknowledgment parameter names its own delay, as with @KafkaListener
			long delay = (failure instanceof CompletingAcknowledgment.NackedException nacked)
					? nacked.sleep().toMillis() : this.settings.backOff().delayMillis(task.failedAttempts);
			logger.warn(() -> line("failed", task, failure) + "; retrying in " + delay + " ms");
			schedule(task, delay);
			return;
		}
		String reason = poisonPill ? "cannot be processed (poison pill)"
				: this.failure.isNotRetryable(failure) ? "failed with a non-retryable exception"
						: "failed " + task.failedAttempts + " times";
		switch (this.failure.policy()) {
			case HALT -> halt(task, failure, reason);
			case SKIP -> skip(task, failure, reason);
			case DEAD_LETTER -> deadLetter(task, failure, reason);
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

	private void schedule(RecordTask task, long delayMillis) {
		retryLater(task, delayMillis);
	}

	private void retryLater(Runnable action, long delayMillis) {
		try {
			this.scheduler.schedule(() -> {
				try {
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
				+ task.failedAttempts + " exception=" + failure;
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
