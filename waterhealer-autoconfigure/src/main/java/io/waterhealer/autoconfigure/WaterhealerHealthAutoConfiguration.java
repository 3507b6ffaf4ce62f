package io.waterhealer.autoconfigure;

import java.time.Duration;

import io.waterhealer.health.ApplicationExit;
import io.waterhealer.health.BrokerProbe;
import io.waterhealer.health.ListenerHealthMonitor;
import io.waterhealer.health.WaterhealerHealthIndicator;
import io.waterhealer.kafka.HealingListenerRegistrar;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * The listener health monitor, the shutdown that exits the JVM when it stays DOWN ({@code waterhealer.shutdown.*}),
 * and, with the actuator, the {@code waterhealer} health indicator ({@code management.health.waterhealer.enabled}).
 */
@AutoConfiguration(after = WaterhealerAutoConfiguration.class)
@ConditionalOnBean(HealingListenerRegistrar.class)
public final class WaterhealerHealthAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ListenerHealthMonitor waterhealerHealthMonitor(HealingListenerRegistrar registrar, WaterhealerProperties properties,
			ObjectProvider<KafkaAdmin> kafkaAdmin, ConfigurableApplicationContext context) {
		KafkaAdmin admin = kafkaAdmin.getIfUnique();
		BrokerProbe broker = (admin != null) ? BrokerProbe.admin(admin.getConfigurationProperties()) : BrokerProbe.NONE;
		return new ListenerHealthMonitor(registrar::runtimes, broker, properties.toShutdownSettings(),
				new ApplicationExit(context, Duration.ofSeconds(60)));
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(AbstractHealthIndicator.class)
	@ConditionalOnEnabledHealthIndicator("waterhealer")
	static class HealthIndicatorConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "waterhealerHealthIndicator")
		WaterhealerHealthIndicator waterhealerHealthIndicator(ListenerHealthMonitor monitor) {
			return new WaterhealerHealthIndicator(monitor);
		}

	}

}
