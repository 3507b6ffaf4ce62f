package io.waterhealer.ledger.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.waterhealer.ledger.PartitionLedger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.infra.Control;

/**
 * The same record life as {@link LedgerBenchmark#inOrder}, split over two threads the way the listener splits it:
 * the consumer thread hands out and reads the position, one worker completes. Every call takes the ledger's monitor,
 * so this shows what contention on it costs, not the single-thread cost the 10 million target is about.
 * <p>
 * The two threads are kept in step with two counters outside the ledger (at most
 * {@value LedgerBenchmark#IN_FLIGHT} offsets in flight, completed in order), so that neither thread calls the ledger
 * in vain and each invocation of each method is one real record. The waits check JMH's {@link Control} because the
 * other thread may already have stopped at the end of an iteration. JMH reports the group's score as the sum of both
 * methods; records per second is the score of either method alone ({@code complete}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LedgerContentionBenchmark {

	/** The consumer thread: hand out the next offset, then read the position to commit. */
	@Benchmark
	@Group("twoThreads")
	@GroupThreads(1)
	public void handOut(Shared shared, Consumer consumer, Control control, Blackhole blackhole) {
		long offset = consumer.next;
		while (offset - shared.completed.get() >= LedgerBenchmark.IN_FLIGHT) {
			if (control.stopMeasurement) {
				return;
			}
			Thread.onSpinWait();
		}
		shared.ledger.handOut(offset, LedgerBenchmark.POLLED_AT);
		shared.handedOut.lazySet(offset + 1);
		consumer.next = offset + 1;
		blackhole.consume(shared.ledger.position());
	}

	/** The worker: complete the oldest offset in flight. */
	@Benchmark
	@Group("twoThreads")
	@GroupThreads(1)
	public void complete(Shared shared, Worker worker, Control control) {
		long offset = worker.next;
		while (offset >= shared.handedOut.get()) {
			if (control.stopMeasurement) {
				return;
			}
			Thread.onSpinWait();
		}
		shared.ledger.complete(offset);
		shared.completed.lazySet(offset + 1);
		worker.next = offset + 1;
	}

	/** The ledger and the two counters that keep the threads in step. */
	@State(Scope.Group)
	public static class Shared {

		PartitionLedger ledger;

		/** Offsets {@code [0, handedOut)} were handed out. */
		final AtomicLong handedOut = new AtomicLong();

		/** Offsets {@code [0, completed)} were completed. */
		final AtomicLong completed = new AtomicLong();

		@Setup(Level.Trial)
		public void setUp() {
			this.ledger = LedgerBenchmark.newLedger();
		}

	}

	/** The consumer thread's next offset to hand out. */
	@State(Scope.Thread)
	public static class Consumer {

		long next;

	}

	/** The worker's next offset to complete. */
	@State(Scope.Thread)
	public static class Worker {

		long next;

	}

}
