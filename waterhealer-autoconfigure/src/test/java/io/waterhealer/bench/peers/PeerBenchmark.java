package io.waterhealer.bench.peers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.waterhealer.bench.MetricsCostBenchmark;
import io.waterhealer.bench.peers.ContenderMain.Kind;
import io.waterhealer.ledger.LedgerBenchmarkMain;

/**
 * Issue 7's peer benchmark in one command: a Kafka broker in its own JVM on loopback, the workloads produced once,
 * every contender run as its own JVM from the test classpath on a fresh consumer group, N runs round-robin, then the
 * ledger microbenchmark and the metrics and checkpoint cost as child processes; a markdown table, a CSV of every run
 * and a PNG chart are written to {@code target/benchmark-results/<time>/}.
 * <p>
 * {@code ./mvnw -q -B -pl waterhealer-autoconfigure -Pbenchmark test-compile exec:exec
 * -Dbenchmark.main=io.waterhealer.bench.peers.PeerBenchmark} with {@code -Dbench.*} options ({@link BenchSettings}).
 */
public final class PeerBenchmark {

	private PeerBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		Path folder = run(BenchSettings.fromSystemProperties()).folder();
		System.out.println();
		System.out.println(Files.readString(folder.resolve("results.md")));
		System.out.println("Results: " + folder.toAbsolutePath());
	}

	/** What one invocation measured and where it wrote its results. */
	record Outcome(Path folder, List<RunResult> results) {
	}

	/** Runs everything the settings ask for. */
	static Outcome run(BenchSettings settings) throws Exception {
		String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(ZonedDateTime.now(ZoneOffset.UTC));
		Path folder = settings.results().resolve(stamp);
		Path logs = Files.createDirectories(folder.resolve("logs"));
		Report report = new Report(settings, MachineInfo.describe());
		List<RunResult> results = new ArrayList<>();
		try (BenchBroker broker = BenchBroker.start(folder.resolve("broker"), settings.brokerHeap());
				WorkloadRunner runner = new WorkloadRunner(broker.bootstrapServers(), settings, logs)) {
			System.out.println("Broker " + broker.bootstrapServers() + " (pid " + broker.pid() + ")");
			if (settings.runs("w1")) {
				runner.produce("w1", settings.w1Partitions(), settings.w1Records(), settings.keys());
			}
			if (settings.runs("w2")) {
				runner.produce("w2", settings.w2Partitions(), settings.w2Records(), settings.keys());
			}
			for (int run = 1; run <= settings.runs(); run++) {
				if (settings.runs("w1")) {
					for (Contender contender : w1(settings)) {
						results.add(print(runner.throughput("W1", "w1", settings.w1Records(), 0, contender, run)));
					}
				}
				if (settings.runs("w2")) {
					for (Contender contender : w2(settings)) {
						results.add(print(runner.throughput("W2", "w2", settings.w2Records(),
								settings.w2SleepMillis(), contender, run)));
					}
				}
				if (settings.runs("w3")) {
					for (Contender contender : w3(settings)) {
						results.add(print(runner.restart(contender, run)));
					}
				}
			}
		}
		report.results(results);
		if (settings.jmh()) {
			report.extra("Ledger microbenchmark (JMH, `LedgerBenchmarkMain`)",
					child(folder.resolve("ledger-jmh.txt"), List.of("-Xms1g", "-Xmx1g"),
							LedgerBenchmarkMain.class.getName(), "=== Offset ledger benchmark summary ==="));
		}
		if (settings.cost()) {
			for (String toggle : List.of("metrics", "checkpoint")) {
				report.extra("Cost of " + toggle + " (`MetricsCostBenchmark -Dbench.toggle=" + toggle + "`)",
						child(folder.resolve("cost-" + toggle + ".txt"),
								List.of("-Xms2g", "-Xmx2g", "-Dbench.toggle=" + toggle,
										"-Dbench.records=" + settings.costRecords(),
										"-Dbench.rounds=" + settings.costRounds()),
								MetricsCostBenchmark.class.getName(), toggle + " cost"));
			}
		}
		report.write(folder);
		return new Outcome(folder, List.copyOf(results));
	}

	static List<Contender> w1(BenchSettings settings) {
		int p = settings.w1Parallelism();
		List<Contender> contenders = new ArrayList<>(List.of(waterhealer(settings, "KEY", p),
				waterhealer(settings, "UNORDERED", p), spring(settings, "spring-kafka BATCH", Kind.SPRING_BATCH, 1),
				spring(settings, "spring-kafka async acks, pool " + p, Kind.SPRING_ASYNC, p),
				peer("raw KafkaConsumer loop", Kind.RAW, "", 1),
				peer("Parallel Consumer UNORDERED " + p, Kind.PARALLEL_CONSUMER, "UNORDERED", p),
				peer("Parallel Consumer KEY " + p, Kind.PARALLEL_CONSUMER, "KEY", p)));
		if (!settings.virtualJava().isEmpty()) {
			contenders.add(virtual(settings, waterhealer(settings, "KEY", p)));
		}
		return contenders;
	}

	static List<Contender> w2(BenchSettings settings) {
		int c = settings.w2PeerConcurrency();
		List<Contender> contenders = new ArrayList<>();
		for (int parallelism : settings.w2Parallelism()) {
			contenders.add(waterhealer(settings, "KEY", parallelism));
			contenders.add(waterhealer(settings, "UNORDERED", parallelism));
		}
		contenders.addAll(List.of(spring(settings, "spring-kafka BATCH (sequential)", Kind.SPRING_BATCH, 1),
				spring(settings, "spring-kafka async acks, pool " + c, Kind.SPRING_ASYNC, c),
				peer("Parallel Consumer UNORDERED " + c, Kind.PARALLEL_CONSUMER, "UNORDERED", c),
				peer("Parallel Consumer KEY " + c, Kind.PARALLEL_CONSUMER, "KEY", c)));
		if (!settings.virtualJava().isEmpty()) {
			int top = settings.w2Parallelism().get(settings.w2Parallelism().size() - 1);
			contenders.add(virtual(settings, waterhealer(settings, "KEY", top)));
			contenders.add(virtual(settings, waterhealer(settings, "UNORDERED", top)));
		}
		return contenders;
	}

	/**
	 * W3 runs where a contender can complete records beyond a stuck one. spring-kafka BATCH and the raw loop process
	 * a partition in order, so nothing completes beyond a stuck record; spring-kafka's async acks pause the consumer
	 * until every record of the previous poll is acknowledged and commit no metadata, so it cannot get past one
	 * poll's worth either, and what it did would all be redone (as waterhealer with metadata off shows).
	 */
	static List<Contender> w3(BenchSettings settings) {
		int p = settings.w1Parallelism();
		Contender metadataOff = waterhealer(settings, "UNORDERED", p);
		List<String> off = new ArrayList<>(metadataOff.arguments());
		off.add("--waterhealer.listener.metadata-max-bytes=0");
		return List.of(waterhealer(settings, "UNORDERED", p),
				new Contender("waterhealer UNORDERED " + p + ", metadata off",
						Kind.WATERHEALER, "UNORDERED", p, BenchBroker.javaExecutable(), off),
				peer("Parallel Consumer UNORDERED " + p, Kind.PARALLEL_CONSUMER, "UNORDERED", p));
	}

	static final String W3_NOT_RUN = "Not run in W3: spring-kafka BATCH and the raw loop (a partition is processed in "
			+ "order, so nothing completes beyond a stuck record); spring-kafka async acks (the consumer is paused "
			+ "until every record of the previous poll is acknowledged, so at most one poll completes beyond the stuck "
			+ "record, and commits carry no metadata, so all of it is redone, as in the 'metadata off' row, which is what spring-kafka and water-healer do).";

	private static Contender waterhealer(BenchSettings settings, String ordering, int parallelism) {
		return new Contender("waterhealer " + ordering + " " + parallelism, Kind.WATERHEALER, ordering, parallelism,
				BenchBroker.javaExecutable(), settings.waterhealerArgs());
	}

	private static Contender peer(String label, Kind kind, String ordering, int parallelism) {
		return new Contender(label, kind, ordering, parallelism, BenchBroker.javaExecutable(), List.of());
	}

	private static Contender spring(BenchSettings settings, String label, Kind kind, int parallelism) {
		return new Contender(label, kind, "", parallelism, BenchBroker.javaExecutable(), settings.springArgs());
	}

	/** The virtual-threads variant: a Java 21+ child with the switch in {@code bench.virtualArgs}. */
	private static Contender virtual(BenchSettings settings, Contender base) {
		List<String> arguments = new ArrayList<>(base.arguments());
		arguments.addAll(settings.virtualArgs());
		return new Contender(base.label() + " virtual threads", base.kind(), base.ordering(), base.parallelism(),
				settings.virtualJava(), arguments);
	}

	private static final long STARTED = System.nanoTime();

	private static RunResult print(RunResult result) {
		System.out.printf("[%4d s] ", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - STARTED));
		if (result.ok() && result.reprocessed() >= 0) {
			System.out.printf("%s run %d %-60s re-processed %,d%n", result.workload(), result.run(),
					result.contender(), result.reprocessed());
		}
		else if (result.ok()) {
			System.out.printf("%s run %d %-60s committed %,10.0f rec/s, processed %,10.0f rec/s, CPU %.1f s, "
					+ "peak RSS %.0f MB%n", result.workload(), result.run(), result.contender(),
					result.committedPerSecond(), result.processedPerSecond(), result.cpuSeconds(), result.peakRssMb());
		}
		else {
			System.out.printf("%s run %d %-60s FAILED: %s%n", result.workload(), result.run(), result.contender(),
					result.failure());
		}
		return result;
	}

	/** Runs a benchmark main in its own JVM; returns the part of its output from the marker on (or why it failed). */
	private static String child(Path output, List<String> jvmArgs, String mainClass, String marker) throws Exception {
		List<String> command = new ArrayList<>(List.of(BenchBroker.javaExecutable(), "-Djdk.attach.allowAttachSelf=true"));
		command.addAll(jvmArgs);
		command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
		System.out.println("Running " + mainClass + " " + jvmArgs + " (output in " + output + ")");
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
		if (!process.waitFor(30, TimeUnit.MINUTES)) {
			process.destroyForcibly();
			return "failed: did not end within 30 minutes";
		}
		String text = Files.readString(output);
		int at = text.indexOf(marker);
		if (process.exitValue() != 0 || at < 0) {
			return "failed: exit status " + process.exitValue() + ", see " + output;
		}
		// the summary, without the log lines (time-stamped) that follow it
		StringBuilder summary = new StringBuilder();
		for (String line : text.substring(at).split("\n")) {
			if (line.matches("^\\d{4}-\\d\\d-\\d\\dT.*")) {
				break;
			}
			summary.append(line).append('\n');
		}
		return summary.toString().strip();
	}

}
