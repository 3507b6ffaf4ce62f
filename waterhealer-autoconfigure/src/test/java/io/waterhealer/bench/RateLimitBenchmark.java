package io.waterhealer.bench;

import java.lang.management.ManagementFactory;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * Whether the rate limit holds under a W2-like load (issue 16): handlers that sleep 5 ms, parallelism 16 (room for
 * 3,200 records/s), 6 partitions, KEY ordering over 1,000 keys, and {@code rate = "500/s"}. Records enough for the
 * measured minute are produced first, so the broker never starves the listener; the minute starts 2 s after the
 * first record, past the start-up and the first full bucket. It prints the started rate over the minute and per 10 s,
 * its ratio to 500, the most handlers seen running at once against the parallelism, and the wait-for-token timer.
 * <p>
 * {@code ./mvnw -B -pl waterhealer-autoconfigure -Pbenchmark test-compile exec:exec
 * -Dbenchmark.main=io.waterhealer.bench.RateLimitBenchmark}.
 */
public final class RateLimitBenchmark {

	private static final int PARTITIONS = 6;

	private static final int RATE = 500;

	private static final int PARALLELISM = 16;

	private static final int SLEEP_MILLIS = 5;

	private static final int WARMUP_SECONDS = 2;

	private static final int MEASURED_SECONDS = 60;

	/** The warm-up and the minute at the limit, and 10 % more, so the measured minute never runs dry. */
	private static final int RECORDS = (WARMUP_SECONDS + MEASURED_SECONDS) * RATE * 11 / 10;

	private RateLimitBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
		EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS, "rate");
		broker.afterPropertiesSet();
		try {
			String servers = broker.getBrokersAsString();
			produce(servers, "rate", RECORDS);
			Sleeper listener = new Sleeper(RECORDS);
			try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
				.web(WebApplicationType.NONE)
				.initializers((ctx) -> ((GenericApplicationContext) ctx).registerBean("sleeper", Sleeper.class,
						() -> listener))
				.properties("spring.kafka.bootstrap-servers=" + servers,
						"spring.kafka.consumer.group-id=rate-" + System.nanoTime(),
						"spring.kafka.consumer.auto-offset-reset=earliest",
						"spring.kafka.consumer.value-deserializer=org.apache.kafka.common.serialization.ByteArrayDeserializer",
						"spring.main.banner-mode=off", "logging.level.root=WARN")
				.run()) {
				while (listener.starts.get(0) == 0) {
					TimeUnit.MILLISECONDS.sleep(10);
				}
				long from = listener.starts.get(0) + TimeUnit.SECONDS.toNanos(WARMUP_SECONDS);
				long to = from + TimeUnit.SECONDS.toNanos(MEASURED_SECONDS);
				while (System.nanoTime() < to + TimeUnit.MILLISECONDS.toNanos(100)) {
					TimeUnit.MILLISECONDS.sleep(100);
				}
				report(listener, from, to, context.getBeanProvider(MeterRegistry.class).getIfAvailable(), loadBefore);
			}
		}
		finally {
			broker.destroy();
		}
	}

	private static void report(Sleeper listener, long from, long to, MeterRegistry registry, double loadBefore) {
		int count = Math.min(listener.started.get(), listener.starts.length());
		long[] perWindow = new long[MEASURED_SECONDS / 10];
		long total = 0;
		for (int i = 0; i < count; i++) {
			long at = listener.starts.get(i);
			if (at >= from && at < to) {
				total++;
				perWindow[(int) ((at - from) / TimeUnit.SECONDS.toNanos(10))]++;
			}
		}
		System.out.printf("%nRate limit, rate = \"%d/s\": %d partitions, KEY over 1,000 keys, handler sleeps %d ms, "
				+ "parallelism %d (room for %,d/s), %,d records produced first; Java %s, %d cores, load average %.1f "
				+ "before, %.1f after%n", RATE, PARTITIONS, SLEEP_MILLIS, PARALLELISM,
				PARALLELISM * 1000 / SLEEP_MILLIS, RECORDS, Runtime.version(),
				Runtime.getRuntime().availableProcessors(), loadBefore,
				ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
		double overall = total / (double) MEASURED_SECONDS;
		System.out.printf("  over %d s: %,d started, %.1f/s, ratio to %d: %.4f%n", MEASURED_SECONDS, total, overall,
				RATE, overall / RATE);
		for (int w = 0; w < perWindow.length; w++) {
			double rate = perWindow[w] / 10.0;
			System.out.printf("  %2d-%2d s: %.1f/s, ratio %.4f%n", w * 10, w * 10 + 10, rate, rate / RATE);
		}
		System.out.printf("  handlers at once: at most %d (parallelism %d)%n", listener.maxRunning.get(), PARALLELISM);
		Timer wait = (registry != null) ? registry.find("waterhealer.rate.limit.wait").timer() : null;
		if (wait != null) {
			System.out.printf("  waterhealer.rate.limit.wait: %,d samples, mean %.1f ms, max %.1f ms%n", wait.count(),
					wait.mean(TimeUnit.MILLISECONDS), wait.max(TimeUnit.MILLISECONDS));
		}
	}

	private static void produce(String servers, String topic, int records) {
		Properties config = new Properties();
		config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
		config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
		config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
		config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
		byte[] value = new byte[100];
		try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config)) {
			for (int i = 0; i < records; i++) {
				producer.send(new ProducerRecord<>(topic, "key-" + (i % 1000), value));
			}
			producer.flush();
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

	}

	/** Sleeps like W2's handler; notes when each record started and how many ran at once. */
	public static class Sleeper {

		final AtomicLongArray starts;

		final AtomicInteger started = new AtomicInteger();

		final AtomicInteger running = new AtomicInteger();

		final AtomicInteger maxRunning = new AtomicInteger();

		Sleeper(int records) {
			this.starts = new AtomicLongArray(records);
		}

		@HealingListener(id = "rate", topics = "rate", parallelism = "" + PARALLELISM, ordering = Ordering.KEY,
				rate = RATE + "/s")
		void handle(byte[] value) throws InterruptedException {
			int index = this.started.getAndIncrement();
			if (index < this.starts.length()) {
				this.starts.set(index, System.nanoTime());
			}
			this.maxRunning.accumulateAndGet(this.running.incrementAndGet(), Math::max);
			try {
				Thread.sleep(SLEEP_MILLIS);
			}
			finally {
				this.running.decrementAndGet();
			}
		}

	}

}
