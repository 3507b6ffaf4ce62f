package io.waterhealer.sample;

import org.apache.kafka.clients.admin.NewTopic;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The payments service. {@code ./mvnw -pl sample-app -am spring-boot:run} starts it on an embedded broker, feeds
 * it demo payments and prints its progress; {@code --spring.kafka.bootstrap-servers=host:9092} runs it against a
 * real cluster instead.
 */
@SpringBootApplication
@EnableScheduling
@EnableConfigurationProperties(SampleProperties.class)
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

	/**
	 * The payments topic, created by Spring Boot's {@code KafkaAdmin} if it is missing. Declared here rather than
	 * on the embedded broker so that the same partition count applies on a real cluster; the replication factor is
	 * left to the broker's default.
	 * @param properties the sample's settings
	 * @return the topic
	 */
	@Bean
	NewTopic paymentsTopic(SampleProperties properties) {
		return TopicBuilder.name(properties.topic()).partitions(properties.partitions()).build();
	}

	/**
	 * The bookings topic, which the batch step reads.
	 * @param properties the sample's settings
	 * @return the topic
	 */
	@Bean
	NewTopic bookingsTopic(SampleProperties properties) {
		return TopicBuilder.name(properties.bookingsTopic()).partitions(3).build();
	}

}
