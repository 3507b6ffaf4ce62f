package io.waterhealer.kafka.worker;

import java.time.Duration;

/**
 * What a listener method returned to complete later (a {@code CompletionStage}, a {@code Mono}, a Kotlin
 * {@code suspend} call) did not complete within {@code waterhealer.listener.completion-timeout}: the attempt fails
 * with this, and the retries and the failure policy apply as to any other failure. A completion that comes after it
 * is ignored.
 */
public class CompletionTimeoutException extends RuntimeException {

	CompletionTimeoutException(String listenerId, String records, Duration timeout) {
		super("@HealingListener '" + listenerId + "' did not complete " + records + " within " + timeout
				+ ": what the method returned never completed; complete it (or fail it), or raise "
				+ "waterhealer.listener.completion-timeout (or the completionTimeout attribute; 0 for none)");
	}

}
