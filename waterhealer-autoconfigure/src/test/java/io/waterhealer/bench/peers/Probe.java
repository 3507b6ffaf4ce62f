package io.waterhealer.bench.peers;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The handler every contender calls for each record, so that all of them do exactly the same work: sleep for the
 * workload's time (W2), fail forever on the stuck offset (W3, first life), append the offset to a log file (W3), and
 * note the first record, the count and the moment the expected number of records was reached. The orchestrator reads
 * those from the child's standard output ({@link #report()}).
 */
final class Probe {

	private final long sleepMillis;

	private final long failOffset;

	private final long expected;

	private final OutputStream log;

	private final AtomicLong processed = new AtomicLong();

	private final AtomicLong firstMicros = new AtomicLong();

	private volatile long lastMicros;

	Probe(long sleepMillis, long failOffset, long expected, String logFile) {
		this.sleepMillis = sleepMillis;
		this.failOffset = failOffset;
		this.expected = expected;
		try {
			this.log = logFile.isEmpty() ? null : new FileOutputStream(logFile, true);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static Probe fromSystemProperties() {
		return new Probe(Long.getLong("bench.sleepMillis", 0), Long.getLong("bench.failOffset", -1),
				Long.getLong("bench.expected", Long.MAX_VALUE), System.getProperty("bench.log", ""));
	}

	void handle(ConsumerRecord<?, ?> record) {
		if (this.firstMicros.get() == 0 && this.firstMicros.compareAndSet(0, nowMicros())) {
			System.out.println("BENCH first=" + this.firstMicros.get());
		}
		if (record.offset() == this.failOffset) {
			throw new IllegalStateException("offset " + this.failOffset + " is stuck (W3)");
		}
		if (this.sleepMillis > 0) {
			try {
				Thread.sleep(this.sleepMillis);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
		if (this.log != null) {
			byte[] line = (record.partition() + ":" + record.offset() + "\n").getBytes(StandardCharsets.US_ASCII);
			synchronized (this.log) {
				try {
					this.log.write(line);
					this.log.flush();
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
		}
		if (this.processed.incrementAndGet() == this.expected) {
			this.lastMicros = nowMicros();
		}
	}

	/** Waits for a line on standard input (the orchestrator's "stop"), then reports and halts the JVM. */
	void reportOnStopAndHalt() {
		try {
			System.in.read();
		}
		catch (IOException ex) {
			// the orchestrator went away: report anyway
		}
		System.out.println(report());
		System.out.flush();
		Runtime.getRuntime().halt(0);
	}

	/** One line: records processed, first and expected-th record (epoch µs), CPU ms and peak RSS kB of this JVM. */
	String report() {
		long cpuMillis = ProcessHandle.current().info().totalCpuDuration().map((d) -> d.toMillis()).orElse(-1L);
		return "BENCH done processed=" + this.processed.get() + " first=" + this.firstMicros.get() + " last="
				+ this.lastMicros + " cpuMillis=" + cpuMillis + " peakRssKb=" + peakRssKb();
	}

	static long peakRssKb() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
				if (line.startsWith("VmHWM:")) {
					return Long.parseLong(line.replaceAll("[^0-9]", ""));
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// not Linux: no figure
		}
		return -1;
	}

	static long nowMicros() {
		return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
	}

}
