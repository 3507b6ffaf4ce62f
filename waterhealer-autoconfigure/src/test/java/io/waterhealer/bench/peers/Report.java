package io.waterhealer.bench.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Turns the runs into {@code results.md} (medians, ratios, CPU, RSS, the targets), {@code runs.csv} (every
 * run) and {@code chart.png} ({@link Chart}).
 */
final class Report {

	private final BenchSettings settings;

	private final String machineBefore;

	private final List<RunResult> results = new ArrayList<>();

	private final Map<String, String> extras = new LinkedHashMap<>();

	Report(BenchSettings settings, String machineBefore) {
		this.settings = settings;
		this.machineBefore = machineBefore;
	}

	void results(List<RunResult> runs) {
		this.results.addAll(runs);
	}

	void extra(String title, String text) {
		this.extras.put(title, text);
	}

	/** Medians of the successful runs of each contender, in the order the contenders ran. */
	Map<String, Row> rows(String workload) {
		Map<String, List<RunResult>> byContender = this.results.stream()
			.filter((r) -> r.workload().equals(workload))
			.collect(Collectors.groupingBy(RunResult::contender, LinkedHashMap::new, Collectors.toList()));
		Map<String, Row> rows = new LinkedHashMap<>();
		byContender.forEach((contender, runs) -> rows.put(contender, Row.of(contender, runs)));
		return rows;
	}

	void write(Path folder) throws IOException {
		StringBuilder md = new StringBuilder();
		md.append("# waterhealer peer benchmark\n\n");
		md.append("- Machine (start): ").append(this.machineBefore).append('\n');
		md.append("- Machine (end): load average ")
			.append(String.format(Locale.ROOT, "%.2f", MachineInfo.loadAverage()))
			.append('\n');
		md.append("- Broker: Kafka (kafka.Kafka from the test classpath), single KRaft node on 127.0.0.1, own JVM, heap ").append(this.settings.brokerHeap()).append('\n');
		md.append("- Settings:\n");
		for (String line : this.settings.describe().split("\n")) {
			md.append("  - ").append(line).append('\n');
		}
		md.append("- Committed rec/s = records / (every partition committed to its end offset, seen by the AdminClient "
				+ "polling every 20 ms - first record handed to the handler). Processed rec/s = records / (the last "
				+ "expected record handled - the first). Commit tail = end of commits - last record handled. CPU and "
				+ "peak RSS (VmHWM) are the contender's JVM, Spring start-up included. Medians of the successful runs.\n\n");
		String[] w1Refs = { "waterhealer KEY " + this.settings.w1Parallelism(),
				"waterhealer UNORDERED " + this.settings.w1Parallelism() };
		int top = this.settings.w2Parallelism().isEmpty() ? 0
				: this.settings.w2Parallelism().get(this.settings.w2Parallelism().size() - 1);
		String[] w2Refs = { "waterhealer KEY " + top, "waterhealer UNORDERED " + top };
		if (this.settings.runs("w1")) {
			md.append("## W1: ").append(String.format(Locale.ROOT, "%,d", this.settings.w1Records()))
				.append(" records, ").append(this.settings.w1Partitions()).append(" partitions, no-op handler\n\n");
			throughputTable(md, rows("W1"), w1Refs);
		}
		if (this.settings.runs("w2")) {
			md.append("## W2: ").append(String.format(Locale.ROOT, "%,d", this.settings.w2Records()))
				.append(" keyed records, ").append(this.settings.w2Partitions()).append(" partitions, handler sleeps ")
				.append(this.settings.w2SleepMillis()).append(" ms\n\n");
			throughputTable(md, rows("W2"), w2Refs);
		}
		if (this.settings.runs("w3")) {
			long completed = this.settings.w3Records() - 1 - this.settings.w3Stuck();
			md.append("## W3: restart after SIGKILL, offset ").append(this.settings.w3Stuck()).append(" stuck, ")
				.append(completed).append(" completed beyond it\n\n");
			md.append("| contender | re-processed (median) | of ").append(completed).append(" | runs | note |\n");
			md.append("|---|---:|---:|---|---|\n");
			for (Row row : rows("W3").values()) {
				md.append("| ").append(row.contender()).append(" | ")
					.append(row.ok() ? String.format(Locale.ROOT, "%,.0f", row.reprocessed()) : "failed")
					.append(" | ")
					.append(row.ok() ? String.format(Locale.ROOT, "%.2f %%", 100 * row.reprocessed() / completed) : "")
					.append(" | ").append(row.runsText()).append(" | ").append(row.note()).append(" |\n");
			}
			md.append('\n').append(PeerBenchmark.W3_NOT_RUN).append("\n\n");
		}
		md.append(Targets.check(this.settings, rows("W1"), rows("W2"), rows("W3"), w1Refs, w2Refs, this.extras));
		this.extras.forEach((title, text) -> md.append("## ").append(title).append("\n\n```\n").append(text)
			.append("\n```\n\n"));
		Files.writeString(folder.resolve("results.md"), md.toString());
		List<String> csv = new ArrayList<>();
		csv.add("workload,contender,run,failure,committed_per_s,processed_per_s,processed,commit_tail_ms,cpu_s,"
				+ "peak_rss_mb,reprocessed");
		this.results.forEach((r) -> csv.add(r.csv()));
		Files.write(folder.resolve("runs.csv"), csv);
		Chart.write(folder.resolve("chart.png"), rows("W1"), rows("W2"), rows("W3"));
	}

	private void throughputTable(StringBuilder md, Map<String, Row> rows, String[] refs) {
		md.append("| contender | committed rec/s | runs | ").append(refs[0]).append(" ÷ this | ").append(refs[1])
			.append(" ÷ this | processed rec/s | commit tail ms | CPU s | peak RSS MB | note |\n");
		md.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---|\n");
		for (Row row : rows.values()) {
			md.append("| ").append(row.contender()).append(" | ");
			if (row.ok()) {
				md.append(String.format(Locale.ROOT, "%,.0f | %s | %s | %s | %,.0f | %,.0f | %.1f | %.0f | %s |\n",
						row.committed(), row.runsText(), ratio(rows.get(refs[0]), row), ratio(rows.get(refs[1]), row),
						row.processed(), row.commitTail(), row.cpu(), row.rss(), row.note()));
			}
			else {
				md.append("failed | ").append(row.runsText()).append(" | | | | | | | ").append(row.note()).append(" |\n");
			}
		}
		md.append('\n');
	}

	private static String ratio(Row reference, Row row) {
		if (reference == null || !reference.ok() || !row.ok() || row.committed() == 0) {
			return "";
		}
		return String.format(Locale.ROOT, "%.2f", reference.committed() / row.committed());
	}

	/** One contender's medians over its successful runs. */
	record Row(String contender, int runs, List<RunResult> succeeded, List<String> failures) {

		static Row of(String contender, List<RunResult> runs) {
			return new Row(contender, runs.size(), runs.stream().filter(RunResult::ok).toList(),
					runs.stream().filter((r) -> !r.ok()).map((r) -> "run " + r.run() + " failed: " + r.failure()).toList());
		}

		boolean ok() {
			return !this.succeeded.isEmpty();
		}

		double committed() {
			return median(RunResult::committedPerSecond);
		}

		double processed() {
			return median(RunResult::processedPerSecond);
		}

		double commitTail() {
			return median(RunResult::commitTailMillis);
		}

		double cpu() {
			return median(RunResult::cpuSeconds);
		}

		double rss() {
			return median(RunResult::peakRssMb);
		}

		double reprocessed() {
			return median(RunResult::reprocessed);
		}

		String runsText() {
			return this.succeeded.size() + " of " + this.runs;
		}

		String note() {
			return String.join("; ", this.failures).replace('|', '/').replace('\n', ' ');
		}

		double median(ToDoubleFunction<RunResult> figure) {
			double[] sorted = this.succeeded.stream().mapToDouble(figure).sorted().toArray();
			if (sorted.length == 0) {
				return 0;
			}
			int middle = sorted.length / 2;
			return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
		}

	}

}
