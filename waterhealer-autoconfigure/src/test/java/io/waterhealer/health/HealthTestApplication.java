package io.waterhealer.health;

import java.util.concurrent.CountDownLatch;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * An application run in its own JVM by the health tests, with a web server for {@code /actuator/health}. Its
 * handler blocks forever on offset {@code health.block-at} and throws an {@link IllegalArgumentException} (declared
 * fatal by the test) on offset {@code health.fatal-at}; -1 disables either.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class HealthTestApplication {

	public static void main(String[] args) {
		SpringApplication.run(HealthTestApplication.class, args);
	}

	@Bean
	Handler handler(@Value("${health.block-at:-1}") long blockAt, @Value("${health.fatal-at:-1}") long fatalAt) {
		return new Handler(blockAt, fatalAt);
	}

	static class Handler {

		private final long blockAt;

		private final long fatalAt;

		private final CountDownLatch never = new CountDownLatch(1);

		Handler(long blockAt, long fatalAt) {
			this.blockAt = blockAt;
			this.fatalAt = fatalAt;
		}

		@HealingListener(id = "health", topics = "${health.topic}", parallelism = "4", ordering = Ordering.UNORDERED)
		void handle(ConsumerRecord<String, String> record) throws InterruptedException {
			if (record.offset() == this.blockAt) {
				this.never.await();
			}
			if (record.offset() == this.fatalAt) {
				throw new IllegalArgumentException("offset " + record.offset() + " is declared fatal by the test");
			}
		}

	}

}
