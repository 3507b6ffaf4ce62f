package io.waterhealer.settings;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The delay between attempts of a failed record. */
class RetryBackOffTests {

	private final RetryBackOff backOff = new RetryBackOff(Duration.ofMillis(100), 2.0, Duration.ofSeconds(1));

	@Test
	void theFirstRetryWaitsTheInitialDelay() {
		assertThat(this.backOff.delayMillis(1)).isEqualTo(100);
	}

	@Test
	void eachFailedAttemptMultipliesTheDelay() {
		assertThat(this.backOff.delayMillis(2)).isEqualTo(200);
		assertThat(this.backOff.delayMillis(3)).isEqualTo(400);
		assertThat(this.backOff.delayMillis(4)).isEqualTo(800);
	}

	@Test
	void theDelayIsCappedAtTheMaximumEvenAfterSoManyAttemptsThatThePowerOverflows() {
		assertThat(this.backOff.delayMillis(5)).isEqualTo(1_000);
		assertThat(this.backOff.delayMillis(Integer.MAX_VALUE)).isEqualTo(1_000);
	}

	@Test
	void aMultiplierOfOneIsAFixedBackOff() {
		RetryBackOff fixed = new RetryBackOff(Duration.ofMillis(250), 1.0, Duration.ofSeconds(10));
		assertThat(fixed.delayMillis(1)).isEqualTo(250);
		assertThat(fixed.delayMillis(50)).isEqualTo(250);
	}

	@Test
	void noFailedAttemptYetCountsAsTheFirst() {
		assertThat(this.backOff.delayMillis(0)).isEqualTo(100);
	}

	@Test
	void theDefaultsAreAHundredMillisecondsDoublingUpToTenSeconds() {
		assertThat(RetryBackOff.DEFAULT.delayMillis(1)).isEqualTo(100);
		assertThat(RetryBackOff.DEFAULT.delayMillis(2)).isEqualTo(200);
		assertThat(RetryBackOff.DEFAULT.delayMillis(30)).isEqualTo(10_000);
	}

}
