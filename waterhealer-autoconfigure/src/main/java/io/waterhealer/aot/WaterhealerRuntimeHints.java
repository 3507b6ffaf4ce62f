package io.waterhealer.aot;

import io.waterhealer.kafka.PoisonPillDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * Hints for what is reached by name rather than by code, so a native image would otherwise leave it out: Kafka
 * creates serializers and deserializers reflectively from the class (name) in its configuration, and waterhealer
 * puts two there — {@link PoisonPillDeserializer}, as the name of every listener's key and value deserializer, and
 * {@link ByteArraySerializer}, as the value serializer of the dead-letter template — and the live ledger page is a
 * file in the jar ({@code META-INF/waterhealer/}) served by a resource handler.
 * <p>
 * What needs nothing here: the deserializer a {@code PoisonPillDeserializer} delegates to is the one the application
 * configured, which Kafka would create by name anyway (spring-kafka's hints cover its own, the application's are its
 * own); the actuator endpoints get theirs from Spring Boot's {@code @ReadOperation} ({@code @Reflective}); the
 * properties class from Spring Boot's {@code @ConfigurationProperties} processing; the failure analyzer from
 * Spring's hints for {@code spring.factories}; the configuration metadata is read by IDEs, not at run time.
 */
public class WaterhealerRuntimeHints implements RuntimeHintsRegistrar {

	/** The resources of the live ledger page. */
	static final String LEDGER_PAGE = "META-INF/waterhealer/*";

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.reflection()
			.registerType(PoisonPillDeserializer.class, MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS)
			.registerType(ByteArraySerializer.class, MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS);
		hints.resources().registerPattern(LEDGER_PAGE);
	}

}
