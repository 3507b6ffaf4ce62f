package io.waterhealer.ledger;

import java.lang.management.ManagementFactory;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.waterhealer.ledger.bench.LedgerBenchmark;
import io.waterhealer.ledger.bench.LedgerContentionBenchmark;
import io.waterhealer.ledger.bench.LedgerFootprint;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the offset ledger's speed and memory benchmarks and prints their figures against the targets: at least 10
 * million records per second on one thread, no allocation per record, at most 16 bytes per tracked offset.
 * <p>
 * It is a {@code main} rather than a test because speed targets belong in printed figures a person reads, not in
 * timed assertions that fail on a busy CI machine. Run it with
 * {@code ./mvnw -pl waterhealer-autoconfigure -Pbenchmark test-compile exec:exec}; the profile starts the
 * {@code java} found on the {@code PATH}, and JMH forks that same JVM. The iterations are short (the whole run takes
 * about a minute and a half) so that it is cheap to re-run after a change to the ledger; the error columns and the
 * load averages printed before and after say how far to trust one run.
 */
public final class LedgerBenchmarkMain {

	static final double TARGET_OPS_PER_SECOND = 10_000_000;

	static final double TARGET_BYTES_PER_OFFSET = 16;

	private static final String ALLOCATION = "gc.alloc.rate.norm";

	private LedgerBenchmarkMain() {
	}

	public static void main(String[] args) throws RunnerException {
		String started = machine();
		List<LedgerFootprint.Row> footprint = LedgerFootprint.measure();
		Options options = new OptionsBuilder()
			.include("^" + LedgerBenchmark.class.getName() + "\\.")
			.include("^" + LedgerContentionBenchmark.class.getName() + "\\.")
			.forks(1)
			.warmupIterations(3)
			.warmupTime(TimeValue.seconds(1))
			.measurementIterations(5)
			.measurementTime(TimeValue.seconds(2))
			.jvmArgsAppend("-Xms1g", "-Xmx1g")
			.addProfiler(GCProfiler.class)
			.build();
		Collection<RunResult> results = new Runner(options).run();
		System.out.println();
		System.out.println("=== Offset ledger benchmark summary ===");
		System.out.println("before: " + started);
		System.out.println("after:  " + machine());
		System.out.println();
		printSpeed(results);
		System.out.println();
		printFootprint(footprint);
	}

	/** The JVM, the cores and the load, because a figure from a busy 2-core machine means little without them. */
	private static String machine() {
		Runtime runtime = Runtime.getRuntime();
		return String.format(Locale.ROOT, "%s, %s %s (%s), %d cores, load average %.2f, %s",
				DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(ZonedDateTime.now().withNano(0)),
				System.getProperty("java.vm.name"), System.getProperty("java.vm.version"),
				System.getProperty("java.home"), runtime.availableProcessors(),
				ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), System.getProperty("os.name"));
	}

	private static void printSpeed(Collection<RunResult> results) {
		String format = "%-52s %16s %12s %10s %s%n";
		System.out.printf(Locale.ROOT, format, "scenario (1 op = handOut + complete + position)", "ops/s",
				"± (99.9%)", "B/op", "target >= 10M ops/s, 0 B/op");
		List<RunResult> sorted = new ArrayList<>(results);
		sorted.sort(Comparator.comparing((RunResult result) -> result.getParams().getBenchmark()));
		for (RunResult result : sorted) {
			String name = result.getParams().getBenchmark();
			String method = name.substring(name.lastIndexOf('.') + 1);
			Map<String, Result> secondary = result.getSecondaryResults();
			Result allocation = secondary.get(ALLOCATION);
			String bytesPerOp = (allocation != null) ? String.format(Locale.ROOT, "%.3f", allocation.getScore())
					: "n/a";
			if (name.startsWith(LedgerContentionBenchmark.class.getName())) {
				// a group: the primary score sums both threads' calls, each record is one call of each method
				Result records = secondary.get("complete");
				Result handOuts = secondary.get("handOut");
				if (records != null) {
					System.out.printf(Locale.ROOT, format, method + " (2 threads: handOut | complete) records/s",
							ops(records.getScore()), ops(records.getScoreError()), bytesPerOp,
							"contention only, not the 1-thread target; B/op is per call of either method");
				}
				if (handOuts != null) {
					System.out.printf(Locale.ROOT, format, "  of which handOut calls/s", ops(handOuts.getScore()),
							ops(handOuts.getScoreError()), "", "");
				}
				continue;
			}
			Result primary = result.getPrimaryResult();
			boolean fast = primary.getScore() >= TARGET_OPS_PER_SECOND;
			boolean allocationFree = allocation != null && allocation.getScore() < 0.01;
			System.out.printf(Locale.ROOT, format, method, ops(primary.getScore()), ops(primary.getScoreError()),
					bytesPerOp, (fast ? "speed met" : "SPEED MISSED") + ", "
							+ (allocationFree ? "no allocation" : "ALLOCATES"));
		}
	}

	private static void printFootprint(List<LedgerFootprint.Row> rows) {
		String format = "%-52s %10s %10s %12s %10s %s%n";
		System.out.printf(Locale.ROOT, format, "footprint (JOL GraphLayout.totalSize)", "tracked", "pending",
				"bytes", "B/offset", "target <= 16 B/offset");
		for (LedgerFootprint.Row row : rows) {
			String verdict = (row.bytesPerTrackedOffset() <= TARGET_BYTES_PER_OFFSET) ? "met" : "MISSED";
			System.out.printf(Locale.ROOT, format, row.scenario(), row.tracked(), row.incomplete(), row.totalBytes(),
					String.format(Locale.ROOT, "%.3f", row.bytesPerTrackedOffset()),
					row.peak() ? verdict : "(rings kept from the peak window: " + verdict + ")");
		}
	}

	private static String ops(double opsPerSecond) {
		return String.format(Locale.ROOT, "%,.0f", opsPerSecond);
	}

}
