package io.waterhealer.actuate;

import java.util.ArrayList;
import java.util.List;

import io.waterhealer.codec.CommitMetadataCodec;
import io.waterhealer.codec.CompletedOffsets;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.jspecify.annotations.Nullable;

/**
 * Which dead letters of one partition the replay group has replayed, kept in its committed offset and the commit's
 * metadata the way the listeners keep completed records: every offset below the committed one is replayed (or is no
 * record at all), and those replayed beyond it are written in the metadata with {@link CommitMetadataCodec}. A replay
 * filtered by offset range or exception class replays records in the middle of the topic; the metadata remembers
 * them, so that a later replay of everything skips them instead of replaying them a second time.
 * <p>
 * When the metadata cannot hold every replayed offset (thousands of scattered filtered replays), the codec keeps a
 * prefix: the offsets beyond it would be replayed again by a later replay, as at-least-once allows.
 */
final class ReplayedOffsets {

	private final long position;

	private final CompletedOffsets beyond;

	private final long logStart;

	private ReplayedOffsets(long position, CompletedOffsets beyond, long logStart) {
		this.position = position;
		this.beyond = beyond;
		this.logStart = logStart;
	}

	/**
	 * What a commit of the replay group says.
	 * @param committed the committed offset and metadata, or {@code null} when the group never replayed
	 * @param logStart the partition's first offset (earlier dead letters are gone)
	 * @return the replayed offsets
	 */
	static ReplayedOffsets of(@Nullable OffsetAndMetadata committed, long logStart) {
		if (committed == null) {
			return new ReplayedOffsets(logStart, CompletedOffsets.none(), logStart);
		}
		CompletedOffsets beyond = CommitMetadataCodec.decode(committed.offset(), committed.metadata());
		return new ReplayedOffsets(Math.max(committed.offset(), logStart), beyond, logStart);
	}

	/**
	 * The first offset that may not have been replayed: replays start here.
	 * @return the position
	 */
	long position() {
		return this.position;
	}

	boolean replayed(long offset) {
		return offset < this.position || this.beyond.contains(offset);
	}

	/**
	 * How many offsets of {@code [logStart, end)} were replayed, counting offsets that hold no record (rare on a
	 * dead-letter topic: transaction markers) below the position.
	 * @param end the partition's end offset
	 * @return the count
	 */
	long count(long end) {
		long below = Math.max(0, Math.min(this.position, end) - this.logStart);
		return below + this.beyond.count();
	}

	/**
	 * The commit that records a replay of {@code [scanStart, scanEnd)}: offsets in that range are done unless they
	 * hold a record that was not replayed ({@code pending}); outside it, what was done before stays done.
	 * @param scanStart the first offset the replay read
	 * @param scanEnd the offset the replay read up to (exclusive)
	 * @param pending the offsets in the range that hold a record left alone, ascending
	 * @return the offset and metadata to commit
	 */
	OffsetAndMetadata after(long scanStart, long scanEnd, List<Long> pending) {
		long windowEnd = Math.max(scanEnd, this.beyond.end());
		List<Long> runs = new ArrayList<>();
		long first = -1;
		boolean lastDone = true;
		long run = 0;
		int next = 0;
		for (long offset = this.position; offset < windowEnd; offset++) {
			boolean done;
			if (offset >= scanStart && offset < scanEnd) {
				boolean isPending = next < pending.size() && pending.get(next) == offset;
				if (isPending) {
					next++;
				}
				done = !isPending;
			}
			else {
				done = this.beyond.contains(offset);
			}
			if (first < 0) {
				if (done) {
					continue;
				}
				first = offset;
				lastDone = false;
				run = 0;
			}
			if (done != lastDone) {
				runs.add(run);
				run = 0;
				lastDone = done;
			}
			run++;
		}
		if (first < 0) {
			return new OffsetAndMetadata(windowEnd, "");
		}
		runs.add(run);
		long[] lengths = runs.stream().mapToLong(Long::longValue).toArray();
		String metadata = CommitMetadataCodec.encode(first, lengths, CommitMetadataCodec.DEFAULT_MAX_CHARS).metadata();
		return new OffsetAndMetadata(first, metadata);
	}

}
