package io.waterhealer.bench.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.confluent.parallelconsumer.ParallelConsumerOptions;
import io.confluent.parallelconsumer.ParallelConsumerOptions.CommitMode;
import io.confluent.parallelconsumer.ParallelConsumerOptions.ProcessingOrder;
import io.confluent.parallelconsumer.ParallelStreamProcessor;
import io.waterhealer.HealingListener;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.KafkaListener;

/**
 * One contender of the peer benchmark, in its own JVM so that its CPU time and peak RSS are its own. The first
 * argument names the contender ({@link Kind}); the workload comes in system properties ({@code bench.topic},
 * {@code bench.group}, {@code bench.bootstrap}, {@code bench.partitions}, {@code bench.parallelism},
 * {@code bench.ordering}, {@code bench.commitMillis}, {@code bench.maxPollRecords}, optionally
 * {@code bench.sessionTimeoutMillis}, and the {@link Probe}'s); further
 * arguments are passed to Spring Boot as they are. The child prints {@code BENCH first=...} at its first record and,
 * when the orchestrator writes a line to its standard input, {@code BENCH done ...} with its figures; then it halts.
 */
public final class ContenderMain {

	/** The contenders a child can run. */
	enum Kind {

		/** {@code @HealingListener}, ordering and parallelism from the properties. */
		WATERHEALER,
		/** spring-kafka {@code @KafkaListener}, one consumer thread per partition, AckMode BATCH. */
		SPRING_BATCH,
		/** spring-kafka {@code @KafkaListener} returning a {@code CompletableFuture} run on a pool (async acks). */
		SPRING_ASYNC,
		/** A {@code KafkaConsumer} poll loop on one thread, async commits coalesced to one per commit interval. */
		RAW,
		/** Confluent Parallel Consumer, periodic asynchronous consumer commits. */
		PARALLEL_CONSUMER

	}

	static final Probe PROBE = Probe.fromSystemProperties();

	private ContenderMain() {
	}

	public static void main(String[] args) throws Exception {
		Kind kind = Kind.valueOf(args[0]);
		String[] springArgs = springArguments(kind, List.of(args).subList(1, args.length));
		Thread stopper = new Thread(PROBE::reportOnStopAndHalt, "bench-stop");
		stopper.start();
		switch (kind) {
			case WATERHEALER -> SpringApplication.run(WaterhealerApp.class, springArgs);
			case SPRING_BATCH -> SpringApplication.run(SpringBatchApp.class, springArgs);
			case SPRING_ASYNC -> SpringApplication.run(SpringAsyncApp.class, springArgs);
			case RAW -> rawLoop();
			case PARALLEL_CONSUMER -> parallelConsumer();
		}
		stopper.join();
	}

	private static String[] springArguments(Kind kind, List<String> extra) {
		List<String> args = new ArrayList<>(List.of("--spring.kafka.bootstrap-servers=" + property("bench.bootstrap"),
				"--spring.kafka.consumer.group-id=" + property("bench.group"),
				"--spring.kafka.consumer.auto-offset-reset=earliest",
				"--spring.kafka.consumer.key-deserializer=" + StringDeserializer.class.getName(),
				"--spring.kafka.consumer.value-deserializer=" + ByteArrayDeserializer.class.getName(),
				"--spring.kafka.consumer.max-poll-records=" + property("bench.maxPollRecords"),
				"--spring.main.web-application-type=none", "--spring.main.banner-mode=off",
				"--logging.level.root=WARN", "--logging.level.io.waterhealer.failures=OFF"));
		String sessionTimeout = System.getProperty("bench.sessionTimeoutMillis", "");
		if (!sessionTimeout.isEmpty()) {
			args.add("--spring.kafka.consumer.properties.session.timeout.ms=" + sessionTimeout);
			args.add("--spring.kafka.consumer.properties.heartbeat.interval.ms=" + Long.parseLong(sessionTimeout) / 3);
		}
		int parallelism = Integer.parseInt(property("bench.parallelism"));
		switch (kind) {
			case WATERHEALER -> args.addAll(List.of("--waterhealer.listener.parallelism=" + parallelism,
					"--waterhealer.listener.ordering=" + property("bench.ordering"),
					"--waterhealer.listener.commit-interval=" + property("bench.commitMillis") + "ms",
					"--waterhealer.retry.initial-interval=50ms", "--waterhealer.retry.max-interval=200ms",
					"--waterhealer.retry.max-attempts=-1"));
			case SPRING_BATCH -> args.addAll(List.of("--waterhealer.enabled=false",
					"--spring.kafka.listener.ack-mode=batch"));
			// async returns need MANUAL acks; async-acks lets them arrive out of order and defers commits past gaps
			case SPRING_ASYNC -> args.addAll(List.of("--waterhealer.enabled=false",
					"--spring.kafka.listener.ack-mode=manual", "--spring.kafka.listener.async-acks=true"));
			default -> {
			}
		}
		args.addAll(extra);
		return args.toArray(String[]::new);
	}

	private static void rawLoop() {
		long commitNanos = Duration.ofMillis(Long.parseLong(property("bench.commitMillis"))).toNanos();
		try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProperties())) {
			consumer.subscribe(List.of(property("bench.topic")));
			Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
			long lastCommit = System.nanoTime();
			while (true) {
				ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
				for (ConsumerRecord<String, byte[]> record : records) {
					PROBE.handle(record);
					pending.put(new TopicPartition(record.topic(), record.partition()),
							new OffsetAndMetadata(record.offset() + 1));
				}
				long now = System.nanoTime();
				if (!pending.isEmpty() && (records.isEmpty() || now - lastCommit >= commitNanos)) {
					consumer.commitAsync(new HashMap<>(pending), null);
					pending.clear();
					lastCommit = now;
				}
			}
		}
	}

	private static void parallelConsumer() {
		KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProperties());
		ParallelConsumerOptions<String, byte[]> options = ParallelConsumerOptions.<String, byte[]>builder()
			.consumer(consumer)
			.ordering(ProcessingOrder.valueOf(property("bench.ordering")))
			.maxConcurrency(Integer.parseInt(property("bench.parallelism")))
			.commitMode(CommitMode.PERIODIC_CONSUMER_ASYNCHRONOUS)
			.commitInterval(Duration.ofMillis(Long.parseLong(property("bench.commitMillis"))))
			.defaultMessageRetryDelay(Duration.ofMillis(100))
			.build();
		ParallelStreamProcessor<String, byte[]> processor = ParallelStreamProcessor.createEosStreamProcessor(options);
		processor.subscribe(List.of(property("bench.topic")));
		processor.poll((context) -> context.stream().forEach((record) -> PROBE.handle(record.getConsumerRecord())));
	}

	private static Properties consumerProperties() {
		Properties config = new Properties();
		config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, property("bench.bootstrap"));
		config.put(ConsumerConfig.GROUP_ID_CONFIG, property("bench.group"));
		config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
		config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.parseInt(property("bench.maxPollRecords")));
		config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
		config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
		String sessionTimeout = System.getProperty("bench.sessionTimeoutMillis", "");
		if (!sessionTimeout.isEmpty()) {
			config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.parseInt(sessionTimeout));
			config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Integer.parseInt(sessionTimeout) / 3);
		}
		return config;
	}

	private static String property(String name) {
		String value = System.getProperty(name);
		if (value == null) {
			throw new IllegalArgumentException("System property " + name + " is missing; the orchestrator sets it");
		}
		return value;
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class WaterhealerApp {

		@Bean
		HealingHandler healingHandler() {
			return new HealingHandler();
		}

	}

	/** The waterhealer contender: parallelism and ordering come from {@code waterhealer.listener.*}. */
	static class HealingHandler {

		@HealingListener(id = "bench", topics = "${bench.topic}")
		void handle(ConsumerRecord<String, byte[]> record) {
			PROBE.handle(record);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class SpringBatchApp {

		@Bean
		BatchHandler batchHandler() {
			return new BatchHandler();
		}

	}

	/** Plain spring-kafka: records one after the other on one consumer thread per partition. */
	static class BatchHandler {

		@KafkaListener(id = "bench", groupId = "${bench.group}", topics = "${bench.topic}",
				concurrency = "${bench.partitions}")
		void handle(ConsumerRecord<String, byte[]> record) {
			PROBE.handle(record);
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class SpringAsyncApp {

		@Bean(destroyMethod = "shutdownNow")
		ExecutorService benchPool() {
			return Executors.newFixedThreadPool(Integer.getInteger("bench.parallelism"));
		}

		@Bean
		AsyncHandler asyncHandler(ExecutorService benchPool) {
			return new AsyncHandler(benchPool);
		}

	}

	/** spring-kafka's async returns: the record is acknowledged when the future completes. */
	static class AsyncHandler {

		private final ExecutorService pool;

		AsyncHandler(ExecutorService pool) {
			this.pool = pool;
		}

		@KafkaListener(id = "bench", groupId = "${bench.group}", topics = "${bench.topic}",
				concurrency = "${bench.partitions}")
		CompletableFuture<Void> handle(ConsumerRecord<String, byte[]> record) {
			return CompletableFuture.runAsync(() -> PROBE.handle(record), this.pool);
		}

	}

}
