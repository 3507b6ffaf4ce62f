package io.waterhealer.aot;

import io.waterhealer.actuate.LedgerEndpoint;
import io.waterhealer.kafka.PoisonPillDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.annotation.ReflectiveRuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hints of {@link WaterhealerRuntimeHints}, found the way Spring's AOT processing finds them (through
 * {@code META-INF/spring/aot.factories}), and what they must cover: what Kafka creates by class name from the
 * configuration waterhealer writes, and the live ledger page.
 */
class WaterhealerRuntimeHintsTests {

	private final RuntimeHints hints = registeredHints();

	@Test
	void theRegistrarIsListedInAotFactories() {
		assertThat(AotServices.factories().load(RuntimeHintsRegistrar.class))
			.hasAtLeastOneElementOfType(WaterhealerRuntimeHints.class);
	}

	@Test
	void kafkaCanCreateThePoisonPillDeserializerFromItsClassName() throws Exception {
		assertThat(RuntimeHintsPredicates.reflection()
			.onConstructorInvocation(PoisonPillDeserializer.class.getConstructor())).accepts(this.hints);
	}

	@Test
	void kafkaCanCreateTheDeadLetterTemplatesValueSerializer() throws Exception {
		assertThat(RuntimeHintsPredicates.reflection()
			.onConstructorInvocation(ByteArraySerializer.class.getConstructor())).accepts(this.hints);
	}

	@Test
	void theLedgerPageIsIncludedAsAResource() {
		assertThat(RuntimeHintsPredicates.resource().forResource("META-INF/waterhealer/ledger.html"))
			.accepts(this.hints);
		assertThat(getClass().getClassLoader().getResource("META-INF/waterhealer/ledger.html"))
			.as("the page the hint is for").isNotNull();
	}

	/**
	 * Why the registrar has nothing for the endpoints: Spring Boot's {@code @ReadOperation} is {@code @Reflective},
	 * so the endpoint method and the records it returns (serialized to JSON by reflection) are already covered.
	 */
	@Test
	void theLedgerEndpointIsCoveredByReadOperationItself() throws Exception {
		RuntimeHints endpointHints = new RuntimeHints();
		new ReflectiveRuntimeHintsRegistrar().registerRuntimeHints(endpointHints, LedgerEndpoint.class);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(LedgerEndpoint.class, "ledger"))
			.accepts(endpointHints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(LedgerEndpoint.LedgerReport.class.getMethod("listeners"))).accepts(endpointHints);
		// the records by state and the cuts sit in a Map's values and a List's elements of each partition
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(LedgerEndpoint.StateRanges.class.getMethod("ranges"))).accepts(endpointHints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(LedgerEndpoint.Cut.class.getMethod("total")))
			.accepts(endpointHints);
	}

	private static RuntimeHints registeredHints() {
		RuntimeHints hints = new RuntimeHints();
		AotServices.factories()
			.load(RuntimeHintsRegistrar.class)
			.forEach((registrar) -> registrar.registerHints(hints, WaterhealerRuntimeHintsTests.class.getClassLoader()));
		return hints;
	}

}
