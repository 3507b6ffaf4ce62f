package io.waterhealer.settings;

import java.time.Duration;

import io.waterhealer.InvalidHealingListenerException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Retry tiers as written in {@code retryTopics} or {@code waterhealer.retry.topics}: parsed into delays shortest
 * first, named for their topics, and refused at start-up, naming the setting, when a tier could not have a topic of
 * its own or would wait less than the one before.
 */
class RetryTiersTests {

	private static final SettingName PROPERTY = SettingName.property("waterhealer.retry.topics");

	private static final SettingName ATTRIBUTE = SettingName.attribute("orders", "retryTopics");

	@Test
	void delaysAreParsedShortestFirstAndNameTheirTopics() {
		RetryTiers tiers = SettingChecks.retryTiers(ATTRIBUTE, " 500ms, 10s,1m ,10m,2h,1d", RetryTiers.DEFAULT_SUFFIX);
		assertThat(tiers.enabled()).isTrue();
		assertThat(tiers.tiers()).extracting(RetryTiers.Tier::name)
			.containsExactly("500ms", "10s", "1m", "10m", "2h", "1d");
		assertThat(tiers.tiers()).extracting(RetryTiers.Tier::delay)
			.containsExactly(Duration.ofMillis(500), Duration.ofSeconds(10), Duration.ofMinutes(1),
					Duration.ofMinutes(10), Duration.ofHours(2), Duration.ofDays(1));
		assertThat(tiers.tiers()).extracting(RetryTiers.Tier::index).containsExactly(0, 1, 2, 3, 4, 5);
		assertThat(tiers.topic("orders", tiers.tiers().get(1))).isEqualTo("orders-retry-10s");
	}

	@Test
	void nothingWrittenMeansNoTiers() {
		assertThat(SettingChecks.retryTiers(PROPERTY, "", RetryTiers.DEFAULT_SUFFIX).enabled()).isFalse();
		assertThat(SettingChecks.retryTiers(PROPERTY, " ", RetryTiers.DEFAULT_SUFFIX).enabled()).isFalse();
		assertThat(SettingChecks.retryTiers(PROPERTY, null, RetryTiers.DEFAULT_SUFFIX).enabled()).isFalse();
		assertThat(FailureSettings.DEFAULT.tiers()).isEqualTo(RetryTiers.NONE);
	}

	@Test
	void theSuffixPlacesTheDelayWhereItSays() {
		String suffix = SettingChecks.retryTopicSuffix(SettingName.property("waterhealer.retry.topic-suffix"),
				".retry.{delay}.v1");
		RetryTiers tiers = SettingChecks.retryTiers(PROPERTY, "30s", suffix);
		assertThat(tiers.topic("orders", tiers.tiers().get(0))).isEqualTo("orders.retry.30s.v1");
	}

	@Test
	void delaysThatDoNotGrowAreRefused() {
		assertRejected(() -> SettingChecks.retryTiers(ATTRIBUTE, "1m,10s", RetryTiers.DEFAULT_SUFFIX),
				"@HealingListener 'orders': retryTopics is '1m,10s', whose delay '10s' is not longer than the one "
						+ "before it. Write delays such as 10s,1m,10m: whole numbers with ms, s, m, h or d, shortest "
						+ "first.");
		assertRejected(() -> SettingChecks.retryTiers(PROPERTY, "10s,10s", RetryTiers.DEFAULT_SUFFIX),
				"Property waterhealer.retry.topics is '10s,10s', whose delay '10s' is not longer than the one before "
						+ "it. Write delays such as 10s,1m,10m: whole numbers with ms, s, m, h or d, shortest first.");
		assertRejected(() -> SettingChecks.retryTiers(PROPERTY, "60s,1m", RetryTiers.DEFAULT_SUFFIX),
				"Property waterhealer.retry.topics is '60s,1m', whose delay '1m' is not longer than the one before "
						+ "it. Write delays such as 10s,1m,10m: whole numbers with ms, s, m, h or d, shortest first.");
	}

	@Test
	void delaysThatAreNotPositiveWholeAmountsAreRefused() {
		for (String bad : new String[] { "10", "1.5s", "0s", "-1s", "10 s", "10s,", "PT10S", "1w" }) {
			assertThatExceptionOfType(InvalidHealingListenerException.class)
				.isThrownBy(() -> SettingChecks.retryTiers(PROPERTY, bad, RetryTiers.DEFAULT_SUFFIX))
				.withMessageStartingWith("Property waterhealer.retry.topics is '" + bad + "', whose delay '")
				.withMessageContaining("is not a positive delay");
		}
	}

	@Test
	void aSuffixWithoutTheDelayOrWithCharactersKafkaRefusesIsRefused() {
		SettingName name = SettingName.property("waterhealer.retry.topic-suffix");
		assertRejected(() -> SettingChecks.retryTopicSuffix(name, "-retry"),
				"Property waterhealer.retry.topic-suffix is '-retry', without {delay}, so every tier would share one "
						+ "topic. Use a suffix with {delay} and only letters, digits, '.', '_' and '-' besides, e.g. "
						+ "-retry-{delay}.");
		assertRejected(() -> SettingChecks.retryTopicSuffix(name, "/retry/{delay}"),
				"Property waterhealer.retry.topic-suffix is '/retry/{delay}', which Kafka does not allow in a topic "
						+ "name. Use a suffix with {delay} and only letters, digits, '.', '_' and '-' besides, e.g. "
						+ "-retry-{delay}.");
	}

	private static void assertRejected(Runnable check, String message) {
		assertThatExceptionOfType(InvalidHealingListenerException.class).isThrownBy(check::run).withMessage(message);
	}

}
