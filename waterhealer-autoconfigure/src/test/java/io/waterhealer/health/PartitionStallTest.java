package io.waterhealer.health;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stalls are judged per partition: one partition held back by a handler that never returns is reported DOWN even
 * while another partition of the same listener keeps committing.
 */
class PartitionStallTest {

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
			long moving = 0;
			producer.send(new ProducerRecord<>(topic, 0, null, "stuck")).get(10, TimeUnit.SECONDS);
			long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
			while (monitor.verdict().up() && System.nanoTime() < deadline) {
				producer.send(new ProducerRecord<>(topic, 1, null, "moving-" + moving++)).get(10, TimeUnit.SECONDS);
				TimeUnit.MILLISECONDS.sleep(100);
			}
			HealthVerdict verdict = monitor.verdict();
			assertThat(verdict.up()).isFalse();
			assertThat(verdict.partition()).isEqualTo(new TopicPartition(topic, 0));
			assertThat(verdict.reason()).contains("stalled");
			assertThat(KafkaTestSupport.committed(topic + "-group", new TopicPartition(topic, 1))).isPositive();
			listener.release.countDown();
			await().atMost(Duration.ofSeconds(10)).until(() -> monitor.verdict().up());
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

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
