package io.waterhealer;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The rules that keep the layout of issue 14: dependencies run one way, {@code autoconfigure -> health / actuate ->
 * kafka -> kafka.worker -> settings / ledger / codec / checkpoint / metrics -> io.waterhealer}, with
 * {@code observation} (the Micrometer side of the worker's {@code AttemptObserver}) beside {@code kafka}, seen only by
 * {@code autoconfigure}, and the packages that are pure Java stay so, so they can be reasoned about, tested and
 * benchmarked on their own.
 */
class ArchitectureTests {

	private static final String API = "io.waterhealer";

	private static final String KAFKA = "io.waterhealer.kafka";

	private static final String WORKER = "io.waterhealer.kafka.worker..";

	private static final String[] PURE_JAVA = { "io.waterhealer.settings..", "io.waterhealer.ledger..",
			"io.waterhealer.codec..", "io.waterhealer.checkpoint.." };

	/**
	 * The parts of {@code metrics} the rest of the code talks to; only the Micrometer implementation
	 * ({@code MicrometerListenerMetrics}, and {@code WaterhealerMetrics} that creates it from a registry) may see
	 * Micrometer.
	 */
	private static final String[] METRICS_INTERFACES = { "ListenerMetrics", "ListenerMetricsFactory", "PartitionView",
			"WaterhealerMeter" };

	private final JavaClasses classes = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages(API);

	@Test
	void packagesHaveNoCycles() {
		slices().assignedFrom(eachPackageItsOwnSlice()).should().beFreeOfCycles().check(this.classes);
	}

	@Test
	void dependenciesRunOneWay() {
		layeredArchitecture().consideringOnlyDependenciesInLayers()
			.layer("Autoconfigure")
			.definedBy("io.waterhealer.autoconfigure..", "io.waterhealer.aot..")
			.layer("Monitoring")
			.definedBy("io.waterhealer.health..", "io.waterhealer.actuate..")
			.layer("Kafka")
			.definedBy(KAFKA)
			.layer("Worker")
			.definedBy(WORKER)
			.layer("Observation")
			.definedBy("io.waterhealer.observation..")
			.layer("Foundations")
			.definedBy("io.waterhealer.settings..", "io.waterhealer.ledger..", "io.waterhealer.codec..",
					"io.waterhealer.checkpoint..", "io.waterhealer.metrics..")
			.layer("Api")
			.definedBy(API)
			.whereLayer("Autoconfigure")
			.mayNotBeAccessedByAnyLayer()
			.whereLayer("Monitoring")
			.mayOnlyBeAccessedByLayers("Autoconfigure")
			.whereLayer("Kafka")
			.mayOnlyBeAccessedByLayers("Monitoring", "Autoconfigure")
			.whereLayer("Worker")
			.mayOnlyBeAccessedByLayers("Kafka", "Observation", "Autoconfigure")
			.whereLayer("Observation")
			.mayOnlyBeAccessedByLayers("Autoconfigure")
			.whereLayer("Foundations")
			.mayOnlyBeAccessedByLayers("Worker", "Kafka", "Observation", "Monitoring", "Autoconfigure")
			.whereLayer("Api")
			.mayNotAccessAnyLayer()
			.check(this.classes);
	}

	@Test
	void workerSideDoesNotDependOnTheConsumerSide() {
		noClasses().that()
			.resideInAPackage(WORKER)
			.should()
			.dependOnClassesThat()
			.resideInAPackage(KAFKA)
			.check(this.classes);
	}

	/**
	 * The health check and the endpoints run on their own threads; what they may touch of a listener is its read-only
	 * view, never the runtime the consumer thread drives.
	 */
	@Test
	void monitoringReadsTheConsumerSideOnlyThroughItsView() {
		noClasses().that()
			.resideInAnyPackage("io.waterhealer.health..", "io.waterhealer.actuate..")
			.should()
			.dependOnClassesThat(resideInAPackage(KAFKA).and(not(nameMatching(KAFKA.replace(".", "\\.")
					+ "\\.ListenerView(\\$.*)?"))).as("reside in " + KAFKA + " and are not ListenerView"))
			.check(this.classes);
	}

	@Test
	void pureJavaPackagesDoNotDependOnSpringOrMicrometer() {
		noClasses().that()
			.resideInAnyPackage(PURE_JAVA)
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework..", "io.micrometer..")
			.check(this.classes);
	}

	@Test
	void metricsInterfacesDoNotDependOnSpringOrMicrometer() {
		noClasses().that(areMetricsInterfaces())
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework..", "io.micrometer..")
			.check(this.classes);
	}

	@Test
	void metricsDependsOnNothingElseOfWaterhealer() {
		classes().that()
			.resideInAPackage("io.waterhealer.metrics..")
			.should()
			.onlyDependOnClassesThat(
					not(resideInAPackage("io.waterhealer..")).or(resideInAPackage("io.waterhealer.metrics..")))
			.check(this.classes);
	}

	@Test
	void kafkaSideDoesNotDependOnMicrometer() {
		noClasses().that()
			.resideInAPackage("io.waterhealer.kafka..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("io.micrometer..")
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

	/**
	 * The metrics interfaces and their nested types.
	 */
	private static DescribedPredicate<JavaClass> areMetricsInterfaces() {
		return DescribedPredicate.describe("are the metrics interfaces " + String.join(", ", METRICS_INTERFACES),
				(javaClass) -> {
					for (String name : METRICS_INTERFACES) {
						String qualified = "io.waterhealer.metrics." + name;
						if (javaClass.getName().equals(qualified) || javaClass.getName().startsWith(qualified + "$")) {
							return true;
						}
					}
					return false;
				});
	}

	/**
	 * One slice per package, so that {@code kafka} and {@code kafka.worker} are told apart: a {@code (*)} capture would
	 * put a subpackage in its parent's slice and hide a cycle between the two.
	 */
	private static SliceAssignment eachPackageItsOwnSlice() {
		return new SliceAssignment() {

			@Override
			public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
				String packageName = javaClass.getPackageName();
				return (packageName.equals(API) || packageName.startsWith(API + ".")) ? SliceIdentifier.of(packageName)
						: SliceIdentifier.ignore();
			}

			@Override
			public String getDescription() {
				return "each package of io.waterhealer";
			}

		};
	}

}
