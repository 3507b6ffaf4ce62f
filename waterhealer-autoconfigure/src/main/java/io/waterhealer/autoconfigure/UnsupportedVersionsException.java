package io.waterhealer.autoconfigure;

import java.util.List;

/**
 * The application's classpath holds a Spring Boot, spring-kafka or kafka-clients version waterhealer does not run
 * on, or lacks one of them. Thrown at start-up, before any listener exists; {@link UnsupportedVersionsFailureAnalyzer}
 * turns it into Spring Boot's failure report.
 */
class UnsupportedVersionsException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	private final List<String> problems;

	UnsupportedVersionsException(List<String> problems) {
		super("waterhealer cannot run on this classpath: " + String.join("; ", problems));
		this.problems = List.copyOf(problems);
	}

	List<String> problems() {
		return this.problems;
	}

}
