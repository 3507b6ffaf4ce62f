package io.waterhealer.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import io.waterhealer.kafka.HealingListenerRegistrar;
import io.waterhealer.metrics.ListenerMetricsFactory;
import io.waterhealer.metrics.WaterhealerMetrics;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer meters for every {@code @HealingListener}, on by default when a {@link MeterRegistry} exists (with the
 * actuator and {@code micrometer-registry-prometheus} they are scraped at {@code /actuator/prometheus}).
 */
@AutoConfiguration(after = WaterhealerAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration" })
@ConditionalOnClass({ MeterRegistry.class, HealingListenerRegistrar.class })
@ConditionalOnBean({ MeterRegistry.class, HealingListenerRegistrar.class })
@ConditionalOnBooleanProperty(name = "waterhealer.metrics.enabled", matchIfMissing = true)
public final class WaterhealerMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(ListenerMetricsFactory.class)
	WaterhealerMetrics waterhealerMetrics(MeterRegistry registry, WaterhealerProperties properties) {
		WaterhealerProperties.Metrics metrics = properties.getMetrics();
		return new WaterhealerMetrics(registry, metrics.isTimeExecution(), metrics.isDataSize());
	}

}
