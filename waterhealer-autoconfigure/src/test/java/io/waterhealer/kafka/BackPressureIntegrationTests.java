package io.waterhealer.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import io.waterhealer.ledger.LedgerSnapshot;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
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
class BackPressureIntegrationTests {

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
			await().atMost(Duration.ofSeconds(60)).until(() -> listener.processed.get() >= RECORDS);
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(KafkaTestSupport.committed(GROUP))
					.isEqualTo(KafkaTestSupport.endOffsets(TOPIC, 1)));
		}
		assertThat(listener.processed.get()).isEqualTo(RECORDS);
		assertThat(listener.paused.get()).isGreaterThan(0);
		assertThat(listener.resumed.get()).isGreaterThan(0);
		assertThat(listener.sampled.get()).as("records that sampled the ledger, from the first on").isEqualTo(RECORDS);
		assertThat(listener.maxIncomplete.get()).isLessThanOrEqualTo(50 + 20);
	}

	static class SlowListener implements ApplicationListener<KafkaEvent>, ApplicationContextAware {

		final AtomicInteger processed = new AtomicInteger();

		final AtomicInteger paused = new AtomicInteger();

		final AtomicInteger resumed = new AtomicInteger();

		final AtomicInteger maxIncomplete = new AtomicInteger();

		final AtomicInteger sampled = new AtomicInteger();

		private volatile @Nullable ApplicationContext context;

		/**
		 * Every record samples the ledger, from the very first: the first fill of the window happens while the
		 * application is still starting, so a runtime handed in after {@code run()} returned would miss it. The
		 * runtimes exist before any container starts, so the first record can look its runtime up.
		 */
		@HealingListener(id = "pressure", topics = "${pressure.topic}", parallelism = "4",
				ordering = Ordering.UNORDERED)
		void process(ConsumerRecord<String, String> record) throws InterruptedException {
			ApplicationContext current = this.context;
			ListenerView runtime = (current != null)
					? current.getBean(HealingListenerRegistrar.class).runtimes().get("pressure") : null;
			if (runtime != null) {
				for (LedgerSnapshot snapshot : runtime.ledger().snapshots()) {
					this.maxIncomplete.accumulateAndGet(snapshot.incomplete(), Math::max);
				}
				this.sampled.incrementAndGet();
			}
			Thread.sleep(1);
			this.processed.incrementAndGet();
		}

		@Override
		public void setApplicationContext(ApplicationContext context) {
			this.context = context;
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
