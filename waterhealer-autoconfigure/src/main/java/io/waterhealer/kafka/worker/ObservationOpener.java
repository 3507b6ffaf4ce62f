package io.waterhealer.kafka.worker;

import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.springframework.core.log.LogAccessor;

/**
 * Opens an attempt's observation so that a failure to observe never costs the record: the observer runs the
 * application's observation handlers and convention, and one that throws would otherwise leave the record neither
 * completed nor failed, its lane stopped for good. The record then runs unobserved; the first such failure is a WARN,
 * later ones DEBUG, so a handler that always throws does not flood the log.
 */
final class ObservationOpener {

	private static final LogAccessor logger = new LogAccessor(ObservationOpener.class);

	private final AtomicBoolean reported = new AtomicBoolean();

	private final AttemptObserver observer;

	ObservationOpener(AttemptObserver observer) {
		this.observer = observer;
	}

	/** Worker thread: the attempt's observation, or {@link AttemptObserver.Attempt#NONE} if it could not open. */
	AttemptObserver.Attempt open(ConsumerRecord<?, ?> record, int attempt) {
		try {
			return this.observer.open(record, attempt);
		}
		catch (RuntimeException ex) {
			if (this.reported.compareAndSet(false, true)) {
				logger.warn(ex, () -> "could not open the observation of " + PoisonPillException.coordinates(record)
						+ "; it runs unobserved (later failures to observe are logged at DEBUG)");
			}
			else {
				logger.debug(ex, () -> "could not open the observation of " + PoisonPillException.coordinates(record));
			}
			return AttemptObserver.Attempt.NONE;
		}
	}

}
