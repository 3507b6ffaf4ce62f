package io.waterhealer.autoconfigure;

import io.micrometer.observation.ObservationRegistry;
import io.waterhealer.kafka.HealingListenerRegistrar;
import io.waterhealer.kafka.worker.AttemptObserver;
import io.waterhealer.observation.ListenerObservations;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.kafka.support.micrometer.KafkaListenerObservation;
import org.springframework.kafka.support.micrometer.KafkaListenerObservationConvention;

/**
 * Every record attempt of every {@code @HealingListener} inside spring-kafka's listener observation, opened on the
 * worker thread, so that with Micrometer Tracing the handler runs in a child span of the producer's trace. On when
 * an {@link ObservationRegistry} exists and {@value #OWN} is {@code true}, or, when that is unset, when
 * {@value #SPRING_KAFKA} is (the switch a {@code @KafkaListener} application already has).
 */
@AutoConfiguration(after = WaterhealerAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass({ ObservationRegistry.class, KafkaListenerObservation.class, HealingListenerRegistrar.class })
@ConditionalOnBean({ ObservationRegistry.class, HealingListenerRegistrar.class })
@Conditional(WaterhealerObservationAutoConfiguration.ObservationSwitch.class)
public final class WaterhealerObservationAutoConfiguration {

	static final String OWN = "waterhealer.observation.enabled";

	static final String SPRING_KAFKA = "spring.kafka.listener.observation-enabled";

	@Bean
	@ConditionalOnMissingBean(AttemptObserver.Factory.class)
	ListenerObservations waterhealerListenerObservations(ObservationRegistry registry,
			ObjectProvider<KafkaListenerObservationConvention> conventions) {
		return new ListenerObservations(registry, conventions.getIfUnique());
	}

	/** {@value #OWN} if it is set, otherwise {@value #SPRING_KAFKA}, otherwise off. */
	static final class ObservationSwitch implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			if (context.getEnvironment().containsProperty(OWN)) {
				return PropertySwitch.read(context, OWN, false);
			}
			return PropertySwitch.read(context, SPRING_KAFKA, false);
		}

	}

}
