package io.waterhealer.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random histories against a model: a sorted set of pending offsets. Each seed is one history of hand-outs with
 * holes, out-of-order completions, failures, redeliveries, fetch-position skips and a revocation while stale
 * workers still hold some offsets; after every step the ledger's position must equal the model's, so it never passes
 * an incomplete offset, and once everything else is complete it must reach the lowest held offset (the end if none).
 * The held offsets are completed only after the close, as a worker of a revoked partition would: each completion is
 * refused and the position does not move.
 * <p>
 * Holes come in three sizes so that every shape of the sparse window is exercised: small ones inside one dense
 * stretch, ones just around the gap that starts a new stretch (1,024 offsets), and jumps of up to 2<sup>40</sup>
 * offsets; fetch-position skips sometimes go millions of offsets ahead while records are pending. Every few steps the
 * window's runs (what a commit's metadata records) must equal the model's and the rings must stay small.
 */
class PartitionLedgerPropertyTests {

	/**
	 * The rings of a history of at most 7,000 hand-outs with holes of up to 2<sup>40</sup> offsets: a few hundred
	 * kilobytes at most; the dense rings of one window over such holes needed gigabytes or threw.
	 */
	private static final long MAX_RING_BYTES = 4L << 20;

	static LongStream seeds() {
		return LongStream.range(0, 300);
	}

	@ParameterizedTest
	@MethodSource("seeds")
	void positionNeverPassesAnIncompleteOffsetAndReachesTheEnd(long seed) {
		Random random = new Random(seed);
		TopicPartition tp = new TopicPartition("t", 0);
		int maxInFlight = 1 + random.nextInt(2_000);
		PartitionLedger ledger = new PartitionLedger(tp, maxInFlight, maxInFlight + random.nextInt(100_000));
		TreeSet<Long> pending = new TreeSet<>();
		TreeSet<Long> failed = new TreeSet<>();
		List<Long> completedByStaleLedger = new ArrayList<>();
		long next = random.nextInt(1_000_000);
		long end = -1;
		int steps = 2_000 + random.nextInt(5_000);
		for (int step = 0; step < steps; step++) {
			int action = random.nextInt(100);
			if (action < 45) {
				next += gap(random);
				assertThat(ledger.handOut(next)).isTrue();
				pending.add(next);
				end = next + 1;
				next++;
			}
			else if (action < 85 && !pending.isEmpty()) {
				long offset = pickPending(pending, random);
				assertThat(ledger.complete(offset)).isTrue();
				pending.remove(offset);
				failed.remove(offset);
			}
			else if (action < 90 && !pending.isEmpty()) {
				long offset = pickPending(pending, random);
				assertThat(ledger.fail(offset)).isTrue();
				failed.add(offset);
			}
			else if (action < 94 && end > 0) {
				long redelivered = end - 1 - random.nextInt((int) Math.min(end, 50));
				assertThat(ledger.handOut(redelivered)).isFalse();
			}
			else if (action < 97 && end > 0) {
				long fetchPosition = next + ((random.nextInt(5) == 0) ? random.nextInt(1 << 22) : random.nextInt(3));
				ledger.skipTo(fetchPosition);
				end = Math.max(end, fetchPosition);
				next = Math.max(next, fetchPosition);
			}
			else if (action < 98 && !pending.isEmpty()) {
				completedByStaleLedger.add(pickPending(pending, random));
			}
			if (end > 0) {
				long expected = pending.isEmpty() ? end : pending.first();
				assertThat(ledger.position()).as("seed %d step %d", seed, step).isEqualTo(expected);
			}
			if (step % 40 == 0 && end > 0) {
				assertThat(ledger.windowRuns().runs()).as("seed %d step %d", seed, step)
					.containsExactly(modelRuns(pending, end));
				assertThat(ledger.snapshot().incomplete()).isEqualTo(pending.size());
				assertThat(ledger.snapshot().failed()).isEqualTo(failed.size());
				long probe = pending.isEmpty() ? end - 1 : pending.first() + random.nextInt(2_000);
				assertThat(ledger.isPending(probe)).as("seed %d step %d offset %d", seed, step, probe)
					.isEqualTo(pending.contains(probe));
				assertThat(ledger.ringBytes()).as("seed %d step %d", seed, step).isLessThan(MAX_RING_BYTES);
			}
		}
		// The offsets a stale worker holds stay pending until the partition is revoked; every other one completes.
		TreeSet<Long> stale = new TreeSet<>(completedByStaleLedger);
		stale.retainAll(pending);
		if (stale.isEmpty() && !pending.isEmpty()) {
			stale.add(pending.last());
		}
		for (Long offset : new ArrayList<>(pending)) {
			if (!stale.contains(offset)) {
				assertThat(ledger.complete(offset)).isTrue();
				pending.remove(offset);
			}
		}
		long expectedPosition = stale.isEmpty() ? end : stale.first();
		assertThat(ledger.position()).as("seed %d", seed).isEqualTo(expectedPosition);
		assertThat(ledger.snapshot().incomplete()).isEqualTo(stale.size());

		ledger.close();
		for (long offset : stale) {
			assertThat(ledger.complete(offset)).as("seed %d: completion of %d after close", seed, offset).isFalse();
			assertThat(ledger.fail(offset)).as("seed %d: failure of %d after close", seed, offset).isFalse();
		}
		assertThat(ledger.position()).as("seed %d: position after stale completions", seed)
			.isEqualTo(expectedPosition);
		assertThat(ledger.snapshot().incomplete()).isEqualTo(stale.size());
		assertThat(ledger.commitPoint(true)).as("a closed ledger has nothing to commit").isNull();
	}

	@Test
	void completionsFromManyThreadsInAnyOrderReachTheEnd() throws Exception {
		PartitionLedger ledger = new PartitionLedger(new TopicPartition("t", 0), 1_000_000, 1L << 22);
		int count = 200_000;
		List<Long> offsets = new ArrayList<>();
		for (long offset = 0; offset < count; offset++) {
			if (offset % 7 != 3) {
				ledger.handOut(offset);
				offsets.add(offset);
			}
		}
		java.util.Collections.shuffle(offsets, new Random(42));
		ExecutorService pool = Executors.newFixedThreadPool(8);
		CountDownLatch done = new CountDownLatch(8);
		int slice = offsets.size() / 8 + 1;
		for (int t = 0; t < 8; t++) {
			List<Long> mine = offsets.subList(Math.min(offsets.size(), t * slice),
					Math.min(offsets.size(), (t + 1) * slice));
			pool.execute(() -> {
				mine.forEach(ledger::complete);
				done.countDown();
			});
		}
		assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
		pool.shutdown();
		assertThat(ledger.position()).isEqualTo(offsets.stream().mapToLong(Long::longValue).max().orElseThrow() + 1);
	}

	/** Mostly consecutive offsets, sometimes holes of up to 300, around 1,024, up to a million, or up to 2^40. */
	private static long gap(Random random) {
		int kind = random.nextInt(100);
		if (kind < 88) {
			return 0;
		}
		if (kind < 96) {
			return 1 + random.nextInt(300);
		}
		if (kind < 98) {
			return 900 + random.nextInt(300);
		}
		if (kind < 99) {
			return 1 + random.nextInt(1 << 20);
		}
		return 1 + (random.nextLong() >>> 24);
	}

	/** The window {@code [lowest pending, end)} as alternating runs, incomplete first, as the ledger must give it. */
	private static long[] modelRuns(TreeSet<Long> pending, long end) {
		List<Long> runs = new ArrayList<>();
		long runStart = -1;
		long previous = -1;
		for (long offset : pending) {
			if (runStart < 0) {
				runStart = offset;
			}
			else if (offset != previous + 1) {
				runs.add(previous + 1 - runStart);
				runs.add(offset - previous - 1);
				runStart = offset;
			}
			previous = offset;
		}
		if (runStart >= 0) {
			runs.add(previous + 1 - runStart);
			if (end > previous + 1) {
				runs.add(end - previous - 1);
			}
		}
		return runs.stream().mapToLong(Long::longValue).toArray();
	}

	private static long pickPending(TreeSet<Long> pending, Random random) {
		if (random.nextInt(4) == 0) {
			return pending.first();
		}
		Long candidate = pending.ceiling(pending.first() + random.nextInt(400));
		return (candidate != null) ? candidate : pending.last();
	}

}
