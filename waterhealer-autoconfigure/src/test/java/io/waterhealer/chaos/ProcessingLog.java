package io.waterhealer.chaos;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The durable record of processing written by {@link ChaosConsumerApplication}: one file per consumer JVM (a
 * segment), read in the order the JVMs were started. It checks what the chaos suite promises: every produced record
 * processed at least once, per-key order held within each JVM's life and across them, and it counts duplicates.
 */
final class ProcessingLog {

	private final List<Path> segments = new ArrayList<>();

	private final Map<Path, Long> readUpTo = new HashMap<>();

	private final Set<String> distinct = new HashSet<>();

	/**
	 * A new segment for the next consumer JVM. Synchronized with {@link #distinctProcessed()}, which the producer's
	 * thread polls while consumers start (a ConcurrentModificationException failed a crash test once).
	 */
	synchronized Path newSegment(Path directory, String name) {
		Path segment = directory.resolve(name + "-" + this.segments.size() + ".log");
		this.segments.add(segment);
		return segment;
	}

	/**
	 * Records processed so far, each counted once, read incrementally so that a test can poll it cheaply.
	 * @return the number of distinct records in the log
	 */
	synchronized int distinctProcessed() throws IOException {
		for (Path segment : this.segments) {
			if (!Files.exists(segment)) {
				continue;
			}
			long from = this.readUpTo.getOrDefault(segment, 0L);
			try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "r")) {
				if (file.length() <= from) {
					continue;
				}
				byte[] bytes = new byte[(int) (file.length() - from)];
				file.seek(from);
				file.readFully(bytes);
				int end = lastNewline(bytes);
				if (end < 0) {
					continue;
				}
				for (String line : new String(bytes, 0, end + 1, StandardCharsets.UTF_8).split("\n")) {
					if (line.startsWith("P ")) {
						this.distinct.add(coordinates(line.split(" ")));
					}
				}
				this.readUpTo.put(segment, from + end + 1);
			}
		}
		return this.distinct.size();
	}

	private static int lastNewline(byte[] bytes) {
		for (int i = bytes.length - 1; i >= 0; i--) {
			if (bytes[i] == '\n') {
				return i;
			}
		}
		return -1;
	}

	private static String coordinates(String[] fields) {
		return fields[1] + " " + fields[2] + " " + fields[3];
	}

	/**
	 * Checks the whole log against what was produced.
	 * @param produced each produced record's coordinates ({@code topic partition offset}) and its key and value
	 * (the value is the record's position in its key's sequence, from 0)
	 * @return what was seen
	 */
	Verdict verify(Map<String, Produced> produced) throws IOException {
		return verify(produced, true);
	}

	/**
	 * Checks the whole log against what was produced.
	 * @param produced each produced record's coordinates and its key and value
	 * @param sequential whether the segments ran one after another (a consumer restarted), so that the order of
	 * first occurrences across segments is checked too; when consumers ran side by side only each segment's own
	 * order is checked
	 * @return what was seen
	 */
	synchronized Verdict verify(Map<String, Produced> produced, boolean sequential) throws IOException {
		Map<String, Integer> seen = new HashMap<>();
		Map<String, Integer> nextFirstByKey = new HashMap<>();
		List<String> orderViolations = new ArrayList<>();
		List<String> mismatches = new ArrayList<>();
		long lines = 0;
		long failures = 0;
		List<Set<String>> segmentRecords = new ArrayList<>();
		for (Path segment : this.segments) {
			Map<String, Integer> lastInSegment = new LinkedHashMap<>();
			Set<String> records = new HashSet<>();
			segmentRecords.add(records);
			if (!Files.exists(segment)) {
				continue;
			}
			for (String line : Files.readAllLines(segment)) {
				if (line.startsWith("F ")) {
					failures++;
					continue;
				}
				if (!line.startsWith("P ")) {
					continue;
				}
				lines++;
				String[] fields = line.split(" ");
				String coordinates = coordinates(fields);
				boolean firstInSegment = records.add(coordinates);
				Produced expected = produced.get(coordinates);
				String key = fields[4];
				int sequence = Integer.parseInt(fields[5]);
				if (expected == null || !expected.key().equals(key) || expected.sequence() != sequence) {
					mismatches.add(segment.getFileName() + ": " + line + " (produced " + expected + ")");
					continue;
				}
				if (!firstInSegment) {
					// processed again by the same JVM (its partition came back after a rebalance): a duplicate
					seen.merge(coordinates, 1, Integer::sum);
					continue;
				}
				Integer last = lastInSegment.put(key, sequence);
				if (last != null && sequence <= last) {
					orderViolations.add(segment.getFileName() + ": key " + key + " processed " + sequence + " after "
							+ last);
				}
				if (seen.merge(coordinates, 1, Integer::sum) == 1) {
					int next = nextFirstByKey.getOrDefault(key, 0);
					if (sequential && sequence != next) {
						orderViolations.add(segment.getFileName() + ": key " + key + " processed " + sequence
								+ " for the first time while " + next + " had not been processed");
					}
					nextFirstByKey.put(key, sequence + 1);
				}
			}
		}
		List<String> lost = produced.keySet().stream().filter((c) -> !seen.containsKey(c)).sorted().toList();
		return new Verdict(produced.size(), lines, seen.size(), lines - seen.size(), failures, lost, orderViolations,
				mismatches, segmentRecords);
	}

	/** A produced record. */
	record Produced(String key, int sequence) {
	}

	/**
	 * What the log shows.
	 * @param produced records produced
	 * @param processed records processed, duplicates included
	 * @param distinct records processed at least once
	 * @param duplicates records processed more than once, counted once per extra time
	 * @param transientFailures failed attempts (first attempts of the chosen records)
	 * @param lost produced records never processed
	 * @param orderViolations records of a key processed before an earlier record of that key
	 * @param mismatches log lines whose key or value differ from what was produced at those coordinates
	 * @param segmentRecords the records each consumer JVM processed
	 */
	record Verdict(long produced, long processed, long distinct, long duplicates, long transientFailures,
			List<String> lost, List<String> orderViolations, List<String> mismatches,
			List<Set<String>> segmentRecords) {

		String summary() {
			return "produced " + this.produced + ", processed " + this.processed + " (" + this.distinct
					+ " distinct), lost " + this.lost.size() + ", duplicates " + this.duplicates
					+ ", transient failures " + this.transientFailures + ", per-key order violations "
					+ this.orderViolations.size();
		}

	}

}
