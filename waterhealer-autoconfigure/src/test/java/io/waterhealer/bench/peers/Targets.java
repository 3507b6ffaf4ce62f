package io.waterhealer.bench.peers;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.waterhealer.bench.peers.Report.Row;

/** Issue 7's targets, checked against the medians of this invocation. */
final class Targets {

	private Targets() {
	}

	static String check(BenchSettings settings, Map<String, Row> w1, Map<String, Row> w2, Map<String, Row> w3,
			String[] w1Refs, String[] w2Refs, Map<String, String> extras) {
		StringBuilder md = new StringBuilder("## Targets of issue 7 (this invocation)\n\n| target | figure | verdict |\n|---|---|---|\n");
		if (settings.runs("w1")) {
			Row key = w1.get(w1Refs[0]);
			Optional<Row> batch = find(w1, "spring-kafka BATCH");
			Optional<Row> pcKey = find(w1, "Parallel Consumer KEY");
			if (key != null && key.ok()) {
				batch.ifPresent((b) -> line(md, "W1 " + w1Refs[0] + " ≥ 0.9 × spring-kafka BATCH", key.committed(),
						b.committed(), 0.9));
				pcKey.ifPresent((p) -> line(md, "W1 " + w1Refs[0] + " ≥ 3 × Parallel Consumer KEY", key.committed(),
						p.committed(), 3));
				md.append(String.format(Locale.ROOT, "| W1 %s peak RSS ≤ 512 MB | %.0f MB | %s |%n", w1Refs[0],
						key.rss(), key.rss() <= 512 ? "met" : "MISSED"));
			}
			else {
				md.append("| W1 targets | ").append(w1Refs[0]).append(" did not succeed | MISSED |\n");
			}
		}
		if (settings.runs("w2")) {
			Row best = null;
			for (String ref : w2Refs) {
				Row row = w2.get(ref);
				if (row != null && row.ok() && (best == null || row.committed() > best.committed())) {
					best = row;
				}
			}
			Row bestPeer = w2.values()
				.stream()
				.filter((row) -> !row.contender().startsWith("waterhealer") && row.ok())
				.max((a, b) -> Double.compare(a.committed(), b.committed()))
				.orElse(null);
			if (best != null && bestPeer != null) {
				line(md, "W2 " + best.contender() + " ≥ 1.2 × best peer (" + bestPeer.contender() + ")",
						best.committed(), bestPeer.committed(), 1.2);
				md.append(String.format(Locale.ROOT, "| W2 %s: last commit within one commit interval (%d ms) of the "
						+ "last record | %.0f ms | %s |%n", best.contender(), settings.commitMillis(), best.commitTail(),
						best.commitTail() <= settings.commitMillis() ? "met" : "MISSED"));
			}
		}
		if (settings.runs("w3")) {
			long completed = settings.w3Records() - 1 - settings.w3Stuck();
			Row row = w3.get("waterhealer UNORDERED " + settings.w1Parallelism());
			if (row != null && row.ok()) {
				md.append(String.format(Locale.ROOT, "| W3 waterhealer ≤ 1 %% of %d re-processed | %.0f (%.2f %%) | %s |%n",
						completed, row.reprocessed(), 100 * row.reprocessed() / completed,
						row.reprocessed() <= completed / 100.0 ? "met" : "MISSED"));
			}
		}
		extras.forEach((title, text) -> {
			if (title.startsWith("Ledger")) {
				boolean missed = text.contains("MISSED") || text.contains("ALLOCATES");
				md.append("| Ledger ≥ 10 M ops/s/thread, no allocation, ≤ 16 B per tracked offset | see the ledger section | ")
					.append(text.startsWith("failed") ? text : (missed ? "MISSED" : "met")).append(" |\n");
			}
			else if (title.startsWith("Cost of ")) {
				Matcher ratio = Pattern.compile("on/off ratio of medians: ([0-9.]+)").matcher(text);
				String what = title.substring("Cost of ".length(), title.indexOf(' ', "Cost of ".length()));
				if (ratio.find()) {
					double value = Double.parseDouble(ratio.group(1));
					md.append(String.format(Locale.ROOT, "| %s cost ≤ 5 %% (steady on/off ≥ 0.95) | %.3f | %s |%n", what,
							value, value >= 0.95 ? "met" : "MISSED (mind the scatter, see above)"));
				}
				else {
					md.append("| ").append(what).append(" cost ≤ 5 % | ").append(text).append(" | |\n");
				}
			}
		});
		return md.append('\n').toString();
	}

	private static Optional<Row> find(Map<String, Row> rows, String prefix) {
		return rows.values().stream().filter((row) -> row.contender().startsWith(prefix) && row.ok()).findFirst();
	}

	private static void line(StringBuilder md, String target, double ours, double theirs, double factor) {
		double ratio = ours / theirs;
		md.append(String.format(Locale.ROOT, "| %s | %,.0f vs %,.0f rec/s = %.2f× | %s |%n", target, ours, theirs,
				ratio, ratio >= factor ? "met" : String.format(Locale.ROOT, "MISSED by %.0f %%", 100 * (1 - ratio / factor))));
	}

}
