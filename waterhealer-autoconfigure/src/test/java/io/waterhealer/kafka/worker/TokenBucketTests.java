package io.waterhealer.kafka.worker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The arithmetic of the token bucket, on a clock the test moves. */
class TokenBucketTests {

	private static final long MILLI = 1_000_000;

	@Test
	void aFullBucketAllowsABurstOfOneTenthOfASecondThenOneTokenPerInterval() {
		TokenBucket bucket = new TokenBucket(500, 0);
		assertThat(bucket.capacity()).isEqualTo(50.0);
		for (int i = 0; i < 50; i++) {
			assertThat(bucket.tryTake(1, 0)).isTrue();
		}
		assertThat(bucket.tryTake(1, 0)).isFalse();
		assertThat(bucket.nanosUntil(1, 0)).isEqualTo(2 * MILLI);
		assertThat(bucket.tryTake(1, 2 * MILLI - 1)).isFalse();
		assertThat(bucket.tryTake(1, 2 * MILLI)).isTrue();
		assertThat(bucket.tryTake(1, 2 * MILLI)).isFalse();
	}

	@Test
	void overALongRunTheRateIsTheConfiguredOne() {
		TokenBucket bucket = new TokenBucket(100, 0);
		long taken = 0;
		for (long now = 0; now <= 10_000 * MILLI; now += MILLI) {
			while (bucket.tryTake(1, now)) {
				taken++;
			}
		}
		// ten seconds at 100/s, plus the burst the full bucket started with
		assertThat(taken).isEqualTo(1_000 + 10);
	}

	@Test
	void aQuietSpellFillsTheBucketOnlyUpToItsBurst() {
		TokenBucket bucket = new TokenBucket(100, 0);
		assertThat(bucket.tokens(60_000 * MILLI)).isEqualTo(10.0);
	}

	@Test
	void aSlowRateStillHoldsOneToken() {
		TokenBucket bucket = new TokenBucket(1.0 / 60, 0);
		assertThat(bucket.capacity()).isEqualTo(1.0);
		assertThat(bucket.tryTake(1, 0)).isTrue();
		// a minute, less the rounding that lets a timer set for the due moment find a whole token
		assertThat(bucket.nanosUntil(1, 0)).isCloseTo(60_000 * MILLI, within(1_000L));
		assertThat(bucket.tryTake(1, bucket.nanosUntil(1, 0))).isTrue();
	}

	@Test
	void aBatchLargerThanTheBurstWaitsForAFullBucketAndLeavesItInDebt() {
		TokenBucket bucket = new TokenBucket(100, 0);
		assertThat(bucket.tryTake(25, 0)).isTrue();
		assertThat(bucket.tokens(0)).isEqualTo(-15.0);
		// the debt and a full bucket again: 25 tokens at 100/s
		assertThat(bucket.nanosUntil(25, 0)).isEqualTo(250 * MILLI);
		assertThat(bucket.tryTake(25, 249 * MILLI)).isFalse();
		assertThat(bucket.tryTake(25, 250 * MILLI)).isTrue();
	}

	@Test
	void aRateChangeKeepsTheTokensEarnedAndRefillsAtTheNewRate() {
		TokenBucket bucket = new TokenBucket(100, 0);
		while (bucket.tryTake(1, 0)) {
			// empty the burst
		}
		bucket.rate(1_000, 5 * MILLI);
		assertThat(bucket.tokens(5 * MILLI)).isCloseTo(0.5, within(1e-9));
		assertThat(bucket.capacity()).isEqualTo(100.0);
		assertThat(bucket.nanosUntil(1, 5 * MILLI)).isEqualTo(MILLI / 2);
		bucket.rate(10, 10 * MILLI);
		assertThat(bucket.tokens(10 * MILLI)).isEqualTo(1.0);
	}

}
