package io.waterhealer.autoconfigure;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootVersion;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The version check that turns an unsupported classpath into a start-up failure naming the versions.
 */
class SupportedVersionsTests {

	@Test
	void theBuildsOwnClasspathIsSupportedAndTested() {
		SupportedVersions versions = SupportedVersions.detect(SpringBootVersion.getVersion(),
				getClass().getClassLoader());
		assertThat(versions.springBoot()).startsWith("4.0.");
		assertThat(versions.springKafka()).startsWith("4.0.");
		assertThat(versions.kafkaClients()).startsWith("4.1.");
		assertThat(versions.problems()).isEmpty();
		assertThat(versions.untested()).isEmpty();
	}

	@Test
	void anOlderSpringKafkaOrKafkaClientsIsNamedWithTheFix() {
		List<String> problems = new SupportedVersions("4.0.7", "3.3.4", "3.9.1").problems();
		assertThat(problems).containsExactly(
				"spring-kafka 3.3.4 is older than 4.0.0, the oldest waterhealer supports: remove the override of "
						+ "spring-kafka.version and use the version Spring Boot manages",
				"kafka-clients 3.9.1 is older than 4.0.0, the oldest waterhealer supports: remove the override of "
						+ "kafka.version and use the version Spring Boot manages");
	}

	@Test
	void anOlderSpringBootIsNamed() {
		assertThat(new SupportedVersions("3.5.6", "4.0.6", "4.1.2").problems()).singleElement()
			.asString()
			.startsWith("Spring Boot 3.5.6 is older than 4.0.0");
	}

	@Test
	void aMissingLibraryIsNamedWithItsCoordinates() {
		assertThat(new SupportedVersions("4.0.7", "", "").problems()).satisfiesExactly(
				(problem) -> assertThat(problem).startsWith("spring-kafka is not on the classpath")
					.contains("org.springframework.kafka:spring-kafka"),
				(problem) -> assertThat(problem).startsWith("kafka-clients is not on the classpath")
					.contains("org.apache.kafka:kafka-clients"));
	}

	@Test
	void unknownVersionsAreNeitherRefusedNorWarnedAbout() {
		SupportedVersions versions = new SupportedVersions(null, null, null);
		assertThat(versions.problems()).isEmpty();
		assertThat(versions.untested()).isEmpty();
	}

	@Test
	void newerLinesThanTestedAreAllowedWithAWarning() {
		SupportedVersions versions = new SupportedVersions("4.1.0", "4.1.0-M1", "4.2.0");
		assertThat(versions.problems()).isEmpty();
		assertThat(versions.untested()).containsExactly("Spring Boot 4.1.0 (tested up to 4.0.x)",
				"spring-kafka 4.1.0-M1 (tested up to 4.0.x)", "kafka-clients 4.2.0 (tested up to 4.1.x)");
		assertThat(new SupportedVersions("4.0.99", "4.0.0", "4.1.9").untested()).isEmpty();
	}

	@Test
	void qualifiersAreIgnoredWhenComparing() {
		assertThat(SupportedVersions.compare("4.0.0-SNAPSHOT", "4.0.0")).isZero();
		assertThat(SupportedVersions.compare("4.0", "4.0.0")).isZero();
		assertThat(SupportedVersions.compare("3.9.10", "4.0.0")).isNegative();
		assertThat(SupportedVersions.compare("4.10.0", "4.9.1")).isPositive();
	}

}
