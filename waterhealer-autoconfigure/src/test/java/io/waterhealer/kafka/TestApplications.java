package io.waterhealer.kafka;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

/**
 * Starts a real Spring Boot application (auto-configuration, the Kafka starter, waterhealer) against the shared
 * embedded broker, with one listener bean, so that a test can run it, stop it and start it again like a process.
 */
final class TestApplications {

	private TestApplications() {
	}

	static <T> ConfigurableApplicationContext start(String groupId, T listener, String... properties) {
		return start(groupId, listener, App.class, properties);
	}

	/** As {@link #start(String, Object, String...)}, with the beans of {@code configuration} added. */
	static <T> ConfigurableApplicationContext start(String groupId, T listener, Class<?> configuration,
			String... properties) {
		List<String> all = new ArrayList<>(List.of("spring.kafka.consumer.auto-offset-reset=earliest"));
		all.addAll(List.of(properties));
		return startWithoutOffsetReset(groupId, listener, configuration, all.toArray(String[]::new));
	}

	/**
	 * Start the application as {@link #start} does but without setting {@code spring.kafka.consumer.auto-offset-reset},
	 * as an application written from the README would.
	 */
	static <T> ConfigurableApplicationContext startWithoutOffsetReset(String groupId, T listener,
			String... properties) {
		return startWithoutOffsetReset(groupId, listener, App.class, properties);
	}

	@SuppressWarnings("unchecked")
	private static <T> ConfigurableApplicationContext startWithoutOffsetReset(String groupId, T listener,
			Class<?> configuration, String... properties) {
		List<String> all = new ArrayList<>(List.of("spring.kafka.bootstrap-servers=" + KafkaTestSupport.bootstrapServers(),
				"spring.kafka.consumer.group-id=" + groupId,
				"spring.main.banner-mode=off", "waterhealer.listener.commit-interval=100ms",
				"waterhealer.listener.drain-timeout=100ms", "waterhealer.retry.initial-interval=50ms",
				"waterhealer.retry.max-interval=200ms", "waterhealer.shutdown.enabled=false"));
		all.addAll(List.of(properties));
		Class<T> type = (Class<T>) listener.getClass();
		return new SpringApplicationBuilder(App.class, configuration).web(WebApplicationType.NONE)
			.initializers((context) -> ((GenericApplicationContext) context).registerBean("listener", type,
					() -> listener))
			.properties(all.toArray(String[]::new))
			.run();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

	}

}
