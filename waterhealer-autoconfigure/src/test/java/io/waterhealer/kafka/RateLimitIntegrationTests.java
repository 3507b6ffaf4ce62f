package io.waterhealer.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import io.waterhealer.ledger.LedgerSnapshot;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.event.ConsumerPartitionPausedEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * The rate limit against a real broker: the started rate is the configured one, concurrency stays within the
 * parallelism, a key's records keep their order, records waiting for a token fill the window and pause the partition
 * as slow handlers do, and the rate and the parallelism change live through the {@link ListenerView}.
 */
class RateLimitIntegrationTests {

	private static final long SECOND = 1_000_000_000L;

	@Test
	void atOneHundredPerSecondTheStartedRateIsOneHundredWithinFivePercentAndConcurrencyStaysWithinParallelism() {
		String topic = KafkaTestSupport.uniqueName("rate");
		KafkaTestSupport.createTopic(topic, 3);
		sendKeyed(topic, 800, 20);
		Limited listener = new Limited();
		try (ConfigurableApplicationContext context = TestApplications.start(KafkaTestSupport.uniqueName("rate-group"),
				listener, "rate.topic=" + topic)) {
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.handler.starts.size() >= 700);
		}
		// from the 101st start on: the burst of the full bucket and the start-up are behind
		List<Long> starts = listener.handler.starts.subList(100, 700);
		double perSecond = (starts.size() - 1) * (double) SECOND / (starts.get(starts.size() - 1) - starts.get(0));
		System.out.printf("rate 100/s: started %.1f/s from the 101st to the 700th start, at most %d handlers at once "
				+ "(parallelism 8)%n", perSecond, listener.handler.maxRunning.get());
		assertThat(perSecond).as("started per second").isBetween(95.0, 105.0);
		assertThat(listener.handler.maxRunning.get()).as("handlers at once").isBetween(2, 8);
		assertThat(listener.handler.outOfOrder).as("records that ran before an earlier one of their key").isEmpty();
	}

	@Test
	void recordsWaitingForATokenFillTheWindowAndPauseThePartitionWithinItsBound() {
		String topic = KafkaTestSupport.uniqueName("rate-window");
		KafkaTestSupport.createTopic(topic, 1);
		List<String> values = new ArrayList<>();
		for (int i = 0; i < 300; i++) {
			values.add(Integer.toString(i));
		}
		KafkaTestSupport.sendValues(topic, 0, values);
		Windowed listener = new Windowed();
		try (ConfigurableApplicationContext context = TestApplications.start(
				KafkaTestSupport.uniqueName("rate-window-group"), listener, "rate.topic=" + topic,
				"waterhealer.listener.max-in-flight=20", "spring.kafka.consumer.max-poll-records=10")) {
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.handler.starts.size() >= 300);
		}
		List<Long> starts = listener.handler.starts;
		// 300 records at 50/s, less the burst: the rate held them back, not the 5 ms handlers (4 of them: 800/s)
		assertThat(starts.get(299) - starts.get(0)).as("nanoseconds from first to last start")
			.isGreaterThan(5 * SECOND);
		assertThat(listener.paused.get()).as("pauses of the partition").isGreaterThan(0);
		assertThat(listener.maxIncomplete.get()).as("records in flight at most").isBetween(15, 20 + 10);
	}

	@Test
	void theRateAndTheParallelismChangeLiveForTheNextRecords() throws InterruptedException {
		String topic = KafkaTestSupport.uniqueName("rate-live");
		KafkaTestSupport.createTopic(topic, 3);
		sendKeyed(topic, 3_000, 300);
		Live listener = new Live();
		try (ConfigurableApplicationContext context = TestApplications.start(
				KafkaTestSupport.uniqueName("rate-live-group"), listener, "rate.topic=" + topic)) {
			ListenerView view = context.getBean(HealingListenerRegistrar.class).runtimes().get("live");
			assertThat(view.rate()).isEqualTo("20/s");
			assertThat(view.parallelism()).isEqualTo(2);
			await().atMost(Duration.ofSeconds(20)).until(() -> listener.handler.starts.size() >= 30);
			assertThat(startsPerSecond(listener.handler, Duration.ofMillis(1_000))).isBetween(15.0, 25.0);

			view.changeRate("200/s");
			assertThat(view.rate()).isEqualTo("200/s");
			Thread.sleep(200);
			assertThat(startsPerSecond(listener.handler, Duration.ofMillis(800))).as("within a second of the change")
				.isBetween(160.0, 240.0);

			// parallelism 2 at 200/s of 50 ms handlers: two run at once, never more
			listener.handler.sleepMillis = 50;
			Thread.sleep(300);
			listener.handler.maxRunning.set(0);
			Thread.sleep(500);
			assertThat(listener.handler.maxRunning.get()).isEqualTo(2);
			view.changeParallelism(8);
			assertThat(view.parallelism()).isEqualTo(8);
			await().atMost(Duration.ofSeconds(2)).until(() -> listener.handler.maxRunning.get() >= 8);
			view.changeParallelism(3);
			Thread.sleep(300);
			listener.handler.maxRunning.set(0);
			Thread.sleep(500);
			assertThat(listener.handler.maxRunning.get()).isBetween(1, 3);

			assertThatIllegalArgumentException().isThrownBy(() -> view.changeRate("fast"))
				.withMessageContaining("'live'")
				.withMessageContaining("'fast' is no rate; write N/s, N/m or N/h");
			assertThatIllegalArgumentException().isThrownBy(() -> view.changeParallelism(0))
				.withMessageContaining("'live'")
				.withMessageContaining("at least 1, but was 0");
			assertThat(view.rate()).isEqualTo("200/s");
			assertThat(view.parallelism()).isEqualTo(3);
		}
		assertThat(listener.handler.outOfOrder).isEmpty();
	}

	/** Starts in the last {@code window}, per second. */
	private static double startsPerSecond(Handler handler, Duration window) throws InterruptedException {
		int before = handler.starts.size();
		Thread.sleep(window.toMillis());
		return (handler.starts.size() - before) * 1000.0 / window.toMillis();
	}

	private static void sendKeyed(String topic, int records, int keys) {
		try (KafkaProducer<String, String> producer = KafkaTestSupport.producer()) {
			for (int i = 0; i < records; i++) {
				producer.send(new ProducerRecord<>(topic, "key-" + (i % keys), Integer.toString(i)));
			}
			producer.flush();
		}
	}

	/** Counts starts and handlers at once, and checks each key's records run in the order they were produced. */
	static final class Handler {

		final List<Long> starts = new CopyOnWriteArrayList<>();

		final AtomicInteger running = new AtomicInteger();

		final AtomicInteger maxRunning = new AtomicInteger();

		final List<String> outOfOrder = new CopyOnWriteArrayList<>();

		private final Map<String, Integer> lastValue = new ConcurrentHashMap<>();

		volatile long sleepMillis;

		Handler(long sleepMillis) {
			this.sleepMillis = sleepMillis;
		}

		void handle(ConsumerRecord<String, String> record) throws InterruptedException {
			this.starts.add(System.nanoTime());
			this.maxRunning.accumulateAndGet(this.running.incrementAndGet(), Math::max);
			try {
				if (record.key() != null) {
					int value = Integer.parseInt(record.value());
					Integer previous = this.lastValue.put(record.key(), value);
					if (previous != null && previous > value) {
						this.outOfOrder.add(record.key() + ": " + value + " after " + previous);
					}
				}
				Thread.sleep(this.sleepMillis);
			}
			finally {
				this.running.decrementAndGet();
			}
		}

	}

	static class Limited {

		final Handler handler = new Handler(60);

		/** 100/s of 60 ms handlers needs 6 at once, within the 8 allowed. */
		@HealingListener(id = "limited", topics = "${rate.topic}", parallelism = "8", ordering = Ordering.KEY,
				rate = "100/s")
		void process(ConsumerRecord<String, String> record) throws InterruptedException {
			this.handler.handle(record);
		}

	}

	static class Windowed implements ApplicationListener<ConsumerPartitionPausedEvent>, ApplicationContextAware {

		final Handler handler = new Handler(5);

		final AtomicInteger paused = new AtomicInteger();

		final AtomicInteger maxIncomplete = new AtomicInteger();

		private volatile @Nullable ApplicationContext context;

		/** 50/s of 5 ms handlers: the rate, not the handler, holds the records back. */
		@HealingListener(id = "windowed", topics = "${rate.topic}", parallelism = "4", ordering = Ordering.UNORDERED,
				rate = "50/s")
		void process(ConsumerRecord<String, String> record) throws InterruptedException {
			ApplicationContext current = this.context;
			ListenerView runtime = (current != null)
					? current.getBean(HealingListenerRegistrar.class).runtimes().get("windowed") : null;
			if (runtime != null) {
				for (LedgerSnapshot snapshot : runtime.ledger().snapshots()) {
					this.maxIncomplete.accumulateAndGet(snapshot.incomplete(), Math::max);
				}
			}
			this.handler.handle(record);
		}

		@Override
		public void setApplicationContext(ApplicationContext context) {
			this.context = context;
		}

		@Override
		public void onApplicationEvent(ConsumerPartitionPausedEvent event) {
			this.paused.incrementAndGet();
		}

	}

	static class Live {

		final Handler handler = new Handler(1);

		@HealingListener(id = "live", topics = "${rate.topic}", parallelism = "2", ordering = Ordering.KEY,
				rate = "20/s")
		void process(ConsumerRecord<String, String> record) throws InterruptedException {
			this.handler.handle(record);
		}

	}

}
