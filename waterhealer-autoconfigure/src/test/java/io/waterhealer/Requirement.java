package io.waterhealer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.opentest4j.AssertionFailedError;
import org.testcontainers.DockerClientFactory;

/**
 * Something outside the build that a test needs. Where it is missing the test is skipped with a message saying what
 * is missing and how to provide it, and the message is also appended to {@code target/skipped-tests.txt} so that
 * {@code .ci/run} can print every skip in one place. Where the build names it in {@code -Dwaterhealer.require}
 * (comma-separated, e.g. {@code -Dwaterhealer.require=chromium,jdk25}, as {@code .ci/run} does), a missing tool fails
 * the test instead: a machine that should run the test cannot silently stop running it.
 */
public enum Requirement {

	/** Headless Chromium for the ledger page's browser test. */
	CHROMIUM("chromium", "Chromium at /usr/bin/chromium", "apt-get install -y chromium"),

	/** A Java 21+ JDK for the virtual-thread test, which runs its consumer in a JVM of its own. */
	JDK25("jdk25", "a Java 21+ JDK (Temurin 25 at /usr/lib/jvm/temurin-25-jdk-amd64)",
			"install Temurin 25 there, or set -Dwaterhealer.test.jdk21-home=<a JDK 21+ home>"),

	/** A Docker engine for the Testcontainers tests; never required by {@code .ci/run}, its machines have none. */
	DOCKER("docker", "a Docker engine", "start Docker where Testcontainers can find it (DOCKER_HOST)");

	/** The system property naming what must be present; surefire and failsafe pass the Maven property. */
	public static final String PROPERTY = "waterhealer.require";

	private static final Path SKIPS = Path.of("target", "skipped-tests.txt");

	private final String key;

	private final String what;

	private final String howToProvide;

	Requirement(String key, String what, String howToProvide) {
		this.key = key;
		this.what = what;
		this.howToProvide = howToProvide;
	}

	/**
	 * Go on if the tool is present; otherwise fail if the build requires it, or skip.
	 * @param present whether the tool is there
	 * @param test what is not checked without it, for the message
	 */
	public void assume(boolean present, String test) {
		if (present) {
			return;
		}
		if (required().contains(this.key)) {
			throw new AssertionFailedError(PROPERTY + " names " + this.key + ", but " + this.what + " is missing, so "
					+ test + " cannot run: " + this.howToProvide + ", or drop " + this.key + " from " + PROPERTY);
		}
		String message = "skipped: " + test + " needs " + this.what + " (" + this.howToProvide + "); -D" + PROPERTY
				+ "=" + this.key + " turns this skip into a failure";
		note(message);
		Assumptions.abort(message);
	}

	/** Whether this tool is named in {@code -Dwaterhealer.require}. */
	public boolean isRequired() {
		return required().contains(this.key);
	}

	private static Set<String> required() {
		String value = System.getProperty(PROPERTY, "");
		Set<String> keys = Arrays.stream(value.split(","))
			.map(String::trim)
			.filter((key) -> !key.isEmpty())
			.collect(Collectors.toSet());
		Set<String> known = Arrays.stream(values()).map((requirement) -> requirement.key).collect(Collectors.toSet());
		for (String key : keys) {
			if (!known.contains(key)) {
				throw new AssertionFailedError(PROPERTY + " names '" + key + "', which is none of " + known
						+ ": fix -D" + PROPERTY + "=" + value);
			}
		}
		return keys;
	}

	private static void note(String message) {
		try {
			Files.createDirectories(SKIPS.getParent());
			Files.writeString(SKIPS, message + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
					StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			// the skip itself still carries the message
		}
	}

	/** Whether Testcontainers finds a Docker engine. */
	public static boolean dockerAvailable() {
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

}
