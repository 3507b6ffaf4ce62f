package io.waterhealer.ledger.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

import io.waterhealer.ledger.LedgerSnapshot;
import io.waterhealer.ledger.OffsetLedger;
import io.waterhealer.ledger.PartitionLedger;
import org.apache.kafka.common.TopicPartition;
import org.openjdk.jol.info.GraphLayout;

/**
 * The heap a {@link PartitionLedger} holds, measured with JOL over the whole object graph reachable from it (the
 * ledger, the rings of its dense stretches and its {@link TopicPartition}), divided by the offsets it tracks: the
 * window {@code [position, end)}, every offset of which the ledger must be able to answer for, whether it is pending,
 * completed or a hole. The sparse scenarios (a jump of 2<sup>40</sup> offsets, a compacted topic) are about the
 * total, which must follow the records rather than the offsets between them.
 * <p>
 * The windows start at a large offset that is not a multiple of 64, as a live partition's would, so that the window
 * straddles one more ring word than an aligned one and the figures are not flattered.
 */
public final class LedgerFootprint {

	/** Where every measured window starts. */
	static final long BASE = 1_234_567_891L;

	private LedgerFootprint() {
	}

	/**
	 * One measured ledger.
	 * @param scenario what the window holds
	 * @param tracked offsets in the window {@code [position, end)}
	 * @param incomplete offsets of the window still pending
	 * @param totalBytes JOL's total size of the ledger's object graph
	 * @param peak whether the window is as wide as it ever was, which is what the per-offset target is about; a
	 * drained window still holds the rings of its peak
	 */
	public record Row(String scenario, long tracked, int incomplete, long totalBytes, boolean peak) {

		public double bytesPerTrackedOffset() {
			return (double) this.totalBytes / this.tracked;
		}

	}

	/**
	 * Measure the scenarios: a realistic mix (every 10th offset still pending), the worst case (every offset pending,
	 * up to the default max-in-flight and beyond), a window with holes, a ledger whose window grew to the default
	 * max-span and then drained (the rings must have shrunk with it), and two sparse windows whose gaps must cost
	 * nothing.
	 * @return one row per scenario
	 */
	public static List<Row> measure() {
		List<Row> rows = new ArrayList<>();
		for (int tracked : new int[] { 100_000, 1_000_000 }) {
			rows.add(window("every 10th offset pending", tracked, (i) -> i % 10 == 0, (i) -> true));
		}
		rows.add(window("every 10th record pending, every 3rd offset a hole", 1_000_000, (i) -> i % 10 == 0,
				(i) -> i % 3 != 2));
		for (int tracked : new int[] { OffsetLedger.DEFAULT_MAX_IN_FLIGHT, 100_000, 1_000_000 }) {
			rows.add(window("all pending (max-in-flight " + tracked + ")", tracked, (i) -> true, (i) -> true));
		}
		rows.add(drained((int) OffsetLedger.DEFAULT_MAX_SPAN, 1_000));
		rows.add(jump(1L << 40, 1_000));
		rows.add(compacted(10_000, 100_000));
		return rows;
	}

	/**
	 * A ledger whose window is exactly {@code [BASE, BASE + tracked)}: the offsets for which {@code handedOut} holds
	 * are handed out, and those of them for which {@code pending} does not hold are completed. Offset {@code BASE}
	 * itself must stay pending so that the position stays at the start of the window.
	 */
	static Row window(String scenario, int tracked, LongPredicate pending, LongPredicate handedOut) {
		PartitionLedger ledger = new PartitionLedger(new TopicPartition("orders", 0), tracked, Math.max(tracked,
				OffsetLedger.DEFAULT_MAX_SPAN));
		for (long i = 0; i < tracked; i++) {
			if (handedOut.test(i)) {
				ledger.handOut(BASE + i);
			}
		}
		ledger.skipTo(BASE + tracked);
		for (long i = 0; i < tracked; i++) {
			if (handedOut.test(i) && !pending.test(i)) {
				ledger.complete(BASE + i);
			}
		}
		return row(scenario, ledger, BASE, BASE + tracked, true);
	}

	/**
	 * A ledger whose window grew to {@code grownTo} offsets, all but the last {@code left} of which then completed:
	 * what a partition that was stuck for a while and recovered keeps holding.
	 */
	static Row drained(int grownTo, int left) {
		PartitionLedger ledger = new PartitionLedger(new TopicPartition("orders", 0), grownTo, grownTo);
		for (long i = 0; i < grownTo; i++) {
			ledger.handOut(BASE + i);
		}
		for (long i = 0; i < grownTo - left; i++) {
			ledger.complete(BASE + i);
		}
		return row("grew to " + grownTo + " offsets, drained to " + left, ledger, BASE + grownTo - left,
				BASE + grownTo, false);
	}

	/**
	 * Offset {@code BASE} pending, then {@code records} records {@code distance} offsets later, all pending: a forward
	 * seek, or a run of aborted transactions, while one record is still being processed.
	 */
	static Row jump(long distance, int records) {
		PartitionLedger ledger = new PartitionLedger(new TopicPartition("orders", 0), records + 1,
				OffsetLedger.DEFAULT_MAX_SPAN);
		ledger.handOut(BASE);
		for (long i = 0; i < records; i++) {
			ledger.handOut(BASE + distance + i);
		}
		return row("1 pending, then " + records + " pending 2^" + Long.numberOfTrailingZeros(distance)
				+ " offsets later", ledger, BASE, BASE + distance + records, true);
	}

	/**
	 * {@code records} records {@code stride} offsets apart, as compaction leaves a topic of frequently updated keys,
	 * every 10th of them (the first among them) still pending.
	 */
	static Row compacted(int records, long stride) {
		PartitionLedger ledger = new PartitionLedger(new TopicPartition("orders", 0), records,
				OffsetLedger.DEFAULT_MAX_SPAN);
		for (long i = 0; i < records; i++) {
			ledger.handOut(BASE + i * stride);
		}
		for (long i = 0; i < records; i++) {
			if (i % 10 != 0) {
				ledger.complete(BASE + i * stride);
			}
		}
		return row(records + " records " + stride + " offsets apart, every 10th pending", ledger, BASE,
				BASE + (records - 1) * stride + 1, true);
	}

	private static Row row(String scenario, PartitionLedger ledger, long position, long end, boolean peak) {
		LedgerSnapshot snapshot = ledger.snapshot();
		if (snapshot.position() != position || snapshot.end() != end) {
			throw new IllegalStateException("Footprint scenario '" + scenario + "' expected the window [" + position
					+ ", " + end + ") but the ledger is " + snapshot);
		}
		long totalBytes = GraphLayout.parseInstance(ledger).totalSize();
		return new Row(scenario, end - position, snapshot.incomplete(), totalBytes, peak);
	}

}
