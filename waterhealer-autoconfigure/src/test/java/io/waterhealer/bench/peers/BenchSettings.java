package io.waterhealer.bench.peers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * The sizes and switches of one benchmark invocation, read from system properties ({@code -Dbench.*}); the defaults
 * are issue 7's workloads with 3 runs.
 *
 * @param runs runs of each contender; the table shows medians
 * @param workloads which of {@code w1}, {@code w2}, {@code w3} run
 * @param w1Records records of W1 (no-op handler)
 * @param w1Partitions partitions of W1
 * @param w1Parallelism parallelism of waterhealer, the async pool and Parallel Consumer in W1
 * @param w2Records records of W2 (handler sleeps)
 * @param w2Partitions partitions of W2
 * @param w2SleepMillis time each W2 record's handler sleeps
 * @param w2Parallelism waterhealer's parallelism values in W2
 * @param w2PeerConcurrency concurrency of the async pool and Parallel Consumer in W2
 * @param w3Records records of W3 (one partition), the stuck one included
 * @param w3Stuck the offset that keeps failing in W3's first life
 * @param keys distinct record keys of W1 and W2
 * @param commitMillis commit interval of the contenders that have one
 * @param maxPollRecords {@code max.poll.records} of every contender
 * @param timeoutSeconds longest time one contender run may take before it is reported as failed
 * @param jvmArgs JVM options of every contender's JVM
 * @param waterhealerArgs extra Spring arguments ({@code --name=value}) for the waterhealer children only
 * @param virtualJava a Java 21+ executable for the virtual-threads variant; empty to skip it (option {@code auto},
 * the default: this JVM if it is 21+, else {@value #JDK25} if it exists; {@code off} to skip)
 * @param virtualArgs Spring arguments that switch waterhealer's workers to virtual threads
 * @param jmh whether the ledger microbenchmark runs
 * @param cost whether the metrics and checkpoint cost runs
 * @param costRecords records of each cost run
 * @param costRounds measured pairs of each cost run
 * @param results folder under which a folder per invocation is written
 * @param brokerHeap heap of the broker's JVM
 * @param springArgs extra Spring arguments for the spring-kafka children (BATCH and async acks)
 * @param verifyRecords whether W1 and W2 children log every handled offset, so that a run counts the records no
 * handler saw ({@code bench.verifyRecords}; off by default: the log costs time the figures should not include)
 */
record BenchSettings(int runs, Set<String> workloads, int w1Records, int w1Partitions, int w1Parallelism,
		int w2Records, int w2Partitions, int w2SleepMillis, List<Integer> w2Parallelism, int w2PeerConcurrency,
		int w3Records, int w3Stuck, int keys, int commitMillis, int maxPollRecords, int timeoutSeconds,
		List<String> jvmArgs, List<String> waterhealerArgs, String virtualJava, List<String> virtualArgs, boolean jmh,
		boolean cost, int costRecords, int costRounds, Path results, String brokerHeap, List<String> springArgs,
		boolean verifyRecords) {

	static BenchSettings fromSystemProperties() {
		return from(System::getProperty);
	}

	/** The settings from a lookup of {@code bench.*} names (null or empty: the default). */
	static BenchSettings from(UnaryOperator<String> lookup) {
		return new BenchSettings(integer(lookup, "bench.runs", 3),
				Set.copyOf(words(string(lookup, "bench.workloads", "w1,w2,w3"))),
				integer(lookup, "bench.w1.records", 1_000_000), integer(lookup, "bench.w1.partitions", 6),
				integer(lookup, "bench.w1.parallelism", 64), integer(lookup, "bench.w2.records", 20_000),
				integer(lookup, "bench.w2.partitions", 3), integer(lookup, "bench.w2.sleepMillis", 5),
				words(string(lookup, "bench.w2.parallelism", "16,64,256")).stream().map(Integer::valueOf).toList(),
				integer(lookup, "bench.w2.peerConcurrency", 256), integer(lookup, "bench.w3.records", 10_001),
				integer(lookup, "bench.w3.stuck", 5), integer(lookup, "bench.keys", 1_000),
				integer(lookup, "bench.commitMillis", 100), integer(lookup, "bench.maxPollRecords", 500),
				integer(lookup, "bench.timeoutSeconds", 300), spaced(string(lookup, "bench.jvmArgs", "")),
				spaced(string(lookup, "bench.waterhealerArgs", "")), virtualJava(string(lookup, "bench.virtualJava", "auto")),
				spaced(string(lookup, "bench.virtualArgs", "--spring.threads.virtual.enabled=true")),
				Boolean.parseBoolean(string(lookup, "bench.jmh", "true")),
				Boolean.parseBoolean(string(lookup, "bench.cost", "true")),
				integer(lookup, "bench.cost.records", 1_000_000), integer(lookup, "bench.cost.rounds", 3),
				Path.of(string(lookup, "bench.results", "target/benchmark-results")),
				string(lookup, "bench.brokerHeap", "1g"), spaced(string(lookup, "bench.springArgs", "")),
				Boolean.parseBoolean(string(lookup, "bench.verifyRecords", "false")));
	}

	boolean runs(String workload) {
		return this.workloads.contains(workload);
	}

	/** The settings as {@code name=value} lines for the report. */
	String describe() {
		return String.join("\n", "runs=" + this.runs, "workloads=" + this.workloads.stream().sorted().toList(),
				"W1: " + this.w1Records + " records, " + this.w1Partitions + " partitions, parallelism "
						+ this.w1Parallelism,
				"W2: " + this.w2Records + " records, " + this.w2Partitions + " partitions, handler sleeps "
						+ this.w2SleepMillis + " ms, waterhealer parallelism " + this.w2Parallelism
						+ ", peer concurrency " + this.w2PeerConcurrency,
				"W3: " + this.w3Records + " records, offset " + this.w3Stuck + " stuck", "keys=" + this.keys,
				"commit interval=" + this.commitMillis + " ms, max.poll.records=" + this.maxPollRecords
						+ ", timeout per run=" + this.timeoutSeconds + " s",
				"contender JVM options=" + this.jvmArgs, "extra waterhealer arguments=" + this.waterhealerArgs,
				"extra spring-kafka arguments=" + this.springArgs,
				"virtual threads variant=" + (this.virtualJava.isEmpty() ? "off" : this.virtualJava + " " + this.virtualArgs));
	}

	static final String JDK25 = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java";

	private static String virtualJava(String option) {
		if (option.equals("off")) {
			return "";
		}
		if (!option.equals("auto")) {
			return option;
		}
		if (Runtime.version().feature() >= 21) {
			return BenchBroker.javaExecutable();
		}
		return Files.isExecutable(Path.of(JDK25)) ? JDK25 : "";
	}

	/** Empty counts as unset, because the Maven profile passes every {@code bench.*} property, set or not. */
	private static String string(UnaryOperator<String> lookup, String name, String defaultValue) {
		String value = lookup.apply(name);
		return (value == null || value.isBlank()) ? defaultValue : value.trim();
	}

	private static int integer(UnaryOperator<String> lookup, String name, int defaultValue) {
		String value = string(lookup, name, "");
		try {
			return value.isEmpty() ? defaultValue : Integer.parseInt(value.replace("_", ""));
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("-D" + name + "=" + value + " is not a whole number; give one such as "
					+ defaultValue, ex);
		}
	}

	private static List<String> words(String value) {
		return Arrays.stream(value.split(",")).map(String::trim).filter((word) -> !word.isEmpty()).toList();
	}

	private static List<String> spaced(String value) {
		return Arrays.stream(value.trim().split("\\s+")).filter((word) -> !word.isEmpty())
			.collect(Collectors.toList());
	}

}
