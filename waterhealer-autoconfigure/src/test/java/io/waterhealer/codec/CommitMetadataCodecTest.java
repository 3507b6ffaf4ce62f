package io.waterhealer.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import io.waterhealer.ledger.PartitionLedger;
import io.waterhealer.ledger.WindowRuns;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

class CommitMetadataCodecTest {

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
		CommitMetadataCodec.Encoded encoded = CommitMetadataCodec.encode(window.runs(), 4096);
		assertThat(encoded.metadata()).startsWith("wh1r:").hasSizeLessThan(16);
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
		java.util.Arrays.fill(runs, 1);
		CommitMetadataCodec.Encoded encoded = CommitMetadataCodec.encode(runs, 4096);
		assertThat(encoded.metadata()).startsWith("wh1b:");
		assertThat(encoded.completedCovered()).isEqualTo(1_000);
	}

	@Test
	void aWindowTooLargeForTheLimitIsTruncatedAndNeverOverclaims() {
		Random random = new Random(7);
		long[] runs = new long[20_001];
		for (int i = 0; i < runs.length; i++) {
			runs[i] = 1 + random.nextInt(300);
		}
		CommitMetadataCodec.Encoded encoded = CommitMetadataCodec.encode(runs, 4096);
		assertThat(encoded.metadata().length()).isLessThanOrEqualTo(4096);
		assertThat(encoded.complete()).isFalse();
		CompletedOffsets decoded = CommitMetadataCodec.decode(0, encoded.metadata());
		assertThat(decoded.count()).isEqualTo(encoded.completedCovered()).isPositive();
		assertCompletedOnlyWhereRunsSayComplete(runs, decoded);
	}

	@Test
	void metadataWrittenBySomethingElseMeansNothingCompleted() {
		assertThat(CommitMetadataCodec.decode(10, "").isEmpty()).isTrue();
		assertThat(CommitMetadataCodec.decode(10, null).isEmpty()).isTrue();
		assertThat(CommitMetadataCodec.decode(10, "{\"app\":\"other\"}").isEmpty()).isTrue();
		assertThat(CommitMetadataCodec.decode(10, "wh2r:AAAA").isEmpty()).isTrue();
		assertThat(CommitMetadataCodec.decode(10, "wh1r:!!not-base64!!").isEmpty()).isTrue();
		assertThat(CommitMetadataCodec.decode(10, "wh1r:_w").isEmpty()).isTrue();
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
		CommitMetadataCodec.Encoded encoded = CommitMetadataCodec.encode(window.runs(), 4096);
		assertThat(encoded.metadata().length()).isLessThanOrEqualTo(4096);
		CompletedOffsets decoded = CommitMetadataCodec.decode(window.position(), encoded.metadata());
		for (long o : handedOut) {
			if (decoded.contains(o)) {
				assertThat(ledger.isPending(o)).as("offset %d decoded as completed", o).isFalse();
			}
			if (o >= window.position() && !ledger.isPending(o) && encoded.complete()) {
				assertThat(decoded.contains(o)).as("offset %d completed but not decoded", o).isTrue();
			}
		}
	}

	private static void assertCompletedOnlyWhereRunsSayComplete(long[] runs, CompletedOffsets decoded) {
		long offset = 0;
		for (int i = 0; i < runs.length; i++) {
			for (long o = offset; o < offset + runs[i]; o++) {
				if (i % 2 == 0) {
					assertThat(decoded.contains(o)).as("incomplete offset %d", o).isFalse();
				}
			}
			offset += runs[i];
		}
	}

}
