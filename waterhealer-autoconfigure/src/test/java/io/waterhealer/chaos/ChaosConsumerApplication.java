package io.waterhealer.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.waterhealer.HealingListener;
import io.waterhealer.kafka.worker.RetryTierHeaders;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The consumer of the chaos suite, run in its own JVM so that a test can kill it with SIGKILL. Each record it
 * completes is appended to {@code chaos.log} as {@code P topic partition offset key value} before the handler
 * returns; each transient failure it throws is appended as an {@code F} line. The append is a {@link FileChannel}
 * write, which hands the bytes to the operating system at once: SIGKILL ends the process but not the page cache,
 * so the file is a durable record of what was processed. {@code chaos.fail-percent} of the records (chosen from
 * {@code chaos.seed}, topic partition and offset) fail on their first attempt in each JVM and succeed when retried.
 * {@code chaos.work-micros} is the longest time a handler works on a record (uniformly random from 0).
 * {@code chaos.stuck-every} (0: none) makes every record whose offset is a multiple of it fail, offset 0 included,
 * until the file {@code chaos.release} exists: records stuck for as long as a test wants, with the others completing
 * around them (the first failure of each is logged as an {@code F} line).
 * {@code chaos.fail-first} (0: none) makes every record fail its first that many attempts, counted over its trips
 * through retry tiers (the {@code waterhealer-retry-attempts} header) plus this JVM's attempts at the copy it holds;
 * with {@code waterhealer.retry.topics} it makes records wait on the tiers. A record from a tier is logged with its
 * original coordinates, so that the log is checked against what was produced to the listener's topic.
 * Ordering and everything else come from {@code waterhealer.*} properties (the default ordering is KEY).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class ChaosConsumerApplication {

	public static void main(String[] args) {
		SpringApplication.run(ChaosConsumerApplication.class, args);
	}

	@Bean
	Handler chaosHandler(@Value("${chaos.log}") String log, @Value("${chaos.fail-percent:0}") int failPercent,
			@Value("${chaos.seed:0}") long seed, @Value("${chaos.work-micros:0}") long workMicros,
			@Value("${chaos.stuck-every:0}") long stuckEvery, @Value("${chaos.release:}") String release,
			@Value("${chaos.fail-first:0}") int failFirst) throws IOException {
		Handler handler = new Handler(FileChannel.open(Path.of(log), StandardOpenOption.CREATE,
				StandardOpenOption.WRITE, StandardOpenOption.APPEND), failPercent, seed, workMicros);
		handler.stuckUntil(stuckEvery, release.isEmpty() ? null : Path.of(release));
		handler.failFirst = failFirst;
		return handler;
	}

	/** Decides the transient failures and writes the durable record. */
	static class Handler {

		private final FileChannel log;

		private final int failPercent;

		private final long seed;

		private final Set<String> failedOnce = ConcurrentHashMap.newKeySet();

		private final long workMicros;

		private long stuckEvery;

		private @Nullable Path release;

		private volatile boolean released;

		private int failFirst;

		private final Map<String, AtomicInteger> attemptsHere = new ConcurrentHashMap<>();

		Handler(FileChannel log, int failPercent, long seed, long workMicros) {
			this.workMicros = workMicros;
			this.log = log;
			this.failPercent = failPercent;
			this.seed = seed;
		}

		void stuckUntil(long every, @Nullable Path releaseFile) {
			this.stuckEvery = every;
			this.release = releaseFile;
		}

		@HealingListener(id = "chaos", topics = "${chaos.topic}")
		void handle(ConsumerRecord<String, String> record) {
			String coordinates = record.topic() + " " + record.partition() + " " + record.offset();
			if (stuck(record.offset())) {
				if (this.failedOnce.add(coordinates)) {
					append("F " + coordinates);
				}
				throw new IllegalStateException(coordinates + " is stuck until " + this.release + " exists (chaos test)");
			}
			if (this.failFirst > 0) {
				AtomicInteger here = this.attemptsHere.computeIfAbsent(coordinates, (key) -> new AtomicInteger());
				long before = RetryTierHeaders.number(record.headers(), RetryTierHeaders.ATTEMPTS, 0) + here.get();
				if (before < this.failFirst) {
					here.incrementAndGet();
					append("F " + coordinates);
					throw new IllegalStateException("attempt " + (before + 1) + " of " + coordinates + " fails");
				}
			}
			if (failsOnce(record.partition(), record.offset()) && this.failedOnce.add(coordinates)) {
				append("F " + coordinates);
				throw new IllegalStateException("transient failure of " + coordinates + " (chaos test)");
			}
			if (this.workMicros > 0) {
				// the handler's own work, so that records are in flight when the JVM is killed
				LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(this.workMicros * 1000L));
			}
			append("P " + original(record) + " " + record.key() + " " + record.value());
		}

		/** The coordinates a record had on the listener's topic, before any retry tier. */
		private static String original(ConsumerRecord<String, String> record) {
			String topic = RetryTierHeaders.text(record.headers(), RetryTierHeaders.ORIGINAL_TOPIC);
			if (topic == null) {
				return record.topic() + " " + record.partition() + " " + record.offset();
			}
			return topic + " " + RetryTierHeaders.number(record.headers(), RetryTierHeaders.ORIGINAL_PARTITION, -1)
					+ " " + RetryTierHeaders.number(record.headers(), RetryTierHeaders.ORIGINAL_OFFSET, -1);
		}

		static boolean failsOnce(long seed, int failPercent, int partition, long offset) {
			long mixed = (seed ^ (partition * 0x9E3779B97F4A7C15L)) + offset * 0xBF58476D1CE4E5B9L;
			mixed = (mixed ^ (mixed >>> 31)) * 0x94D049BB133111EBL;
			return Math.floorMod(mixed ^ (mixed >>> 29), 100) < failPercent;
		}

		private boolean stuck(long offset) {
			if (this.stuckEvery <= 0 || this.released || offset % this.stuckEvery != 0) {
				return false;
			}
			this.released = this.release != null && Files.exists(this.release);
			return !this.released;
		}

		private boolean failsOnce(int partition, long offset) {
			return failsOnce(this.seed, this.failPercent, partition, offset);
		}

		private void append(String line) {
			ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
			synchronized (this.log) {
				try {
					while (bytes.hasRemaining()) {
						this.log.write(bytes);
					}
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
		}

	}

}
