package io.waterhealer.ledger.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.waterhealer.ledger.LedgerSnapshot;
import io.waterhealer.ledger.PartitionLedger;
import org.apache.kafka.common.TopicPartition;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The per-record cost of the {@link PartitionLedger} on one thread: one operation is one record's life in the
 * ledger, {@code handOut(offset, pollTime)} of a new offset (the overload the listener calls), {@code complete} of
 * an older one and a read of the committable {@code position()}, so that the score in ops/s is directly "records per
 * second" and can be compared with the target of 10 million.
 * <p>
 * Every scenario keeps a steady window of {@value #IN_FLIGHT} offsets in flight rather than completing each offset
 * right after handing it out, because that is what a consumer with parallel workers sees and because only then does
 * {@code complete} have to move the position over words of the ring. Offsets, completion orders and gaps are
 * computed at setup, so the measured loop does nothing but call the ledger: no {@code Random}, no boxing, no
 * queues. Each state also checks at teardown that the ledger ended where the scenario says it must, because a
 * benchmark whose {@code handOut} silently returned {@code false} would measure a no-op and look very fast.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LedgerBenchmark {

	/** Offsets in flight in every scenario; also the size of the out-of-order completion blocks. */
	public static final int IN_FLIGHT = 1024;

	/**
	 * The hand-out time passed with every record: the listener reads {@link System#nanoTime()} once per poll, not per
	 * record, so the per-record cost of {@link PartitionLedger#handOut(long, long)} does not include reading a clock.
	 */
	static final long POLLED_AT = 1_000_000_000L;

	/** Distinct permutations cycled through, so that the completion order does not repeat every block. */
	private static final int PERMUTATIONS = 16;

	/**
	 * In-order completion: the oldest offset in flight completes, so every completion moves the position by one.
	 */
	@Benchmark
	public void inOrder(InOrder state, Blackhole blackhole) {
		long offset = state.next;
		state.ledger.handOut(offset + IN_FLIGHT, POLLED_AT);
		state.ledger.complete(offset);
		blackhole.consume(state.ledger.position());
		state.next = offset + 1;
	}

	/**
	 * Out-of-order completion within a sliding window: the offsets of each block of {@value #IN_FLIGHT} complete in
	 * a pre-computed random order while the next block is handed out, so between {@value #IN_FLIGHT} and twice as
	 * many offsets are in the window and the position moves only when the lowest pending offset completes.
	 */
	@Benchmark
	public void outOfOrder(OutOfOrder state, Blackhole blackhole) {
		long index = state.next;
		state.ledger.handOut(index + IN_FLIGHT, POLLED_AT);
		state.ledger.complete((index & -IN_FLIGHT) + state.order[(int) index & state.orderMask]);
		blackhole.consume(state.ledger.position());
		state.next = index + 1;
	}

	/**
	 * In-order completion over a partition with holes: every third offset is never handed out (as transaction
	 * markers occupy offsets), so each advance of the position has to pass a hole.
	 */
	@Benchmark
	public void holes(Holes state, Blackhole blackhole) {
		long index = state.next;
		state.ledger.handOut(Holes.offsetOf(index + IN_FLIGHT), POLLED_AT);
		state.ledger.complete(Holes.offsetOf(index));
		blackhole.consume(state.ledger.position());
		state.next = index + 1;
	}

	static PartitionLedger newLedger() {
		// the limits only drive isWindowFull(), which these scenarios do not call
		return new PartitionLedger(new TopicPartition("bench", 0), 1 << 20, 1L << 30);
	}

	static void check(String scenario, PartitionLedger ledger, long expectedPosition, int expectedIncomplete) {
		LedgerSnapshot snapshot = ledger.snapshot();
		if (snapshot.position() != expectedPosition || snapshot.incomplete() != expectedIncomplete) {
			throw new IllegalStateException(scenario + " did not measure what it claims: expected position "
					+ expectedPosition + " with " + expectedIncomplete + " incomplete, but the ledger is " + snapshot);
		}
	}

	/** Offsets {@code [next, next + IN_FLIGHT)} pending; the next record completes {@code next}. */
	@State(Scope.Thread)
	public static class InOrder {

		PartitionLedger ledger;

		long next;

		@Setup(Level.Trial)
		public void setUp() {
			this.ledger = newLedger();
			for (long offset = 0; offset < IN_FLIGHT; offset++) {
				this.ledger.handOut(offset);
			}
			this.next = 0;
		}

		@TearDown(Level.Trial)
		public void tearDown() {
			check("inOrder", this.ledger, this.next, IN_FLIGHT);
		}

	}

	/** Record {@code i} completes offset {@code blockOf(i) + order[i]}, a permutation within each block. */
	@State(Scope.Thread)
	public static class OutOfOrder {

		PartitionLedger ledger;

		int[] order;

		int orderMask;

		long next;

		@Setup(Level.Trial)
		public void setUp() {
			this.order = permutations(new SplittableRandom(42));
			this.orderMask = this.order.length - 1;
			this.ledger = newLedger();
			for (long offset = 0; offset < IN_FLIGHT; offset++) {
				this.ledger.handOut(offset);
			}
			this.next = 0;
		}

		@TearDown(Level.Trial)
		public void tearDown() {
			long block = this.next & -IN_FLIGHT;
			int done = (int) (this.next - block);
			long lowest = block + IN_FLIGHT;
			for (int i = 0; i < IN_FLIGHT; i++) {
				if (!completed(this.order, (int) (block & this.orderMask), done, i)) {
					lowest = Math.min(lowest, block + i);
				}
			}
			check("outOfOrder", this.ledger, lowest, IN_FLIGHT);
		}

		/** Whether offset {@code block + i} is among the first {@code done} completions of its block. */
		private static boolean completed(int[] order, int from, int done, int i) {
			for (int k = 0; k < done; k++) {
				if (order[from + k] == i) {
					return true;
				}
			}
			return false;
		}

		/** {@value #PERMUTATIONS} random permutations of {@code 0..IN_FLIGHT-1}, end to end. */
		static int[] permutations(SplittableRandom random) {
			int[] order = new int[PERMUTATIONS * IN_FLIGHT];
			for (int p = 0; p < PERMUTATIONS; p++) {
				int base = p * IN_FLIGHT;
				for (int i = 0; i < IN_FLIGHT; i++) {
					order[base + i] = i;
				}
				for (int i = IN_FLIGHT - 1; i > 0; i--) {
					int j = random.nextInt(i + 1);
					int swap = order[base + i];
					order[base + i] = order[base + j];
					order[base + j] = swap;
				}
			}
			return order;
		}

	}

	/** Record {@code i} sits at offset {@code i + i / 2}: offsets 2, 5, 8, ... are holes. */
	@State(Scope.Thread)
	public static class Holes {

		PartitionLedger ledger;

		long next;

		static long offsetOf(long index) {
			return index + (index >>> 1);
		}

		@Setup(Level.Trial)
		public void setUp() {
			this.ledger = newLedger();
			for (long index = 0; index < IN_FLIGHT; index++) {
				this.ledger.handOut(offsetOf(index));
			}
			this.next = 0;
		}

		@TearDown(Level.Trial)
		public void tearDown() {
			check("holes", this.ledger, offsetOf(this.next), IN_FLIGHT);
		}

	}

}
