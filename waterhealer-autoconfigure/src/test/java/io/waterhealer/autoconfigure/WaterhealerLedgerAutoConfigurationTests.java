package io.waterhealer.autoconfigure;

import io.waterhealer.HealingListener;
import io.waterhealer.actuate.DeadLettersEndpoint;
import io.waterhealer.actuate.LedgerEndpoint;
import io.waterhealer.kafka.HealingListenerRegistrar;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ledger endpoint and the live ledger page appear only when asked for: the endpoint when exposed, the page in a
 * servlet web application with {@code waterhealer.ledger-page.enabled=true}.
 */
class WaterhealerLedgerAutoConfigurationTests {

	private static final AutoConfigurations CONFIGURATIONS = AutoConfigurations.of(KafkaAutoConfiguration.class,
			WaterhealerAutoConfiguration.class, WaterhealerLedgerAutoConfiguration.class);

	private static final String[] PROPERTIES = { "spring.kafka.listener.auto-startup=false",
			"spring.kafka.bootstrap-servers=localhost:1", "waterhealer.shutdown.enabled=false" };

	private final WebApplicationContextRunner web = new WebApplicationContextRunner().withConfiguration(CONFIGURATIONS)
		.withPropertyValues(PROPERTIES)
		.withUserConfiguration(Listener.class);

	@Test
	void whenNothingIsSetThenNeitherTheEndpointNorThePageExists() {
		this.web.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(LedgerEndpoint.class);
			assertThat(context).doesNotHaveBean(DeadLettersEndpoint.class);
			assertThat(context).doesNotHaveBean("waterhealerLedgerPage");
		});
	}

	@Test
	void whenTheEndpointIsExposedThenItReportsEveryListener() {
		this.web.withPropertyValues("management.endpoints.web.exposure.include=ledger").run((context) -> {
			assertThat(context).hasSingleBean(LedgerEndpoint.class);
			LedgerEndpoint.LedgerReport report = context.getBean(LedgerEndpoint.class).ledger();
			assertThat(report.listeners()).containsOnlyKeys("orders");
			assertThat(report.listeners().get("orders").partitions()).isEmpty();
		});
	}

	@Test
	void whenTheDeadLettersEndpointIsExposedThenItExistsOnItsOwnWithTheRouteOfEachDeadLetterListener() {
		this.web.withPropertyValues("management.endpoints.web.exposure.include=deadletters",
				"waterhealer.failure.policy=dead-letter")
			.run((context) -> {
				assertThat(context).hasSingleBean(DeadLettersEndpoint.class);
				assertThat(context).doesNotHaveBean(LedgerEndpoint.class);
				HealingListenerRegistrar.DeadLetterRoute route = context.getBean(HealingListenerRegistrar.class)
					.deadLetterRoutes()
					.get("orders");
				assertThat(route).isNotNull();
				assertThat(route.deadLetterTopics()).containsExactly("orders-dlt");
				assertThat(route.consumerConfig()).containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG);
				assertThat(route.groupId()).isEqualTo("orders");
			});
	}

	@Test
	void whenThePageIsEnabledInAServletApplicationThenItIsServed() {
		this.web.withPropertyValues("waterhealer.ledger-page.enabled=true")
			.run((context) -> assertThat(context).hasBean("waterhealerLedgerPage")
				.getBean("waterhealerLedgerPage")
				.isInstanceOf(WebMvcConfigurer.class));
	}

	@Test
	void whenThePageSwitchIsNotABooleanThenTheStartUpNamesIt() {
		this.web.withPropertyValues("waterhealer.ledger-page.enabled=perhaps")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("waterhealer.ledger-page.enabled")
				.hasMessageContaining("Set it to true or false"));
	}

	@Test
	void whenTheApplicationIsNotAWebApplicationThenThePageIsNotServed() {
		new ApplicationContextRunner().withConfiguration(CONFIGURATIONS)
			.withPropertyValues(PROPERTIES)
			.withPropertyValues("waterhealer.ledger-page.enabled=true")
			.withUserConfiguration(Listener.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean("waterhealerLedgerPage");
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class Listener {

		@Bean
		Orders orders() {
			return new Orders();
		}

	}

	static class Orders {

		@HealingListener(id = "orders", topics = "orders")
		void handle(String value) {
		}

	}

}
