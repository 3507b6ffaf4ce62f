package io.waterhealer.bench.peers;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The peer benchmark with tiny sizes and one run, so that it cannot rot: the same orchestrator, broker process and
 * contender JVMs as {@link PeerBenchmark}, no JMH and no cost runs. Every contender of every workload must have
 * committed to the end offsets, the restart must skip the records the commit metadata names, and the result files
 * must be written. The figures themselves are not asserted: they mean nothing at this size.
 */
class PeerBenchmarkSmokeTest {

	@TempDir
	Path results;

	@Test
	@Timeout(value = 15, unit = TimeUnit.MINUTES)
	void everyContenderCommitsToTheEndAndTheResultsAreWritten() throws Exception {
		Map<String, String> options = Map.ofEntries(Map.entry("bench.runs", "1"),
				Map.entry("bench.w1.records", "2000"), Map.entry("bench.w2.records", "200"),
				Map.entry("bench.w2.sleepMillis", "1"), Map.entry("bench.w2.parallelism", "256"),
				Map.entry("bench.w3.records", "1001"), Map.entry("bench.jmh", "false"),
				Map.entry("bench.cost", "false"), Map.entry("bench.timeoutSeconds", "120"),
				Map.entry("bench.brokerHeap", "512m"), Map.entry("bench.virtualJava", "off"),
				// start-up dominates at this size: C1 only, one GC thread
				Map.entry("bench.jvmArgs", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m"),
				Map.entry("bench.results", this.results.toString()));
		BenchSettings settings = BenchSettings.from(options::get);

		PeerBenchmark.Outcome outcome = PeerBenchmark.run(settings);

		List<RunResult> runs = outcome.results();
		assertThat(runs).filteredOn((run) -> !run.ok()).isEmpty();
		assertThat(runs).filteredOn((run) -> run.workload().equals("W1"))
			.map(RunResult::contender)
			.containsExactlyElementsOf(PeerBenchmark.w1(settings).stream().map(Contender::label).toList());
		assertThat(runs).filteredOn((run) -> run.workload().equals("W2"))
			.map(RunResult::contender)
			.containsExactlyElementsOf(PeerBenchmark.w2(settings).stream().map(Contender::label).toList());
		assertThat(runs).filteredOn((run) -> run.workload().equals("W1") || run.workload().equals("W2"))
			.allSatisfy((run) -> {
				assertThat(run.processed()).isGreaterThanOrEqualTo(run.workload().equals("W1") ? 2000 : 200);
				assertThat(run.committedPerSecond()).isPositive();
				assertThat(run.cpuSeconds()).isPositive();
				assertThat(run.peakRssMb()).isPositive();
			});
		long completedBeyondStuck = 1001 - 1 - 5;
		assertThat(runs).filteredOn((run) -> run.workload().equals("W3")).hasSize(3).allSatisfy((run) -> {
			if (run.contender().contains("metadata off")) {
				assertThat(run.reprocessed()).isEqualTo(completedBeyondStuck);
			}
			else if (run.contender().startsWith("waterhealer")) {
				assertThat(run.reprocessed()).isLessThanOrEqualTo(completedBeyondStuck / 100);
			}
		});

		Path folder = outcome.folder();
		String markdown = Files.readString(folder.resolve("results.md"));
		assertThat(markdown).contains("## W1", "## W2", "## W3", "## Targets of issue 7", "cores", "JDK");
		assertThat(Files.readAllLines(folder.resolve("runs.csv"))).hasSize(runs.size() + 1);
		BufferedImage chart = ImageIO.read(folder.resolve("chart.png").toFile());
		assertThat(chart).isNotNull();
		assertThat(chart.getHeight()).isGreaterThan(100);
	}

}
