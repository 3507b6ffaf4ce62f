package io.waterhealer.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.common.utils.Exit;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Starts an in-process Kafka broker (spring-kafka-test's KRaft broker) when {@code spring.kafka.bootstrap-servers}
 * is not set, and points that property at it, so that the sample runs with one command and no Kafka installed.
 * When the property is set, the sample uses that cluster and starts nothing.
 * <p>
 * An initializer rather than an {@code EnvironmentPostProcessor}: it runs after logging is configured, so the
 * broker's start-up already logs at the levels of {@code application.yml}, and it has the context, whose shutdown
 * must stop the broker. It runs before any bean exists, so every Kafka client Spring Boot creates sees the address.
 * <p>
 * The broker is registered as the first disposable singleton. Singletons are destroyed in reverse order, after the
 * listener containers have stopped, so the broker outlives everything that talks to it, including the final offset
 * commit of a stopping listener.
 */
public class EmbeddedKafkaInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	static final String BOOTSTRAP_SERVERS = "spring.kafka.bootstrap-servers";

	/** Set to false to start no embedded broker although no bootstrap servers are set, as TestSampleApplication does. */
	static final String ENABLED = "sample.embedded-kafka.enabled";

	private static final Log logger = LogFactory.getLog(EmbeddedKafkaInitializer.class);

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		ConfigurableEnvironment environment = context.getEnvironment();
		if (environment.containsProperty(BOOTSTRAP_SERVERS)) {
			logger.info("Using the Kafka cluster at " + environment.getProperty(BOOTSTRAP_SERVERS));
			return;
		}
		if (!environment.getProperty(ENABLED, Boolean.class, true)) {
			logger.info(ENABLED + " is false: no embedded broker (e.g. a Testcontainers broker is used)");
			return;
		}
		// One partition per topic by default: the application declares its topics, with their partition counts,
		// as NewTopic beans, which also create them on a real cluster.
		EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
		// The broker publishes its address in a system property; keep it out of spring.kafka.bootstrap-servers,
		// which would outlive this context and make the next one in the JVM use a stopped broker.
		broker.brokerListProperty(EmbeddedKafkaBroker.SPRING_EMBEDDED_KAFKA_BROKERS);
		List<Runnable> cleanups = start(broker);
		String servers = broker.getBrokersAsString();
		environment.getPropertySources()
			.addFirst(new MapPropertySource("embeddedKafka", Map.of(BOOTSTRAP_SERVERS, servers)));
		ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
		beanFactory.registerSingleton(EmbeddedKafkaBroker.BEAN_NAME, broker);
		if (beanFactory instanceof DefaultSingletonBeanRegistry registry) {
			registry.registerDisposableBean(EmbeddedKafkaBroker.BEAN_NAME, () -> stop(broker, cleanups));
		}
		logger.info("Started an embedded Kafka broker at " + servers + " (" + BOOTSTRAP_SERVERS
				+ " is not set); it stops with the application");
	}

	/**
	 * Start the broker, keeping back the JVM shutdown hooks it registers to delete its data directories. Run as
	 * shutdown hooks, they would race Spring Boot's own hook, which closes the context: they would delete the files
	 * of a broker that is still shutting down, which then logs a screenful of storage errors on every Ctrl-C.
	 * @param broker the broker
	 * @return the withheld hooks, to run once the broker has stopped
	 */
	private static List<Runnable> start(EmbeddedKafkaKraftBroker broker) {
		List<Runnable> cleanups = new ArrayList<>();
		Exit.setShutdownHookAdder((name, hook) -> cleanups.add(hook));
		try {
			broker.afterPropertiesSet();
		}
		catch (RuntimeException ex) {
			stop(broker, cleanups);
			throw ex;
		}
		finally {
			Exit.resetShutdownHookAdder();
		}
		return cleanups;
	}

	private static void stop(EmbeddedKafkaKraftBroker broker, List<Runnable> cleanups) {
		try {
			broker.destroy();
		}
		finally {
			cleanups.forEach(Runnable::run);
		}
	}

}
