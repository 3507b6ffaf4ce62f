package io.waterhealer.kafka;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.springframework.core.log.LogAccessor;

/**
 * Reports exceptions the consumer thread swallows so that it keeps consuming (a record that could not be handed
 * out, an application interceptor that threw, a meter that could not be registered). A failure that repeats repeats
 * on every retry of its partition; logging each would flood the log with one stack trace a second, so each exception
 * type is logged once, with its stack trace, and its repetitions only at DEBUG.
 */
final class ConsumerPathFailures {

	private static final LogAccessor logger = new LogAccessor(ConsumerPathFailures.class);

	private final String listenerId;

	private final Set<Class<?>> reported = ConcurrentHashMap.newKeySet();

	ConsumerPathFailures(String listenerId) {
		this.listenerId = listenerId;
	}

	void report(Throwable failure, Supplier<String> consequence) {
		if (this.reported.add(failure.getClass())) {
			logger.error(failure, () -> "@HealingListener '" + this.listenerId + "' " + consequence.get()
					+ " (logged once; later " + failure.getClass().getSimpleName() + "s at DEBUG)");
		}
		else {
			logger.debug(failure, () -> "@HealingListener '" + this.listenerId + "' " + consequence.get());
		}
	}

}
