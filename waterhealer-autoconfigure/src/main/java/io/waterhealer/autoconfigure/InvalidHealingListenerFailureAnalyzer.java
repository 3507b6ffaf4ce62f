package io.waterhealer.autoconfigure;

import io.waterhealer.InvalidHealingListenerException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns an invalid listener or property into Spring Boot's "APPLICATION FAILED TO START" report, with the fix as
 * the action.
 */
class InvalidHealingListenerFailureAnalyzer extends AbstractFailureAnalyzer<InvalidHealingListenerException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidHealingListenerException cause) {
		return new FailureAnalysis(cause.getMessage(), cause.getFix(), cause);
	}

}
