package io.waterhealer.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import io.waterhealer.actuate.DeadLetterSource;
import io.waterhealer.actuate.DeadLettersEndpoint;
import io.waterhealer.actuate.HealingListenersEndpoint;
import io.waterhealer.actuate.LedgerEndpoint;
import io.waterhealer.actuate.WaterhealerEndpoint;
import io.waterhealer.kafka.HealingListenerRegistrar;
import io.waterhealer.metrics.ListenerMetricsFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.EndpointAccessResolver;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The read-only {@code ledger} actuator endpoint (not exposed over HTTP unless the application exposes it), the
 * {@code waterhealer} endpoint (dead-letter storms, and their resume once access is granted), the
 * {@code deadletters} endpoint (what the dead-letter topics hold, and their replay once access is granted), the
 * {@code healinglisteners} endpoint (each listener's state, and the operator's pause, resume and live changes once
 * access is granted) and, in a
 * servlet web application with {@code waterhealer.ledger-page.enabled=true}, the live ledger page that draws it at
 * {@code /waterhealer/ledger.html}.
 * <p>
 * The page is a static file in the jar ({@code META-INF/waterhealer/}), outside the {@code static/} locations Spring
 * Boot serves by default, so that it appears only when asked for. It has no data of its own: it fetches the endpoint
 * from the browser, so the endpoint's exposure and any security in front of it decide who sees the ledgers.
 */
@AutoConfiguration(after = WaterhealerAutoConfiguration.class)
@ConditionalOnBean(HealingListenerRegistrar.class)
public final class WaterhealerLedgerAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Endpoint.class)
	@ConditionalOnAvailableEndpoint(LedgerEndpoint.class)
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		LedgerEndpoint ledgerEndpoint(HealingListenerRegistrar registrar) {
			return new LedgerEndpoint(registrar::runtimes);
		}

	}

	/** The dead-letter storm state and resume; its own block, so that it is exposed and granted on its own. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Endpoint.class)
	@ConditionalOnAvailableEndpoint(WaterhealerEndpoint.class)
	static class StormEndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		WaterhealerEndpoint waterhealerEndpoint(HealingListenerRegistrar registrar) {
			return new WaterhealerEndpoint(registrar::runtimes);
		}

	}

	/**
	 * What the dead-letter topics hold, and their replay once access is granted; its own block, so that it is exposed
	 * and granted on its own.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Endpoint.class)
	@ConditionalOnAvailableEndpoint(DeadLettersEndpoint.class)
	static class DeadLettersEndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		DeadLettersEndpoint deadLettersEndpoint(HealingListenerRegistrar registrar,
				ObjectProvider<ListenerMetricsFactory> metrics) {
			return new DeadLettersEndpoint(() -> sources(registrar), metrics.getIfUnique());
		}

		private static Map<String, DeadLetterSource> sources(HealingListenerRegistrar registrar) {
			Map<String, DeadLetterSource> sources = new LinkedHashMap<>();
			registrar.deadLetterRoutes()
				.forEach((id, route) -> sources.put(id, new DeadLetterSource(id, route.deadLetterTopics(),
						route.groupId() + DeadLetterSource.REPLAY_GROUP_SUFFIX, route.consumerConfig(),
						route.producerConfig())));
			return sources;
		}

	}

	/**
	 * The operator's view and controls; its own block, so that it is exposed and granted on its own. Whether its
	 * writes are granted is asked of Boot's own access resolver, the one that decides whether they are mapped.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Endpoint.class)
	@ConditionalOnAvailableEndpoint(HealingListenersEndpoint.class)
	static class ControlEndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		HealingListenersEndpoint healingListenersEndpoint(HealingListenerRegistrar registrar,
				ObjectProvider<EndpointAccessResolver> accessResolver) {
			EndpointId id = EndpointId.of("healinglisteners");
			return new HealingListenersEndpoint(registrar::runtimes, () -> {
				EndpointAccessResolver resolver = accessResolver.getIfAvailable();
				return resolver != null && resolver.accessFor(id, Access.READ_ONLY) == Access.UNRESTRICTED;
			});
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	@ConditionalOnClass(WebMvcConfigurer.class)
	@Conditional(WaterhealerLedgerAutoConfiguration.LedgerPageEnabled.class)
	static class PageConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "waterhealerLedgerPage")
		WebMvcConfigurer waterhealerLedgerPage() {
			return new WebMvcConfigurer() {

				@Override
				public void addResourceHandlers(ResourceHandlerRegistry registry) {
					registry.addResourceHandler("/waterhealer/**")
						.addResourceLocations("classpath:/META-INF/waterhealer/");
				}

			};
		}

	}

	/** {@code waterhealer.ledger-page.enabled}, off unless set; a value that is not a boolean is named. */
	static class LedgerPageEnabled extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return PropertySwitch.read(context, "waterhealer.ledger-page.enabled", false)
					? ConditionOutcome.match("waterhealer.ledger-page.enabled is true")
					: ConditionOutcome.noMatch("waterhealer.ledger-page.enabled is not true");
		}

	}

}
