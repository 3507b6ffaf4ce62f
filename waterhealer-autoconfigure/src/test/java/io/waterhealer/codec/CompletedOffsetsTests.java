package io.waterhealer.codec;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lookups usually come in offset order, which the cursor serves in O(1), but any order must give the same answers:
 * a lookup behind the cursor, including one after a lookup past the last range, searches instead.
 */
class CompletedOffsetsTests {

	private final CompletedOffsets offsets = new CompletedOffsets(new long[] { 1, 5, 6, 10 });

	@Test
	void aLookupPastTheLastRangeDoesNotHideTheEarlierOnes() {
		assertThat(this.offsets.contains(2)).isTrue();
		assertThat(this.offsets.contains(50)).isFalse();
		assertThat(this.offsets.contains(2)).isTrue();
		assertThat(this.offsets.contains(7)).isTrue();
		assertThat(this.offsets.contains(5)).isFalse();
		assertThat(this.offsets.contains(0)).isFalse();
		assertThat(this.offsets.contains(9)).isTrue();
	}

	@Test
	void lookupsInAnyOrderAgreeWithTheRanges() {
		Random random = new Random(42);
		for (int i = 0; i < 10_000; i++) {
			long offset = random.nextInt(14) - 1;
			boolean expected = (offset >= 1 && offset < 5) || (offset >= 6 && offset < 10);
			assertThat(this.offsets.contains(offset)).as("offset %d, lookup %d", offset, i).isEqualTo(expected);
		}
	}

}
