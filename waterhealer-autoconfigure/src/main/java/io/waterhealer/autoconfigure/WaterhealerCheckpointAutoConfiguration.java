package io.waterhealer.autoconfigure;

import java.util.Locale;
import java.util.Set;

import io.waterhealer.InvalidHealingListenerException;
import io.waterhealer.actuate.CheckpointsEndpoint;
import io.waterhealer.checkpoint.CheckpointStore;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Checkpoints of what each stage produced ({@code waterhealer.checkpoint.*}, or water-healer's
 * {@code DISABLE_CHECKPOINTING=true} environment variable to turn them off) and the read-only {@code checkpoints}
 * actuator endpoint.
 */
@AutoConfiguration(before = WaterhealerAutoConfiguration.class)
@Conditional(WaterhealerCheckpointAutoConfiguration.CheckpointingEnabled.class)
public final class WaterhealerCheckpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CheckpointStore waterhealerCheckpointStore(WaterhealerProperties properties) {
		int maxValueLength = properties.getCheckpoint().getMaxValueLength();
		if (maxValueLength < 1) {
			throw InvalidHealingListenerException.forProperty("waterhealer.checkpoint.max-value-length",
					"is " + maxValueLength, "Set it to at least 1, e.g. 256.");
		}
		WaterhealerProperties.Checkpoint checkpoint = properties.getCheckpoint();
		if (!checkpoint.getRoles().isEmpty()
				&& checkpoint.getShowValues() != WaterhealerProperties.Checkpoint.ShowValues.WHEN_AUTHORIZED) {
			// roles decide only who sees values under when-authorized: anything else means they do nothing
			throw InvalidHealingListenerException.forProperty("waterhealer.checkpoint.roles",
					"is " + checkpoint.getRoles() + " while waterhealer.checkpoint.show-values is "
							+ checkpoint.getShowValues().name().toLowerCase(Locale.ROOT).replace('_', '-')
							+ ", so no role decides anything",
					"Set waterhealer.checkpoint.show-values=when-authorized to show values to users with one of the "
							+ "roles, or remove waterhealer.checkpoint.roles.");
		}
		return new CheckpointStore(maxValueLength);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Endpoint.class)
	@ConditionalOnAvailableEndpoint(CheckpointsEndpoint.class)
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		CheckpointsEndpoint checkpointsEndpoint(CheckpointStore store, WaterhealerProperties properties) {
			WaterhealerProperties.Checkpoint checkpoint = properties.getCheckpoint();
			return new CheckpointsEndpoint(store, Show.valueOf(checkpoint.getShowValues().name()),
					Set.copyOf(checkpoint.getRoles()));
		}

	}

	/** On unless {@code waterhealer.checkpoint.enabled=false} or {@code DISABLE_CHECKPOINTING=true}. */
	static class CheckpointingEnabled extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			if ("true".equalsIgnoreCase(context.getEnvironment().getProperty("DISABLE_CHECKPOINTING", "false").trim())) {
				return ConditionOutcome.noMatch("DISABLE_CHECKPOINTING is true");
			}
			if (!PropertySwitch.read(context, "waterhealer.enabled", true)
					|| !PropertySwitch.read(context, "waterhealer.checkpoint.enabled", true)) {
				return ConditionOutcome.noMatch("waterhealer.checkpoint.enabled is false");
			}
			return ConditionOutcome.match("checkpoints are on");
		}

	}

}
