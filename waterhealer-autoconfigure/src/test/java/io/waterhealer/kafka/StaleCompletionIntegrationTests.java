package io.waterhealer.kafka;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A record whose processing outlives its partition's assignment: the partition is revoked (the container stops)
 * and assigned again while the first attempt still runs, so the record is handed out a second time. When the first
 * attempt then finishes, its completion belongs to the old assignment and must not move the new one's position.
 */
class StaleCompletionIntegrationTests {

	static final String TOPIC = KafkaTestSupport.uniqueName("stale");

	static final String GROUP = KafkaTestSupport.uniqueName("stale-group");

	@Test
	void aCompletionArrivingAfterRevocationIsNotCommitted() {
		KafkaTestSupport.createTopic(TOPIC, 1);
		KafkaTestSupport.sendValues(TOPIC, 0, List.of("0", "1", "2", "3", "4"));
		TopicPartition partition = new TopicPartition(TOPIC, 0);
		BlockingOnOffsetTwo listener = new BlockingOnOffsetTwo();

		try (ConfigurableApplicationContext context = TestApplications.start(GROUP, listener, "stale.topic=" + TOPIC)) {
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.attemptsAtTwo.get() == 1);
			await().atMost(Duration.ofSeconds(10)).until(() -> KafkaTestSupport.committed(GROUP, partition) == 2L);

			MessageListenerContainer container = context.getBean(KafkaListenerEndpointRegistry.class)
				.getListenerContainer("stale");
			assertThat(container).isNotNull();
			container.stop();
			container.start();
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.attemptsAtTwo.get() == 2);

			listener.releaseFirst.countDown();
			await().atMost(Duration.ofSeconds(10)).untilTrue(listener.firstReturned);
			await().during(Duration.ofSeconds(1))
				.atMost(Duration.ofSeconds(5))
				.until(() -> KafkaTestSupport.committed(GROUP, partition) == 2L);

			listener.releaseSecond.countDown();
			await().atMost(Duration.ofSeconds(10)).until(() -> KafkaTestSupport.committed(GROUP, partition) == 5L);
		}
	}

	static class BlockingOnOffsetTwo {

		final AtomicInteger attemptsAtTwo = new AtomicInteger();

		final CountDownLatch releaseFirst = new CountDownLatch(1);

		final CountDownLatch releaseSecond = new CountDownLatch(1);

		final AtomicBoolean firstReturned = new AtomicBoolean();

		@HealingListener(id = "stale", topics = "${stale.topic}", parallelism = "4", ordering = Ordering.UNORDERED)
		void process(ConsumerRecord<String, String> record) throws InterruptedException {
			if (record.offset() != 2) {
				return;
			}
			int attempt = this.attemptsAtTwo.incrementAndGet();
			if (attempt == 1) {
				this.releaseFirst.await(60, TimeUnit.SECONDS);
				this.firstReturned.set(true);
			}
			else {
				this.releaseSecond.await(60, TimeUnit.SECONDS);
			}
		}

	}

}
