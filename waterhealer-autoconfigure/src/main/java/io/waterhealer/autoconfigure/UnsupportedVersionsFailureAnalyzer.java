package io.waterhealer.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports an unsupported Spring Boot / spring-kafka / kafka-clients combination as "APPLICATION FAILED TO START"
 * with each version found, the one required, and the fix, instead of the {@code NoSuchMethodError} it would become.
 */
class UnsupportedVersionsFailureAnalyzer extends AbstractFailureAnalyzer<UnsupportedVersionsException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, UnsupportedVersionsException cause) {
		String description = "waterhealer cannot run on this classpath:\n  - "
				+ String.join("\n  - ", cause.problems());
		String action = "Use the versions waterhealer supports: Spring Boot " + SupportedVersions.MIN_SPRING_BOOT
				+ "+, spring-kafka " + SupportedVersions.MIN_SPRING_KAFKA + "+ and kafka-clients "
				+ SupportedVersions.MIN_KAFKA_CLIENTS + "+ (the README's \"Supported versions\" lists those tested); "
				+ "the simplest is to let Spring Boot's dependency management pick spring-kafka and kafka-clients.";
		return new FailureAnalysis(description, action, cause);
	}

}
