package io.waterhealer.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import io.waterhealer.ledger.LedgerSnapshot;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.event.ConsumerPartitionPausedEvent;
import org.springframework.kafka.event.ConsumerPartitionResumedEvent;
import org.springframework.kafka.event.KafkaEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A partition whose handlers are slower than its fetches is paused when its ledger holds {@code max-in-flight}
 * incomplete records and resumed when they drain, through spring-kafka's own pause mechanism (its pause and
 * resume events prove it); the ledger never holds more than max-in-flight plus one poll, and nothing is lost.
 */
class BackPressureTest {

	static final String TOPIC = KafkaTestSupport.uniqueName("pressure");

	static final String GROUP = KafkaTestSupport.uniqueName("pressure-group");

	static final int RECORDS = 2_000;

	@Test
	void slowHandlersPauseAndResumeThePartitionWithoutLosingRecords() {
		KafkaTestSupport.createTopic(TOPIC, 1);
		List<String> values = new ArrayList<>();
		for (int i = 0; i < RECORDS; i++) {
			values.add(Integer.toString(i));
		}
		KafkaTestSupport.sendValues(TOPIC, 0, values);
		SlowListener listener = new SlowListener();

		try (ConfigurableApplicationContext context = TestApplications.start(GROUP, listener,
				"pressure.topic=" + TOPIC, "waterhealer.listener.max-in-flight=50",
				"spring.kafka.consumer.max-poll-records=20")) {
			listener.runtime = context.getBean(io.waterhealer.kafka.HealingListenerRegistrar.class)
				.runtimes()
				.get("pressure");
			await().atMost(Duration.ofSeconds(60)).until(() -> listener.processed.get() >= RECORDS);
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(KafkaTestSupport.committed(GROUP))
					.isEqualTo(KafkaTestSupport.endOffsets(TOPIC, 1)));
		}
		assertThat(listener.processed.get()).isEqualTo(RECORDS);
		assertThat(listener.paused.get()).isGreaterThan(0);
		assertThat(listener.resumed.get()).isGreaterThan(0);
		assertThat(listener.maxIncomplete.get()).isLessThanOrEqualTo(50 + 20);
	}

	static class SlowListener implements ApplicationListener<KafkaEvent> {

		final AtomicInteger processed = new AtomicInteger();

		final AtomicInteger paused = new AtomicInteger();

		final AtomicInteger resumed = new AtomicInteger();

		final AtomicInteger maxIncomplete = new AtomicInteger();

		volatile ListenerRuntime runtime;

		@HealingListener(id = "pressure", topics = "${pressure.topic}", parallelism = "4",
				ordering = Ordering.UNORDERED)
		void process(ConsumerRecord<String, String> record) throws InterruptedException {
			ListenerRuntime current = this.runtime;
			if (current != null) {
				for (LedgerSnapshot snapshot : current.ledger().snapshots()) {
					this.maxIncomplete.accumulateAndGet(snapshot.incomplete(), Math::max);
				}
			}
			Thread.sleep(1);
			this.processed.incrementAndGet();
		}

		@Override
		public void onApplicationEvent(KafkaEvent event) {
			if (event instanceof ConsumerPartitionPausedEvent) {
				this.paused.incrementAndGet();
			}
			else if (event instanceof ConsumerPartitionResumedEvent) {
				this.resumed.incrementAndGet();
			}
		}

	}

}
