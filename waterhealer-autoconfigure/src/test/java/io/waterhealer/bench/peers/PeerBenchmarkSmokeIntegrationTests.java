package io.waterhealer.bench.peers;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The peer benchmark with tiny sizes and one run, so that it cannot rot: the same orchestrator, broker process and
 * contender JVMs as {@link PeerBenchmark}, no JMH and no cost runs. It asserts what the contenders did, read from the
 * broker and from the records' own offsets, not what the harness wrote about them: every contender of every workload
 * ran, its group is committed to the end offsets (AdminClient), every record of the topic reached a handler (each
 * child logs the offset of every record it handled; a count could hide a lost record behind a duplicate), and after
 * W3's SIGKILL the contenders that keep completed offsets in the commit metadata re-processed at most 1 % of the
 * records completed beyond the stuck one, while without metadata all of them are redone. The figures themselves are
 * not asserted: they mean nothing at this size.
 */
class PeerBenchmarkSmokeIntegrationTests {

	@TempDir
	Path results;

	@Test
	@Timeout(value = 15, unit = TimeUnit.MINUTES)
	void everyContenderCommitsToTheEndHandlesEveryRecordAndKeepsTheRestartBound() throws Exception {
		Map<String, String> options = Map.ofEntries(Map.entry("bench.runs", "1"),
				Map.entry("bench.w1.records", "2000"), Map.entry("bench.w2.records", "200"),
				Map.entry("bench.w2.sleepMillis", "1"), Map.entry("bench.w2.parallelism", "256"),
				Map.entry("bench.w3.records", "1001"), Map.entry("bench.jmh", "false"),
				Map.entry("bench.cost", "false"), Map.entry("bench.timeoutSeconds", "120"),
				Map.entry("bench.brokerHeap", "512m"), Map.entry("bench.virtualJava", "off"),
				Map.entry("bench.verifyRecords", "true"),
				// start-up dominates at this size: C1 only, one GC thread
				Map.entry("bench.jvmArgs", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m"),
				Map.entry("bench.results", this.results.toString()));
		BenchSettings settings = BenchSettings.from(options::get);

		List<RunResult> runs = PeerBenchmark.run(settings).results();

		assertThat(runs).filteredOn((run) -> run.workload().equals("W1"))
			.map(RunResult::contender)
			.containsExactlyElementsOf(PeerBenchmark.w1(settings).stream().map(Contender::label).toList());
		assertThat(runs).filteredOn((run) -> run.workload().equals("W2"))
			.map(RunResult::contender)
			.containsExactlyElementsOf(PeerBenchmark.w2(settings).stream().map(Contender::label).toList());
		assertThat(runs).filteredOn((run) -> run.workload().equals("W3"))
			.map(RunResult::contender)
			.containsExactlyElementsOf(PeerBenchmark.w3(settings).stream().map(Contender::label).toList());
		assertThat(runs).allSatisfy((run) -> {
			String who = run.workload() + " " + run.contender();
			assertThat(run.failure()).as(who).isNull();
			assertThat(run.behindEnd()).as("%s: records behind the end offsets in the committed offsets", who).isZero();
			assertThat(run.unhandled()).as("%s: records no handler saw", who).isZero();
		});
		assertThat(runs).filteredOn((run) -> !run.workload().equals("W3"))
			.allSatisfy((run) -> assertThat(run.processed()).as(run.contender())
				.isGreaterThanOrEqualTo(run.workload().equals("W1") ? 2000 : 200));
		long completedBeyondStuck = 1001 - 1 - 5;
		assertThat(runs).filteredOn((run) -> run.workload().equals("W3")).allSatisfy((run) -> {
			if (run.contender().contains("metadata off")) {
				assertThat(run.reprocessed()).as(run.contender()).isEqualTo(completedBeyondStuck);
			}
			else {
				assertThat(run.reprocessed()).as("%s: re-processed after the restart", run.contender())
					.isLessThanOrEqualTo(completedBeyondStuck / 100);
			}
		});
	}

}
