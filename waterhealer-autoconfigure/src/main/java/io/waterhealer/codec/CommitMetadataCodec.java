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
 * (the broker's {@code offset.metadata.max.bytes}, 4096 by default) wins, the shorter on a tie:
 * <ul>
 * <li>{@code wh1r:} run lengths as unsigned LEB128 varints: tiny when failures are few;</li>
 * <li>{@code wh1b:} one bit per offset, 1 = complete: bounded when completions are scattered.</li>
 * </ul>
 * The payload is URL-safe Base64 without padding. When even the better form does not fit, only a prefix of the
 * window is written: offsets beyond it read back as incomplete, so they are processed again; nothing is skipped
 * that was not complete. Metadata that does not start with {@code wh1} (written by another tool or a later format)
 * reads back as nothing completed.
 */
public final class CommitMetadataCodec {

	/** Prefix of every metadata string this version writes; the digit is the format version. */
	public static final String VERSION_PREFIX = "wh1";

	private static final String RUNS = VERSION_PREFIX + "r:";

	private static final String BITS = VERSION_PREFIX + "b:";

	/** Kafka's default {@code offset.metadata.max.bytes}. */
	public static final int DEFAULT_MAX_CHARS = 4096;

	private CommitMetadataCodec() {
	}

	/**
	 * Encode a window.
	 * @param runs alternating run lengths over {@code [position, end)}, incomplete first
	 * @param maxChars the longest metadata string allowed
	 * @return the metadata and how much of the window it covers
	 */
	public static Encoded encode(long[] runs, int maxChars) {
		if (runs.length < 2) {
			return new Encoded("", 0, 0, true);
		}
		long window = 0;
		for (long run : runs) {
			window += run;
		}
		int budget = payloadBytes(maxChars - RUNS.length());
		Encoded byRuns = encodeRuns(runs, budget);
		Encoded byBits = encodeBits(runs, window, budget);
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
	 * Decode metadata written for a commit of {@code committedOffset}.
	 * @param committedOffset the committed offset the metadata belongs to
	 * @param metadata the metadata string, possibly written by something else
	 * @return the completed offsets, empty when the metadata is not ours or is damaged
	 */
	public static CompletedOffsets decode(long committedOffset, @Nullable String metadata) {
		if (metadata == null || committedOffset < 0) {
			return CompletedOffsets.none();
		}
		try {
			if (metadata.startsWith(RUNS)) {
				return decodeRuns(committedOffset, Base64.getUrlDecoder().decode(metadata.substring(RUNS.length())));
			}
			if (metadata.startsWith(BITS)) {
				return decodeBits(committedOffset, Base64.getUrlDecoder().decode(metadata.substring(BITS.length())));
			}
		}
		catch (IllegalArgumentException ex) {
			// damaged: treat as nothing completed, which only costs re-processing
		}
		return CompletedOffsets.none();
	}

	/** Whether the metadata was written by this codec (in any version this one can read). */
	public static boolean isOurs(@Nullable String metadata) {
		return metadata != null && (metadata.startsWith(RUNS) || metadata.startsWith(BITS));
	}

	private static Encoded encodeRuns(long[] runs, int budget) {
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
		String metadata = (written < 2) ? "" : RUNS + Base64.getUrlEncoder().withoutPadding().encodeToString(out.toByteArray());
		return new Encoded(metadata, (written < 2) ? 0 : covered, (written < 2) ? 0 : completed, complete);
	}

	private static Encoded encodeBits(long[] runs, long window, int budget) {
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
		String metadata = BITS + Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
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

}
