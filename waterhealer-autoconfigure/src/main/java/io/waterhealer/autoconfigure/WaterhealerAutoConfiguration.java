package io.waterhealer.autoconfigure;

import io.micrometer.observation.ObservationRegistry;
import io.waterhealer.HealingListener;
import io.waterhealer.PayloadSizeEstimator;
import io.waterhealer.checkpoint.CheckpointStore;
import io.waterhealer.kafka.HealingListenerAnnotationBeanPostProcessor;
import io.waterhealer.kafka.HealingListenerRegistrar;
import io.waterhealer.kafka.worker.AttemptObserver;
import io.waterhealer.metrics.ListenerMetricsFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.thread.Threading;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.kafka.annotation.KafkaListenerConfigurer;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Registers every {@link HealingListener} method as a spring-kafka listener whose commits go through the offset
 * ledger. Runs after Spring Boot's Kafka auto-configuration, whose {@code kafkaListenerContainerFactory} creates
 * the containers.
 */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@ConditionalOnClass({ KafkaListenerConfigurer.class, HealingListener.class })
@ConditionalOnBooleanProperty(name = "waterhealer.enabled", matchIfMissing = true)
@EnableConfigurationProperties(WaterhealerProperties.class)
public final class WaterhealerAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	static HealingListenerAnnotationBeanPostProcessor healingListenerAnnotationBeanPostProcessor() {
		return new HealingListenerAnnotationBeanPostProcessor();
	}

	@Bean
	@ConditionalOnMissingBean
	HealingListenerRegistrar healingListenerRegistrar(HealingListenerAnnotationBeanPostProcessor annotations,
			WaterhealerProperties properties, ConfigurableListableBeanFactory beanFactory,
			ObjectProvider<KafkaTemplate<?, ?>> templates, ObjectProvider<ListenerMetricsFactory> metrics,
			ObjectProvider<PayloadSizeEstimator> sizes, ObjectProvider<CheckpointStore> checkpoints,
			ObjectProvider<AttemptObserver.Factory> observers, ObjectProvider<ObservationRegistry> observationRegistries,
			Environment environment) {
		HealingListenerRegistrar registrar = new HealingListenerRegistrar(annotations, properties.toListenerDefaults(),
				beanFactory, templates::getIfUnique);
		registrar.setMetrics(metrics::getIfUnique, sizes::getIfUnique);
		registrar.setCheckpoints(checkpoints::getIfUnique);
		registrar.setObservation(observers::getIfUnique);
		registrar.setVirtualThreads(Threading.VIRTUAL.isActive(environment));
		// as Spring Boot configures its KafkaTemplate (spring.kafka.template.observation-enabled, the registry)
		boolean observed = environment.getProperty("spring.kafka.template.observation-enabled", Boolean.class, false);
		registrar.setTemplateCustomizer((template) -> {
			template.setObservationEnabled(observed);
			ObservationRegistry registry = observationRegistries.getIfUnique();
			if (registry != null) {
				template.setObservationRegistry(registry);
			}
		});
		return registrar;
	}

}
