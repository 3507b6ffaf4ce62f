package io.waterhealer.ledger;

/**
 * A partition's window {@code [position, end)} as alternating run lengths, starting with a run of incomplete
 * offsets; runs of complete offsets include holes.
 *
 * @param position the committable position the runs start at
 * @param runs the run lengths, incomplete first
 */
public record WindowRuns(long position, long[] runs) {

}
