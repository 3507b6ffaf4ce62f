package io.waterhealer.bench.peers;

/**
 * What one run of one contender measured; {@code failure} is null when it succeeded.
 *
 * @param workload {@code W1}, {@code W2} or {@code W3}
 * @param contender the contender's label
 * @param run 1-based run number
 * @param failure why the run failed, or null
 * @param committedPerSecond records / (all partitions committed to their end - first record handed to the handler)
 * @param processedPerSecond records / (the expected-th record processed - first record)
 * @param processed records the handler ran (duplicates included)
 * @param commitTailMillis the end of the commits minus the expected-th record processed
 * @param cpuSeconds CPU time of the contender's JVM, start-up included
 * @param peakRssMb the contender JVM's peak resident set (VmHWM)
 * @param reprocessed W3: completed records processed again after the restart; -1 elsewhere
 * @param behindEnd records between the group's committed offsets and the end offsets once the run was over, read with
 * the AdminClient (0: committed to the end); -1 when the run failed before
 * @param unhandled records of the topic no handler saw (W3: in neither life), from the children's offset logs; -1 when
 * not counted (W1 and W2 without {@code bench.verifyRecords}, or a failed run)
 */
record RunResult(String workload, String contender, int run, String failure, double committedPerSecond,
		double processedPerSecond, long processed, long commitTailMillis, double cpuSeconds, double peakRssMb,
		long reprocessed, long behindEnd, long unhandled) {

	static RunResult failed(String workload, String contender, int run, String why) {
		return new RunResult(workload, contender, run, why, 0, 0, 0, 0, 0, 0, -1, -1, -1);
	}

	boolean ok() {
		return this.failure == null;
	}

	String csv() {
		return String.join(",", this.workload, '"' + this.contender + '"', String.valueOf(this.run),
				'"' + (this.failure == null ? "" : this.failure.replace('"', '\'')) + '"',
				String.format(java.util.Locale.ROOT, "%.1f,%.1f,%d,%d,%.2f,%.1f,%d", this.committedPerSecond,
						this.processedPerSecond, this.processed, this.commitTailMillis, this.cpuSeconds,
						this.peakRssMb, this.reprocessed));
	}

}
