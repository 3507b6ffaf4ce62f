package io.waterhealer.sample;

import java.util.Arrays;

import org.testcontainers.kafka.KafkaContainer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;

/**
 * The sample on a Kafka broker in a Docker container instead of the embedded one, the way Spring Boot runs an
 * application with its services during development: run this class's {@code main} from the IDE, or
 * {@code ./mvnw -pl sample-app -am spring-boot:test-run}. {@code @ServiceConnection} points every Kafka client at the
 * container, so {@code spring.kafka.bootstrap-servers} stays unset and the embedded broker is switched off
 * explicitly.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestSampleApplication {

	/** The broker version the project is built against. */
	static final String KAFKA_IMAGE = "apache/kafka-native:4.1.2";

	@Bean
	@ServiceConnection
	KafkaContainer kafkaContainer() {
		return new KafkaContainer(KAFKA_IMAGE);
	}

	public static void main(String[] args) {
		String[] all = Arrays.copyOf(args, args.length + 1);
		all[args.length] = "--" + EmbeddedKafkaInitializer.ENABLED + "=false";
		SpringApplication.from(SampleApplication::main).with(TestSampleApplication.class).run(all);
	}

}
