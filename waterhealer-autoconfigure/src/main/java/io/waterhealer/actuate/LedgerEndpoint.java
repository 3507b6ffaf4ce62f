package io.waterhealer.actuate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import io.waterhealer.kafka.ListenerView;
import io.waterhealer.ledger.LedgerSnapshot;
import io.waterhealer.ledger.OffsetLedger;
import io.waterhealer.ledger.PartitionLedger;
import io.waterhealer.ledger.WindowRuns;
import io.waterhealer.metrics.PartitionView;
import io.waterhealer.metrics.RecordState;
import io.waterhealer.metrics.RecordStates;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/ledger}: every listener's assigned partitions on this instance as their ledgers see them: the
 * committed position, the offsets completed beyond it (as runs, holes included) and the incomplete offsets holding it
 * back. It is what the live ledger page ({@code waterhealer.ledger-page.enabled}) draws once a second.
 * <p>
 * Read-only, and like every endpoint but health not reachable over HTTP until exposed
 * ({@code management.endpoints.web.exposure.include=ledger}). It holds offsets and counts only, no record content.
 * Each partition costs one pass over its ledger's window under the ledger's lock, the same pass a commit with
 * metadata makes; it runs on the request thread, never on the consumer or worker threads, and the runs it returns
 * are cut at {@value #MAX_RANGES} of each kind so that a window shredded by failures stays a small answer; the
 * answer says which kinds were cut and from how many ranges, so that the page can say so.
 * <p>
 * Beside the ranges, each partition's incomplete records come by {@link RecordState}, read from the worker side
 * without stopping it: a backlog (queued) is told apart from records whose handler failed.
 */
@Endpoint(id = "ledger", defaultAccess = Access.READ_ONLY)
public class LedgerEndpoint {

	/** Most ranges of each kind (pending, completed, and each record state) returned per partition. */
	public static final int MAX_RANGES = 256;


	private final Supplier<Map<String, ListenerView>> listeners;

	/**
	 * Create the endpoint.
	 * @param listeners the listeners by id, read at each request
	 */
	public LedgerEndpoint(Supplier<Map<String, ListenerView>> listeners) {
		this.listeners = listeners;
	}

	/**
	 * Every listener's ledgers on this instance, as of now.
	 * @return the report, stamped with the time it was read
	 */
	@ReadOperation
	public LedgerReport ledger() {
		Map<String, ListenerLedger> result = new TreeMap<>();
		this.listeners.get().forEach((id, view) -> result.put(id, describe(view)));
		return new LedgerReport(System.currentTimeMillis(), result);
	}

	/**
	 * One listener's ledgers.
	 * @param listener the listener's id
	 * @return its ledgers, or {@code null} (404) when it is not on this instance
	 */
	@ReadOperation
	public @Nullable ListenerLedger listener(@Selector String listener) {
		ListenerView view = this.listeners.get().get(listener);
		return (view != null) ? describe(view) : null;
	}

	private static ListenerLedger describe(ListenerView listener) {
		Map<TopicPartition, PartitionView> views = new HashMap<>();
		for (PartitionView view : listener.partitions()) {
			views.put(view.topicPartition(), view);
		}
		OffsetLedger ledger = listener.ledger();
		List<PartitionLedgerView> partitions = new ArrayList<>();
		for (TopicPartition topicPartition : ledger.assigned()) {
			PartitionLedger partitionLedger = ledger.get(topicPartition);
			if (partitionLedger != null) {
				partitions.add(describe(partitionLedger, views.get(topicPartition)));
			}
		}
		partitions.sort(Comparator.comparing(PartitionLedgerView::topic).thenComparingInt(PartitionLedgerView::partition));
		return new ListenerLedger(listener.parallelism(), listener.settings().ordering().name(),
				partitions);
	}

	private static PartitionLedgerView describe(PartitionLedger ledger, @Nullable PartitionView view) {
		// Runs first: their position is the one the ranges start at. The snapshot, read just after, may be a few
		// completions newer; the page shows the ranges against the runs' position.
		WindowRuns window = ledger.windowRuns();
		LedgerSnapshot snapshot = ledger.snapshot();
		List<long[]> pending = new ArrayList<>();
		List<long[]> completed = new ArrayList<>();
		int pendingRanges = 0;
		int completedRanges = 0;
		long offset = window.position();
		long[] runs = window.runs();
		for (int i = 0; i < runs.length; i++) {
			long to = offset + runs[i];
			if (runs[i] > 0) {
				if (i % 2 == 0) {
					pendingRanges++;
					addCapped(pending, offset, to);
				}
				else {
					completedRanges++;
					addCapped(completed, offset, to);
				}
			}
			offset = to;
		}
		long end = Math.max(snapshot.end(), offset);
		// read last: a record is tracked until just before its completion, so what is tracked now was incomplete
		// when the runs were read, unless it was handed out since (past their end)
		RecordStates states = (view != null) ? view.recordStates() : RecordStates.NONE;
		List<Cut> cuts = new ArrayList<>();
		cut(cuts, "pending", pendingRanges);
		cut(cuts, "completed", completedRanges);
		Map<String, StateRanges> byState = new LinkedHashMap<>();
		for (RecordState state : RecordState.values()) {
			StateRanges ranges = StateRanges.of(states.offsets(state), window.position(), end);
			byState.put(name(state), ranges);
			cut(cuts, name(state), ranges.totalRanges());
		}
		long oldestNanos = snapshot.oldestIncompleteNanos();
		double oldestAge = (view != null) ? view.oldestIncompleteAgeSeconds()
				: (oldestNanos != 0) ? (System.nanoTime() - oldestNanos) / 1e9 : 0;
		TopicPartition topicPartition = ledger.topicPartition();
		return new PartitionLedgerView(topicPartition.topic(), topicPartition.partition(), snapshot.committed(),
				window.position(), end, snapshot.incomplete(), snapshot.failed(),
				(view != null) ? view.inFlight() : -1, (view != null) ? view.lag() : -1,
				view != null && view.paused(), oldestAge, snapshot.highestCompleted(), pending, completed,
				!cuts.isEmpty(), byState, cuts, MAX_RANGES);
	}

	/** A state by the name the answer gives it. */
	private static String name(RecordState state) {
		return switch (state) {
			case QUEUED -> "queued";
			case RUNNING -> "running";
			case RETRY_WAIT -> "retryWait";
			case FAILING -> "failing";
		};
	}

	private static void addCapped(List<long[]> ranges, long from, long to) {
		if (ranges.size() < MAX_RANGES) {
			ranges.add(new long[] { from, to });
		}
	}

	private static void cut(List<Cut> cuts, String kind, int total) {
		if (total > MAX_RANGES) {
			cuts.add(new Cut(kind, MAX_RANGES, total));
		}
	}

	/**
	 * The records of one partition in one {@link RecordState}.
	 *
	 * @param count how many records are in the state
	 * @param ranges their offsets as {@code [from, to)} ranges of consecutive offsets, the first
	 * {@value LedgerEndpoint#MAX_RANGES}
	 * @param totalRanges how many ranges there were before the cut
	 */
	public record StateRanges(int count, List<long[]> ranges, int totalRanges) {

		static StateRanges of(long[] offsets, long position, long end) {
			List<long[]> ranges = new ArrayList<>();
			int count = 0;
			int total = 0;
			long from = -1;
			long to = -1;
			for (long offset : offsets) {
				if (offset < position || offset >= end) {
					continue;
				}
				count++;
				if (offset == to) {
					to++;
					continue;
				}
				if (from >= 0) {
					total++;
					addCapped(ranges, from, to);
				}
				from = offset;
				to = offset + 1;
			}
			if (from >= 0) {
				total++;
				addCapped(ranges, from, to);
			}
			return new StateRanges(count, ranges, total);
		}

	}

	/**
	 * Ranges of one kind left out of a partition's answer.
	 *
	 * @param kind {@code pending}, {@code completed}, or a state ({@code queued}, {@code running},
	 * {@code retryWait}, {@code failing})
	 * @param shown how many ranges the answer holds, the lowest ones
	 * @param total how many there were
	 */
	public record Cut(String kind, int shown, int total) {

	}

	/**
	 * The ledgers of every listener.
	 *
	 * @param timestamp when the report was taken, in epoch milliseconds
	 * @param listeners each listener's ledger, by listener id
	 */
	public record LedgerReport(long timestamp, Map<String, ListenerLedger> listeners) {

	}

	/**
	 * One listener's partitions on this instance.
	 *
	 * @param parallelism records the listener may process at the same time, now (an operator may have changed it live)
	 * @param ordering its ordering
	 * @param partitions its assigned partitions, by topic and partition number
	 */
	public record ListenerLedger(int parallelism, String ordering, List<PartitionLedgerView> partitions) {

	}

	/**
	 * One partition's ledger. Ranges are {@code [from, to)} pairs of offsets.
	 *
	 * @param topic the topic
	 * @param partition the partition number
	 * @param committed the last position Kafka acknowledged as committed by this assignment, -1 before the first
	 * commit
	 * @param position the lowest incomplete offset, which the next commit will commit; -1 before the first record
	 * @param end one past the highest offset handed out
	 * @param incomplete records handed out and not complete
	 * @param failed incomplete records that failed at least once
	 * @param inFlight records whose handler runs right now, -1 when unknown
	 * @param lag end offset minus committed offset as the consumer last saw it, -1 when unknown
	 * @param paused whether waterhealer paused the partition because its window is full
	 * @param oldestIncompleteAgeSeconds time since the oldest incomplete record was handed out, 0 when none
	 * @param highestCompleted the highest completed offset, -1 when none
	 * @param pending ranges of incomplete offsets, from the position on: what holds the committed position back
	 * @param completed ranges of offsets beyond the position that need no more work (completed, or holes)
	 * @param truncated whether there were more than {@value LedgerEndpoint#MAX_RANGES} ranges of one kind
	 * @param states the incomplete records by what they wait for ({@code queued}, {@code running},
	 * {@code retryWait}, {@code failing}), as the workers saw them just after the ranges were read; empty counts when
	 * the worker side is unknown
	 * @param cuts which kinds of ranges were cut at {@value LedgerEndpoint#MAX_RANGES}, and from how many
	 * @param maxRanges the most ranges of each kind an answer holds ({@value LedgerEndpoint#MAX_RANGES}), so that the
	 * page can say why a cut left ranges out
	 */
	public record PartitionLedgerView(String topic, int partition, long committed, long position, long end,
			int incomplete, int failed, long inFlight, long lag, boolean paused, double oldestIncompleteAgeSeconds,
			long highestCompleted, List<long[]> pending, List<long[]> completed, boolean truncated,
			Map<String, StateRanges> states, List<Cut> cuts, int maxRanges) {

	}

}
