package io.waterhealer.codec;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Base64;

import org.jspecify.annotations.Nullable;

/**
 * Writes the offsets completed beyond a committed position into the commit's metadata string, and reads them back
 * after a restart or rebalance, so that the next owner of the partition skips them instead of processing them again
 * (water-healer and spring-kafka re-process every record completed beyond a gap).
 * <p>
 * The window {@code [position, end)} is described as alternating runs, incomplete first (the position itself is
 * incomplete by definition). Two forms are written, and the one that covers more of the window in the space allowed
 * (the broker's {@code offset.metadata.max.bytes}, 4096 by default, header included) wins, the shorter on a tie:
 * <ul>
 * <li>{@code wh2r:<position>:} run lengths as unsigned LEB128 varints: tiny when failures are few;</li>
 * <li>{@code wh2b:<position>:} one bit per offset, 1 = complete: bounded when completions are scattered.</li>
 * </ul>
 * The payload is URL-safe Base64 without padding. When even the better form does not fit, only a prefix of the
 * window is written: offsets beyond it read back as incomplete, so they are processed again; nothing is skipped
 * that was not complete.
 * <p>
 * <b>Why the position is in the header.</b> The runs are relative to the offset they were written for, and Kafka
 * keeps a commit's metadata as an opaque string beside its offset. Tools that move a group's offset keep the string:
 * MirrorMaker 2's checkpoints ({@code Checkpoint.offsetAndMetadata()}, used by its group offset sync and by
 * {@code RemoteClusterUtils.translateOffsets} on failover) pair the translated offset with the source's metadata, and
 * {@code Admin.alterConsumerGroupOffsets} writes whatever metadata the operator passes, often the old one. Read
 * against the moved offset, the runs would name records that were never processed and the new owner would skip
 * them. So a reader trusts the metadata only when the position in its header equals the committed offset it came
 * with ({@link Kind#MOVED} otherwise); a mismatch costs re-processing from the committed offset, never a loss.
 * <p>
 * The topic id is not in the header: the consumer API of kafka-clients 4.1 never shows one to its caller
 * ({@code partitionsFor} returns {@code PartitionInfo}, records and rebalance callbacks carry {@code TopicPartition});
 * only {@code Admin.describeTopics(...).topicId()} does, which would take an admin client and a round trip per
 * assignment on the consumer thread.
 * <p>
 * Metadata in the first format ({@code wh1r:} / {@code wh1b:}, no position) is read as nothing completed
 * ({@link Kind#UNVERIFIABLE}): nothing tells whether its offset was moved since it was written, and only ignoring it
 * is safe (re-processing, never loss). Anything else (another tool's metadata, a later format, a damaged string)
 * reads back as nothing completed too.
 */
public final class CommitMetadataCodec {

	/** Prefix of every metadata string this version writes; the digit is the format version. */
	public static final String VERSION_PREFIX = "wh2";

	private static final String RUNS = VERSION_PREFIX + "r:";

	private static final String BITS = VERSION_PREFIX + "b:";

	/** The first format, without the position: recognised only to say why it is ignored. */
	private static final String FIRST_RUNS = "wh1r:";

	private static final String FIRST_BITS = "wh1b:";

	private static final char HEADER_END = ':';

	/** Kafka's default {@code offset.metadata.max.bytes}. */
	public static final int DEFAULT_MAX_CHARS = 4096;

	private CommitMetadataCodec() {
	}

	/**
	 * Encode a window.
	 * @param position the offset to be committed with the metadata: where the runs start
	 * @param runs alternating run lengths over {@code [position, end)}, incomplete first
	 * @param maxChars the longest metadata string allowed, header included
	 * @return the metadata and how much of the window it covers
	 */
	public static Encoded encode(long position, long[] runs, int maxChars) {
		if (runs.length < 2 || position < 0) {
			return new Encoded("", 0, 0, runs.length < 2);
		}
		long window = 0;
		for (long run : runs) {
			window += run;
		}
		String runsHeader = RUNS + position + HEADER_END;
		String bitsHeader = BITS + position + HEADER_END;
		Encoded byRuns = encodeRuns(runsHeader, runs, payloadBytes(maxChars - runsHeader.length()));
		Encoded byBits = encodeBits(bitsHeader, runs, window, payloadBytes(maxChars - bitsHeader.length()));
		Encoded best;
		if (byRuns.completedCovered() != byBits.completedCovered()) {
			best = (byRuns.completedCovered() > byBits.completedCovered()) ? byRuns : byBits;
		}
		else {
			best = (byRuns.metadata().length() <= byBits.metadata().length()) ? byRuns : byBits;
		}
		return best;
	}

	/**
	 * The offsets completed beyond {@code committedOffset}, or none unless the metadata is {@link Kind#TRUSTED}.
	 * @param committedOffset the committed offset the metadata arrived with
	 * @param metadata the metadata string, possibly written by something else
	 * @return the completed offsets
	 */
	public static CompletedOffsets decode(long committedOffset, @Nullable String metadata) {
		return read(committedOffset, metadata).completed();
	}

	/**
	 * Read metadata that arrived with a commit of {@code committedOffset}, and say whether it can be trusted.
	 * @param committedOffset the committed offset the metadata arrived with
	 * @param metadata the metadata string, possibly written by something else
	 * @return what the metadata is, and the completed offsets when it is trusted
	 */
	public static Reading read(long committedOffset, @Nullable String metadata) {
		if (metadata == null || committedOffset < 0) {
			return Reading.FOREIGN;
		}
		boolean runs = metadata.startsWith(RUNS);
		if (!runs && !metadata.startsWith(BITS)) {
			return (metadata.startsWith(FIRST_RUNS) || metadata.startsWith(FIRST_BITS)) ? Reading.UNVERIFIABLE
					: Reading.FOREIGN;
		}
		try {
			int headerEnd = metadata.indexOf(HEADER_END, RUNS.length());
			long writtenFor = parsePosition(metadata, RUNS.length(), headerEnd);
			if (writtenFor != committedOffset) {
				return new Reading(Kind.MOVED, CompletedOffsets.none(), writtenFor);
			}
			byte[] payload = Base64.getUrlDecoder().decode(metadata.substring(headerEnd + 1));
			CompletedOffsets completed = runs ? decodeRuns(committedOffset, payload)
					: decodeBits(committedOffset, payload);
			return new Reading(Kind.TRUSTED, completed, writtenFor);
		}
		catch (IllegalArgumentException ex) {
			// damaged: treat as nothing completed, which only costs re-processing
			return Reading.DAMAGED;
		}
	}

	/** Decimal digits only: a sign or a blank would make a position that was never written. */
	private static long parsePosition(String metadata, int start, int end) {
		if (end <= start || end - start > 19) {
			throw new IllegalArgumentException("no position");
		}
		for (int i = start; i < end; i++) {
			char c = metadata.charAt(i);
			if (c < '0' || c > '9') {
				throw new IllegalArgumentException("position is not a number");
			}
		}
		return Long.parseLong(metadata, start, end, 10);
	}

	private static Encoded encodeRuns(String header, long[] runs, int budget) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		long covered = 0;
		long completed = 0;
		int written = 0;
		byte[] varint = new byte[10];
		for (int i = 0; i < runs.length; i++) {
			int length = writeVarint(varint, runs[i]);
			if (out.size() + length > budget) {
				break;
			}
			out.write(varint, 0, length);
			covered += runs[i];
			if (i % 2 == 1) {
				completed += runs[i];
			}
			written++;
		}
		boolean complete = written == runs.length;
		String metadata = (written < 2) ? ""
				: header + Base64.getUrlEncoder().withoutPadding().encodeToString(out.toByteArray());
		return new Encoded(metadata, (written < 2) ? 0 : covered, (written < 2) ? 0 : completed, complete);
	}

	private static Encoded encodeBits(String header, long[] runs, long window, int budget) {
		long coveredBits = Math.min(window, 8L * budget);
		if (coveredBits <= 0) {
			return new Encoded("", 0, 0, false);
		}
		byte[] bits = new byte[(int) ((coveredBits + 7) / 8)];
		long offset = 0;
		long completed = 0;
		for (int i = 0; i < runs.length && offset < coveredBits; i++) {
			long end = Math.min(offset + runs[i], coveredBits);
			if (i % 2 == 1) {
				for (long bit = offset; bit < end; bit++) {
					bits[(int) (bit >>> 3)] |= (byte) (1 << (bit & 7));
				}
				completed += end - offset;
			}
			offset = end;
		}
		String metadata = header + Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
		return new Encoded(metadata, coveredBits, completed, coveredBits == window);
	}

	private static CompletedOffsets decodeRuns(long base, byte[] payload) {
		long[] ranges = new long[16];
		int count = 0;
		long offset = base;
		int index = 0;
		boolean completeRun = false;
		while (index < payload.length) {
			long value = 0;
			int shift = 0;
			byte b;
			do {
				if (index >= payload.length || shift > 63) {
					throw new IllegalArgumentException("truncated varint");
				}
				b = payload[index++];
				value |= (long) (b & 0x7f) << shift;
				shift += 7;
			}
			while ((b & 0x80) != 0);
			if (value < 0) {
				throw new IllegalArgumentException("negative run");
			}
			if (completeRun && value > 0) {
				if (count + 2 > ranges.length) {
					ranges = Arrays.copyOf(ranges, ranges.length * 2);
				}
				ranges[count++] = offset;
				ranges[count++] = offset + value;
			}
			offset += value;
			completeRun = !completeRun;
		}
		return new CompletedOffsets(Arrays.copyOf(ranges, count));
	}

	private static CompletedOffsets decodeBits(long base, byte[] payload) {
		long[] ranges = new long[16];
		int count = 0;
		long start = -1;
		long bitsTotal = 8L * payload.length;
		for (long bit = 0; bit <= bitsTotal; bit++) {
			boolean set = bit < bitsTotal && (payload[(int) (bit >>> 3)] & (1 << (bit & 7))) != 0;
			if (set && start < 0) {
				start = base + bit;
			}
			else if (!set && start >= 0) {
				if (count + 2 > ranges.length) {
					ranges = Arrays.copyOf(ranges, ranges.length * 2);
				}
				ranges[count++] = start;
				ranges[count++] = base + bit;
				start = -1;
			}
		}
		return new CompletedOffsets(Arrays.copyOf(ranges, count));
	}

	private static int writeVarint(byte[] buffer, long value) {
		int length = 0;
		long remaining = value;
		while ((remaining & ~0x7FL) != 0) {
			buffer[length++] = (byte) ((remaining & 0x7F) | 0x80);
			remaining >>>= 7;
		}
		buffer[length++] = (byte) remaining;
		return length;
	}

	/** Raw bytes whose URL-safe unpadded Base64 form fits in {@code chars} characters. */
	private static int payloadBytes(int chars) {
		return Math.max(0, (chars / 4) * 3 + Math.max(0, (chars % 4) - 1));
	}

	/**
	 * An encoded window.
	 *
	 * @param metadata the metadata string, empty when nothing is worth writing
	 * @param offsetsCovered offsets of the window (from the position) that the metadata describes
	 * @param completedCovered completed offsets among them: records a restart will skip
	 * @param complete whether the whole window fitted
	 */
	public record Encoded(String metadata, long offsetsCovered, long completedCovered, boolean complete) {

	}

	/** What a metadata string is, as far as this codec can tell. */
	public enum Kind {

		/** Written by this version for the committed offset it came with: its completed offsets can be skipped. */
		TRUSTED,

		/** Written by this version for another offset: the committed offset was moved since. */
		MOVED,

		/** Written by the first version, which did not record its offset: it cannot be checked. */
		UNVERIFIABLE,

		/** Starts like this version's metadata but cannot be read. */
		DAMAGED,

		/** Empty, or written by something else. */
		FOREIGN

	}

	/**
	 * Metadata as read.
	 *
	 * @param kind what it is
	 * @param completed the completed offsets, empty unless {@link Kind#TRUSTED}
	 * @param writtenFor the offset it was written for, -1 when it does not say
	 */
	public record Reading(Kind kind, CompletedOffsets completed, long writtenFor) {

		static final Reading FOREIGN = new Reading(Kind.FOREIGN, CompletedOffsets.none(), -1);

		static final Reading UNVERIFIABLE = new Reading(Kind.UNVERIFIABLE, CompletedOffsets.none(), -1);

		static final Reading DAMAGED = new Reading(Kind.DAMAGED, CompletedOffsets.none(), -1);

	}

}
