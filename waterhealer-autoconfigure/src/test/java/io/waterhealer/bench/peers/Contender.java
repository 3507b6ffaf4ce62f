package io.waterhealer.bench.peers;

import java.util.List;

import io.waterhealer.bench.peers.ContenderMain.Kind;

/**
 * One contender of a workload: what runs in the child JVM and how it is configured.
 *
 * @param label name in the tables
 * @param kind the child's consumer
 * @param ordering ordering (waterhealer, Parallel Consumer), empty for the others
 * @param parallelism records processed at the same time (workers, pool size or max concurrency)
 * @param java the Java executable of the child
 * @param arguments extra arguments of the child (Spring {@code --name=value})
 */
record Contender(String label, Kind kind, String ordering, int parallelism, String java, List<String> arguments) {

	boolean waterhealer() {
		return this.kind == Kind.WATERHEALER;
	}

	Contender withLabel(String newLabel) {
		return new Contender(newLabel, this.kind, this.ordering, this.parallelism, this.java, this.arguments);
	}

}
