package io.waterhealer.settings;

import java.util.concurrent.TimeUnit;

import io.waterhealer.InvalidHealingListenerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The text forms of a rate limit, what they mean, and how a wrong one is reported. */
class RateLimitTests {

	@Test
	void perSecondMinuteAndHourAreRead() {
		assertThat(RateLimit.parse("500/s")).isEqualTo(new RateLimit(500, TimeUnit.SECONDS));
		assertThat(RateLimit.parse(" 90/M ")).isEqualTo(new RateLimit(90, TimeUnit.MINUTES));
		assertThat(RateLimit.parse("7200/h")).isEqualTo(new RateLimit(7200, TimeUnit.HOURS));
		assertThat(RateLimit.parse("500/s").perSecond()).isEqualTo(500.0);
		assertThat(RateLimit.parse("90/m").perSecond()).isEqualTo(1.5);
		assertThat(RateLimit.parse("7200/h").perSecond()).isEqualTo(2.0);
	}

	@Test
	void unlimitedLimitsNothing() {
		assertThat(RateLimit.parse("Unlimited")).isSameAs(RateLimit.unlimited());
		assertThat(RateLimit.unlimited().isUnlimited()).isTrue();
		assertThat(RateLimit.unlimited().perSecond()).isInfinite();
		assertThat(RateLimit.parse("1/h").isUnlimited()).isFalse();
		assertThat(new RateLimit(0, TimeUnit.HOURS)).isEqualTo(RateLimit.unlimited()).hasToString("unlimited");
	}

	@Test
	void theTextFormReadsBackAsTheSameRate() {
		for (String text : new String[] { "500/s", "90/m", "7200/h", "unlimited" }) {
			assertThat(RateLimit.parse(text)).hasToString(text);
			assertThat(RateLimit.parse(RateLimit.parse(text).toString())).isEqualTo(RateLimit.parse(text));
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "500", "0/s", "-5/s", "+5/s", "5/d", "5/sec", "5 per second", "1e3/s", "5//s", "/s",
			"5.5/s", "١٢/s", "9999999999999/s", "none" })
	void anythingElseIsRefusedWithTheFormsThatWork(String text) {
		assertThatIllegalArgumentException().isThrownBy(() -> RateLimit.parse(text))
			.withMessage("'" + text + "' is no rate; write N/s, N/m or N/h with N a whole number of at least 1 "
					+ "(e.g. 500/s), or unlimited");
	}

	@Test
	void aWrongAttributeOrPropertyIsNamedWithTheFix() {
		SettingName attribute = SettingName.attribute("orders", "rate",
				"or leave it empty for waterhealer.listener.rate");
		assertThat(SettingChecks.rate(attribute, "250/m")).isEqualTo(new RateLimit(250, TimeUnit.MINUTES));
		assertThatExceptionOfType(InvalidHealingListenerException.class)
			.isThrownBy(() -> SettingChecks.rate(attribute, "500 per second"))
			.withMessage("@HealingListener 'orders': rate is '500 per second'. Write N/s, N/m or N/h with N a whole "
					+ "number of at least 1 (e.g. 500/s), or unlimited, or leave it empty for "
					+ "waterhealer.listener.rate.");
		assertThatExceptionOfType(InvalidHealingListenerException.class)
			.isThrownBy(() -> SettingChecks.rate(SettingName.property("waterhealer.listener.rate"), "0/s"))
			.withMessage("Property waterhealer.listener.rate is '0/s'. Write N/s, N/m or N/h with N a whole number "
					+ "of at least 1 (e.g. 500/s), or unlimited.");
	}

}
