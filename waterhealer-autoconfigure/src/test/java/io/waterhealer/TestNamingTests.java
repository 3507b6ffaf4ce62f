package io.waterhealer;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.junit.platform.commons.annotation.Testable;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The build picks tests by name: surefire runs {@code *Tests} in {@code test}, failsafe runs {@code *IntegrationTests}
 * in {@code verify} (see the parent pom). A test class named otherwise runs in neither, silently, and a unit test that
 * starts a broker makes the quick phase slow (or fails there: surefire's JVM has no embedded broker).
 */
class TestNamingTests {

	private static final DescribedPredicate<JavaClass> HAVE_TEST_METHODS = DescribedPredicate.describe(
			"have test methods", (javaClass) -> javaClass.getMethods()
				.stream()
				.anyMatch((method) -> method.isMetaAnnotatedWith(Testable.class)));

	private final JavaClasses tests = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
		.importPackages("io.waterhealer");

	@Test
	void everyTestClassIsNamedForSurefireOrFailsafe() {
		classes().that(HAVE_TEST_METHODS).should().haveSimpleNameEndingWith("Tests").check(this.tests);
	}

	@Test
	void unitTestsNeedNoBrokerAndNoProcessOfTheirOwn() {
		noClasses().that(HAVE_TEST_METHODS)
			.and()
			.haveSimpleNameNotEndingWith("IntegrationTests")
			.should()
			.dependOnClassesThat()
			.haveFullyQualifiedName("io.waterhealer.kafka.KafkaTestSupport")
			.orShould()
			.dependOnClassesThat()
			.haveFullyQualifiedName("io.waterhealer.kafka.TestApplications")
			.orShould()
			.dependOnClassesThat()
			.haveFullyQualifiedName("io.waterhealer.health.BrokerProcess")
			.orShould()
			.dependOnClassesThat()
			.haveFullyQualifiedName("io.waterhealer.chaos.BrokerCluster")
			.orShould()
			.dependOnClassesThat()
			.haveFullyQualifiedName("io.waterhealer.chaos.ChaosSupport")
			.orShould()
			.dependOnClassesThat()
			.haveFullyQualifiedName("io.waterhealer.bench.peers.BenchBroker")
			.orShould()
			.dependOnClassesThat()
			.haveSimpleNameStartingWith("EmbeddedKafka")
			.orShould()
			.dependOnClassesThat()
			.haveFullyQualifiedName("java.lang.ProcessBuilder")
			.check(this.tests);
	}

}
