package io.waterhealer.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
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
 * What the meters cost on the no-op workload: the same records consumed by a no-op {@code @HealingListener} with
 * metrics on (Prometheus registry, timing and sizes) and off, alternating, in one run on one broker. Each run prints
 * two rates: "committed" (from the first record handed to the handler until the AdminClient sees every partition
 * committed to its end offset) and "steady processing" (records handled between the 20 % and 80 % marks, without
 * start-up and commit tail); the ratio is taken on the steady rate, which is what the meters cost.
 * <p>
 * {@code ./mvnw -B -pl waterhealer-autoconfigure -Pbenchmark test-compile exec:exec
 * -Dbenchmark.main=io.waterhealer.bench.MetricsCostBenchmark} (records and rounds: {@code -Dbench.records},
 * {@code -Dbench.rounds}).
 */
public final class MetricsCostBenchmark {

	private static final int PARTITIONS = 6;

	/** What is switched on and off: {@code metrics} (default) or {@code checkpoint}; the other stays on. */
	private static final String TOGGLE = System.getProperty("bench.toggle", "metrics");

	private MetricsCostBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		int records = Integer.getInteger("bench.records", 500_000);
		int rounds = Integer.getInteger("bench.rounds", 3);
		EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, PARTITIONS, "bench");
		broker.afterPropertiesSet();
		try {
			String servers = broker.getBrokersAsString();
			produce(servers, "bench", records);
			List<Double> on = new ArrayList<>();
			List<Double> off = new ArrayList<>();
			for (int warmup = 0; warmup < 3; warmup++) {
				run(servers, records, true);
				run(servers, records, false);
			}
			for (int round = 0; round < rounds; round++) {
				// alternate which mode goes first, so that neither always follows the other's teardown
				boolean onFirst = round % 2 == 0;
				(onFirst ? on : off).add(run(servers, records, onFirst));
				(onFirst ? off : on).add(run(servers, records, !onFirst));
			}
			double medianOn = median(on);
			double medianOff = median(off);
			System.out.printf("%n%s cost, no-op handler, %,d records of 100 bytes, %d partitions, UNORDERED, "
					+ "parallelism 64, commit interval 100 ms, Java %s, %d cores%n", TOGGLE, records, PARTITIONS, Runtime.version(),
					Runtime.getRuntime().availableProcessors());
			System.out.printf("  %s on  (steady): %s -> median %,.0f records/s%n", TOGGLE, format(on), medianOn);
			System.out.printf("  %s off (steady): %s -> median %,.0f records/s%n", TOGGLE, format(off), medianOff);
			System.out.printf("  on/off ratio of medians: %.3f, of best runs: %.3f%n", medianOn / medianOff,
					Collections.max(on) / Collections.max(off));
		}
		finally {
			broker.destroy();
		}
	}

	private static double run(String servers, int records, boolean metrics) throws Exception {
		String group = "bench-" + (metrics ? "on-" : "off-") + System.nanoTime();
		NoOp listener = new NoOp();
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
			.web(WebApplicationType.NONE)
			.initializers((ctx) -> ((GenericApplicationContext) ctx).registerBean("noOp", NoOp.class, () -> listener))
			.properties("spring.kafka.bootstrap-servers=" + servers, "spring.kafka.consumer.group-id=" + group,
					"spring.kafka.consumer.auto-offset-reset=earliest",
					"spring.kafka.consumer.value-deserializer=org.apache.kafka.common.serialization.ByteArrayDeserializer",
					"spring.kafka.consumer.max-poll-records=2000", "spring.main.banner-mode=off",
					"logging.level.root=WARN", "logging.level.io.waterhealer.bench=WARN", "waterhealer.metrics.enabled=" + (!TOGGLE.equals("metrics") || metrics),
					"waterhealer.checkpoint.enabled=" + (!TOGGLE.equals("checkpoint") || metrics),
					"waterhealer.metrics.time-execution=" + Boolean.parseBoolean(System.getProperty("bench.timing", "true")),
					"waterhealer.metrics.data-size=" + Boolean.parseBoolean(System.getProperty("bench.sizes", "true")), "waterhealer.listener.commit-interval=100ms",
					"waterhealer.listener.max-in-flight=" + Integer.getInteger("bench.maxInFlight", 10_000),
					"management.metrics.export.prometheus.enabled=true")
			.run();
				Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
			Map<TopicPartition, Long> end = endOffsets(admin);
			long from = 0;
			long to = 0;
			while (to == 0) {
				long processed = listener.processed.sum();
				long now = System.nanoTime();
				if (from == 0 && processed >= records / 5) {
					from = now;
				}
				if (processed >= records * 4L / 5) {
					to = now;
				}
				TimeUnit.MILLISECONDS.sleep(1);
			}
			while (!committed(admin, group).equals(end)) {
				TimeUnit.MILLISECONDS.sleep(20);
			}
			long elapsed = System.nanoTime() - listener.firstNanos.get();
			double committedRate = records / (elapsed / 1e9);
			double steadyRate = (records * 3 / 5.0) / ((to - from) / 1e9);
			System.out.printf("  run " + TOGGLE + "=%-5s committed %,10.0f records/s, steady processing %,10.0f records/s%n",
					metrics, committedRate, steadyRate);
			return steadyRate;
		}
	}

	private static void produce(String servers, String topic, int records) {
		Properties config = new Properties();
		config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
		config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
		config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
		config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
		config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
		byte[] value = new byte[100];
		try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config)) {
			for (int i = 0; i < records; i++) {
				producer.send(new ProducerRecord<>(topic, "key-" + (i % 1000), value));
			}
			producer.flush();
		}
	}

	private static Map<TopicPartition, Long> endOffsets(Admin admin) throws Exception {
		return admin
			.listOffsets(IntStream.range(0, PARTITIONS)
				.mapToObj((p) -> new TopicPartition("bench", p))
				.collect(Collectors.toMap(Function.identity(), (tp) -> OffsetSpec.latest())))
			.all()
			.get()
			.entrySet()
			.stream()
			.collect(Collectors.toMap(Map.Entry::getKey, (e) -> e.getValue().offset()));
	}

	private static Map<TopicPartition, Long> committed(Admin admin, String group) throws Exception {
		Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
			.partitionsToOffsetAndMetadata()
			.get();
		return offsets.entrySet()
			.stream()
			.filter((e) -> e.getValue() != null)
			.collect(Collectors.toMap(Map.Entry::getKey, (e) -> e.getValue().offset()));
	}

	private static double median(List<Double> values) {
		double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		return sorted[sorted.length / 2];
	}

	private static String format(List<Double> values) {
		return Arrays.toString(values.stream().mapToLong(Double::longValue).toArray());
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

	}

	/** Does nothing but note when the first record arrived. */
	public static class NoOp {

		final AtomicLong firstNanos = new AtomicLong();

		final LongAdder processed = new LongAdder();

		@HealingListener(id = "bench", topics = "bench", parallelism = "64", ordering = Ordering.UNORDERED)
		void handle(byte[] value) {
			if (this.firstNanos.get() == 0) {
				this.firstNanos.compareAndSet(0, System.nanoTime());
			}
			this.processed.increment();
		}

	}

}
