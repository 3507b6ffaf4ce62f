package io.waterhealer.health;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import io.waterhealer.kafka.KafkaTestSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stalls are judged per partition: one partition held back by a handler that never returns is reported DOWN even
 * while another partition of the same listener keeps committing.
 */
class PartitionStallIntegrationTests {

	@Test
	void aStuckPartitionIsDownWhileAnotherKeepsMoving() throws Exception {
		String topic = KafkaTestSupport.uniqueName("stall");
		KafkaTestSupport.createTopic(topic, 2);
		StuckOnPartitionZero listener = new StuckOnPartitionZero();
		try (KafkaProducer<String, String> producer = KafkaTestSupport.producer();
				ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
					.web(WebApplicationType.NONE)
					.initializers((ctx) -> ((GenericApplicationContext) ctx).registerBean("listener",
							StuckOnPartitionZero.class, () -> listener))
					.properties("spring.kafka.bootstrap-servers=" + KafkaTestSupport.bootstrapServers(),
							"spring.kafka.consumer.group-id=" + topic + "-group",
							"spring.kafka.consumer.auto-offset-reset=earliest", "spring.main.banner-mode=off",
							"stall.topic=" + topic, "waterhealer.listener.commit-interval=100ms",
							"waterhealer.listener.drain-timeout=100ms", "waterhealer.shutdown.enabled=false",
							"waterhealer.shutdown.interval=200ms", "waterhealer.shutdown.stall-timeout=2s")
					.run()) {
			ListenerHealthMonitor monitor = context.getBean(ListenerHealthMonitor.class);
			AtomicInteger moving = new AtomicInteger();
			producer.send(new ProducerRecord<>(topic, 0, null, "stuck")).get(10, TimeUnit.SECONDS);
			// one verdict is read per round and asserted on: a second read could already see a later state
			HealthVerdict verdict = await().atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(100))
				.until(() -> {
					producer.send(new ProducerRecord<>(topic, 1, null, "moving-" + moving.getAndIncrement()))
						.get(10, TimeUnit.SECONDS);
					return monitor.verdict();
				}, (read) -> !read.up());
			assertThat(verdict.partition()).isEqualTo(new TopicPartition(topic, 0));
			assertThat(verdict.reason()).contains("stalled");
			assertThat(KafkaTestSupport.committed(topic + "-group", new TopicPartition(topic, 1))).isPositive();
			listener.release.countDown();
			await().atMost(Duration.ofSeconds(10)).until(() -> monitor.verdict().up());
		}
	}

	/**
	 * A partition the application paused itself (through the container, as spring-kafka documents) is not a stall,
	 * whatever its lag: the containers a factory creates are concurrent containers, whose per-partition pause
	 * requests live in their child containers.
	 */
	@Test
	void aPartitionPausedByTheApplicationIsNotAStall() throws Exception {
		String topic = KafkaTestSupport.uniqueName("app-paused");
		KafkaTestSupport.createTopic(topic, 2);
		TopicPartition pausedPartition = new TopicPartition(topic, 0);
		Counting listener = new Counting();
		try (KafkaProducer<String, String> producer = KafkaTestSupport.producer();
				ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
					.web(WebApplicationType.NONE)
					.initializers((ctx) -> ((GenericApplicationContext) ctx).registerBean("listener", Counting.class,
							() -> listener))
					.properties("spring.kafka.bootstrap-servers=" + KafkaTestSupport.bootstrapServers(),
							"spring.kafka.consumer.group-id=" + topic + "-group", "spring.main.banner-mode=off",
							"stall.topic=" + topic, "waterhealer.listener.commit-interval=100ms",
							"waterhealer.listener.drain-timeout=100ms", "waterhealer.shutdown.enabled=false",
							"waterhealer.shutdown.interval=200ms", "waterhealer.shutdown.stall-timeout=1s")
					.run()) {
			ListenerHealthMonitor monitor = context.getBean(ListenerHealthMonitor.class);
			MessageListenerContainer container = context.getBean(KafkaListenerEndpointRegistry.class)
				.getListenerContainer("counting");
			producer.send(new ProducerRecord<>(topic, 0, null, "first")).get(10, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.count.get() == 1);
			container.pausePartition(pausedPartition);
			await().atMost(Duration.ofSeconds(10)).until(() -> container.isPartitionPaused(pausedPartition));
			for (int i = 0; i < 5; i++) {
				producer.send(new ProducerRecord<>(topic, 0, null, "while-paused-" + i)).get(10, TimeUnit.SECONDS);
			}
			await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6)).until(() -> monitor.verdict().up());
			assertThat(listener.count.get()).as("records handled while the partition was paused").isEqualTo(1);
			container.resumePartition(pausedPartition);
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.count.get() == 6);
			assertThat(monitor.verdict().up()).isTrue();
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

	}

	static class Counting {

		final AtomicInteger count = new AtomicInteger();

		@HealingListener(id = "counting", topics = "${stall.topic}")
		void handle(String value) {
			this.count.incrementAndGet();
		}

	}

	static class StuckOnPartitionZero {

		final CountDownLatch release = new CountDownLatch(1);

		@HealingListener(id = "stall", topics = "${stall.topic}", ordering = Ordering.UNORDERED)
		void handle(ConsumerRecord<String, String> record) throws InterruptedException {
			if (record.partition() == 0) {
				this.release.await(60, TimeUnit.SECONDS);
			}
		}

	}

}
