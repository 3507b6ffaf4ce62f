package io.waterhealer.codec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import io.waterhealer.codec.CommitMetadataCodec.Kind;
import io.waterhealer.ledger.PartitionLedger;
import io.waterhealer.ledger.WindowRuns;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

class CommitMetadataCodecTests {

	@Test
	void oneStuckOffsetWithTenThousandCompletedBeyondFitsInAFewBytes() {
		PartitionLedger ledger = new PartitionLedger(new TopicPartition("t", 0), 100_000, 1 << 20);
		for (long offset = 0; offset <= 10_000; offset++) {
			ledger.handOut(offset);
		}
		for (long offset = 0; offset <= 10_000; offset++) {
			if (offset != 5) {
				ledger.complete(offset);
			}
		}
		WindowRuns window = ledger.windowRuns();
		assertThat(window.position()).isEqualTo(5);
		CommitMetadataCodec.Encoded encoded = CommitMetadataCodec.encode(window.position(), window.runs(), 4096);
		assertThat(encoded.metadata()).startsWith("wh2r:5:").hasSizeLessThan(16);
		assertThat(encoded.complete()).isTrue();
		CompletedOffsets completed = CommitMetadataCodec.decode(5, encoded.metadata());
		assertThat(completed.count()).isEqualTo(9_995);
		assertThat(completed.contains(5)).isFalse();
		assertThat(completed.contains(6)).isTrue();
		assertThat(completed.contains(10_000)).isTrue();
		assertThat(completed.contains(10_001)).isFalse();
	}

	@Test
	void scatteredCompletionsUseTheBitsetWhenItIsSmaller() {
		long[] runs = new long[2_000];
		Arrays.fill(runs, 1);
		CommitMetadataCodec.Encoded encoded = CommitMetadataCodec.encode(77, runs, 4096);
		assertThat(encoded.metadata()).startsWith("wh2b:77:");
		assertThat(encoded.completedCovered()).isEqualTo(1_000);
	}

	@Test
	void aWindowTooLargeForTheLimitIsTruncatedAndNeverOverclaims() {
		Random random = new Random(7);
		long[] runs = new long[20_001];
		for (int i = 0; i < runs.length; i++) {
			runs[i] = 1 + random.nextInt(300);
		}
		CommitMetadataCodec.Encoded encoded = CommitMetadataCodec.encode(0, runs, 4096);
		assertThat(encoded.metadata().length()).isLessThanOrEqualTo(4096);
		assertThat(encoded.complete()).isFalse();
		CompletedOffsets decoded = CommitMetadataCodec.decode(0, encoded.metadata());
		assertThat(decoded.count()).isEqualTo(encoded.completedCovered()).isPositive();
		assertCompletedOnlyWhereRunsSayComplete(0, runs, decoded);
	}

	@Test
	void metadataWrittenBySomethingElseMeansNothingCompleted() {
		assertThat(CommitMetadataCodec.decode(10, "").isEmpty()).isTrue();
		assertThat(CommitMetadataCodec.decode(10, null).isEmpty()).isTrue();
		assertThat(CommitMetadataCodec.decode(10, "{\"app\":\"other\"}").isEmpty()).isTrue();
		assertThat(CommitMetadataCodec.read(10, "{\"app\":\"other\"}").kind()).isEqualTo(Kind.FOREIGN);
		assertThat(CommitMetadataCodec.read(10, "wh3r:10:AQE").kind()).isEqualTo(Kind.FOREIGN);
	}

	@Test
	void damagedMetadataMeansNothingCompleted() {
		for (String damaged : List.of("wh2r:AAAA", "wh2r:10", "wh2r::AQE", "wh2r:+10:AQE", "wh2r:-10:AQE",
				"wh2r: 10:AQE", "wh2r:10:!!not-base64!!", "wh2r:10:_w", "wh2b:99999999999999999999:AQ")) {
			CommitMetadataCodec.Reading reading = CommitMetadataCodec.read(10, damaged);
			assertThat(reading.kind()).as(damaged).isEqualTo(Kind.DAMAGED);
			assertThat(reading.completed().isEmpty()).as(damaged).isTrue();
		}
	}

	@Test
	void theHeaderCarriesThePositionAndTheMetadataIsTrustedAtThatOffset() {
		CommitMetadataCodec.Encoded encoded = CommitMetadataCodec.encode(1_000, new long[] { 1, 500 }, 4096);
		assertThat(encoded.metadata()).startsWith("wh2r:1000:");
		CommitMetadataCodec.Reading reading = CommitMetadataCodec.read(1_000, encoded.metadata());
		assertThat(reading.kind()).isEqualTo(Kind.TRUSTED);
		assertThat(reading.writtenFor()).isEqualTo(1_000);
		assertThat(reading.completed().count()).isEqualTo(500);
		assertThat(reading.completed().contains(1_000)).isFalse();
		assertThat(reading.completed().contains(1_001)).isTrue();
		assertThat(reading.completed().contains(1_500)).isTrue();
		assertThat(reading.completed().contains(1_501)).isFalse();
	}

	@Test
	void metadataKeptAcrossAMovedOffsetMeansNothingCompleted() {
		for (long[] runs : List.of(new long[] { 1, 500 }, alternatingOnes(2_000))) {
			String metadata = CommitMetadataCodec.encode(1_000, runs, 4096).metadata();
			assertThat(CommitMetadataCodec.decode(1_000, metadata).isEmpty()).isFalse();
			for (long moved : new long[] { 0, 950, 999, 1_001, 1_501, 1L << 40 }) {
				CommitMetadataCodec.Reading reading = CommitMetadataCodec.read(moved, metadata);
				assertThat(reading.kind()).as("%s read at %d", metadata, moved).isEqualTo(Kind.MOVED);
				assertThat(reading.writtenFor()).isEqualTo(1_000);
				assertThat(reading.completed().isEmpty()).isTrue();
			}
		}
	}

	@Test
	void metadataOfTheFirstFormatCannotBeCheckedSoNothingIsCompleted() {
		// what the first format wrote for position 1000, 1001..1500 complete: runs [1, 500] as varints 01 f4 03
		String firstRuns = "wh1r:" + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] { 1, (byte) 0xf4, 3 });
		// and as a bitset: offsets 1001..1007 complete
		String firstBits = "wh1b:" + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] { (byte) 0xfe });
		for (String first : List.of(firstRuns, firstBits)) {
			for (long committed : new long[] { 950, 1_000 }) {
				CommitMetadataCodec.Reading reading = CommitMetadataCodec.read(committed, first);
				assertThat(reading.kind()).as(first).isEqualTo(Kind.UNVERIFIABLE);
				assertThat(reading.completed().isEmpty()).as(first).isTrue();
			}
		}
	}

	@Test
	void theBudgetIncludesTheHeader() {
		Random random = new Random(11);
		long[] sparse = new long[2_001];
		for (int i = 0; i < sparse.length; i++) {
			sparse[i] = 1 + random.nextInt(300);
		}
		long[] position = { 0, 7, 123_456_789, Long.MAX_VALUE / 2 };
		for (long[] runs : List.of(sparse, alternatingOnes(4_000), new long[] { 1, 1_000_000_000_000L })) {
			for (long base : position) {
				for (int maxChars = 0; maxChars <= 80; maxChars++) {
					assertFitsAndNeverOverclaims(base, runs, maxChars);
				}
				assertFitsAndNeverOverclaims(base, runs, 4096);
			}
		}
	}

	@Test
	void aBudgetSmallerThanTheHeaderWritesNothing() {
		long base = 123_456_789_012L;
		int header = ("wh2r:" + base + ":").length();
		assertThat(CommitMetadataCodec.encode(base, new long[] { 1, 5 }, header).metadata()).isEmpty();
		String justFits = CommitMetadataCodec.encode(base, new long[] { 1, 5 }, header + 2).metadata();
		assertThat(justFits).hasSize(header + 2).startsWith("wh2b:" + base + ":");
		assertThat(CommitMetadataCodec.decode(base, justFits).count()).isEqualTo(5);
	}

	private static void assertFitsAndNeverOverclaims(long base, long[] runs, int maxChars) {
		CommitMetadataCodec.Encoded encoded = CommitMetadataCodec.encode(base, runs, maxChars);
		assertThat(encoded.metadata().length()).as("base %d, max %d", base, maxChars).isLessThanOrEqualTo(maxChars);
		CompletedOffsets decoded = CommitMetadataCodec.decode(base, encoded.metadata());
		assertThat(decoded.count()).as("base %d, max %d", base, maxChars).isEqualTo(encoded.completedCovered());
		assertCompletedOnlyWhereRunsSayComplete(base, runs, decoded);
	}

	private static long[] alternatingOnes(int length) {
		long[] runs = new long[length];
		Arrays.fill(runs, 1);
		return runs;
	}

	static LongStream seeds() {
		return LongStream.range(0, 100);
	}

	@ParameterizedTest
	@MethodSource("seeds")
	void roundTripThroughTheLedgerMarksExactlyTheCompletedOffsets(long seed) {
		Random random = new Random(seed);
		PartitionLedger ledger = new PartitionLedger(new TopicPartition("t", 0), 1 << 20, 1 << 22);
		long base = random.nextInt(1_000_000);
		List<Long> handedOut = new ArrayList<>();
		long offset = base;
		int count = 1 + random.nextInt(20_000);
		for (int i = 0; i < count; i++) {
			offset += (random.nextInt(20) == 0) ? 2 : 1;
			ledger.handOut(offset);
			handedOut.add(offset);
		}
		double completeRatio = random.nextDouble();
		for (long o : handedOut) {
			if (random.nextDouble() < completeRatio) {
				ledger.complete(o);
			}
		}
		WindowRuns window = ledger.windowRuns();
		CommitMetadataCodec.Encoded encoded = CommitMetadataCodec.encode(window.position(), window.runs(), 4096);
		assertThat(encoded.metadata().length()).isLessThanOrEqualTo(4096);
		CompletedOffsets decoded = CommitMetadataCodec.decode(window.position(), encoded.metadata());
		assertThat(CommitMetadataCodec.decode(window.position() + 1, encoded.metadata()).isEmpty()).isTrue();
		if (window.position() > 0) {
			assertThat(CommitMetadataCodec.decode(window.position() - 1, encoded.metadata()).isEmpty()).isTrue();
		}
		for (long o : handedOut) {
			if (decoded.contains(o)) {
				assertThat(ledger.isPending(o)).as("offset %d decoded as completed", o).isFalse();
			}
			if (o >= window.position() && !ledger.isPending(o) && encoded.complete()) {
				assertThat(decoded.contains(o)).as("offset %d completed but not decoded", o).isTrue();
			}
		}
	}

	private static void assertCompletedOnlyWhereRunsSayComplete(long base, long[] runs, CompletedOffsets decoded) {
		long offset = base;
		for (int i = 0; i < runs.length; i++) {
			for (long o = offset; i % 2 == 0 && o < offset + runs[i]; o++) {
				assertThat(decoded.contains(o)).as("incomplete offset %d", o).isFalse();
			}
			offset += runs[i];
		}
	}

}
