package io.waterhealer;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The ledger stays pure Java plus kafka-clients, so it can be reasoned about, tested and benchmarked on its own.
 */
class ArchitectureTests {

	private final JavaClasses classes = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("io.waterhealer");

	@Test
	void ledgerDoesNotDependOnSpring() {
		noClasses().that()
			.resideInAPackage("io.waterhealer.ledger..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework..", "io.micrometer..")
			.check(this.classes);
	}

	@Test
	void ledgerDoesNotDependOnTheRestOfWaterhealer() {
		noClasses().that()
			.resideInAPackage("io.waterhealer.ledger..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("io.waterhealer.kafka..", "io.waterhealer.autoconfigure..")
			.check(this.classes);
	}

}
