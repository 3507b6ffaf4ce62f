package io.waterhealer.settings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.waterhealer.ledger.OffsetLedger;
import org.jspecify.annotations.Nullable;

/**
 * Every check of a listener setting, in one place, so that a value means the same and is rejected with the same
 * words whether it comes from a {@code waterhealer.*} property or from a {@code @HealingListener} attribute. Each
 * check returns the value it accepted, or throws the {@link io.waterhealer.InvalidHealingListenerException} that
 * names the setting (through its {@link SettingName}), what is wrong and the fix, so that a wrong value stops the
 * start-up instead of a listener running half-configured.
 * <p>
 * A value the caller already holds as a number or a duration (a bound property) is shown as is ({@code is 0}); a
 * value still in its text form (an annotation attribute after placeholder resolution, a property read before
 * binding) is shown quoted ({@code is 'abc'}), so that stray spaces stay visible.
 */
public final class SettingChecks {

	private static final Pattern LEGAL_TOPIC_CHARACTERS = Pattern.compile("[a-zA-Z0-9._-]+");

	private static final Pattern TIER_DELAY = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");

	private static final String WHOLE_NUMBER = "Set it to a whole number of at least 1";

	private static final String ATTEMPTS = "Set it to a whole number of at least 1, or -1 for unlimited.";

	private SettingChecks() {
	}

	/**
	 * A count that must be at least 1 (parallelism, concurrency, max-in-flight, batch size).
	 * @param name the setting
	 * @param value the bound value
	 * @return the value
	 */
	public static int atLeastOne(SettingName name, int value) {
		if (value < 1) {
			throw name.invalid("is " + value, name.fix(WHOLE_NUMBER));
		}
		return value;
	}

	/**
	 * A count that must be at least 1, given as text.
	 * @param name the setting
	 * @param text the text, not empty; surrounding spaces are ignored
	 * @return the number
	 */
	public static int atLeastOne(SettingName name, String text) {
		Integer parsed = parseInt(text);
		if (parsed == null || parsed < 1) {
			throw name.invalid("is '" + text + "'", name.fix(WHOLE_NUMBER));
		}
		return parsed;
	}

	/**
	 * Attempts per record: at least 1, or {@link FailureSettings#UNLIMITED}.
	 * @param name the setting
	 * @param value the bound value
	 * @return the value
	 */
	public static int maxAttempts(SettingName name, int value) {
		if (!isMaxAttempts(value)) {
			throw name.invalid("is " + value, ATTEMPTS);
		}
		return value;
	}

	/**
	 * Attempts per record given as text: at least 1, or {@link FailureSettings#UNLIMITED}.
	 * @param name the setting
	 * @param text the text, not empty; surrounding spaces are ignored
	 * @return the number
	 */
	public static int maxAttempts(SettingName name, String text) {
		Integer parsed = parseInt(text);
		if (parsed == null || !isMaxAttempts(parsed)) {
			throw name.invalid("is '" + text + "'", ATTEMPTS);
		}
		return parsed;
	}

	/**
	 * The window of offsets at which a partition pauses: never below the records in flight that pause it first, or
	 * the partition would pause before the in-flight limit could ever be reached.
	 * @param name the max-span setting
	 * @param maxSpan its value
	 * @param maxInFlightName the max-in-flight setting
	 * @param maxInFlight its value
	 * @return the max span
	 */
	public static long maxSpan(SettingName name, long maxSpan, SettingName maxInFlightName, int maxInFlight) {
		if (maxSpan < maxInFlight) {
			throw name.invalid("is " + maxSpan + ", below " + maxInFlightName.setting() + " (" + maxInFlight + ")",
					"Set it to at least max-in-flight; the default is " + OffsetLedger.DEFAULT_MAX_SPAN + ".");
		}
		return maxSpan;
	}

	/**
	 * The longest commit metadata: zero (none) or more.
	 * @param name the setting
	 * @param value the bound value
	 * @return the value
	 */
	public static int metadataMaxChars(SettingName name, int value) {
		if (value < 0) {
			throw name.invalid("is " + value,
					"Set it to 0 (no metadata) or up to the broker's offset.metadata.max.bytes (4096 by default).");
		}
		return value;
	}

	/**
	 * A time that must pass before something happens (commit interval, back-off, batch timeout, health checks): a
	 * zero or negative one would spin.
	 * @param name the setting
	 * @param value the bound value
	 * @return the value
	 */
	public static Duration positive(SettingName name, Duration value) {
		if (!isPositive(value)) {
			throw name.invalid("is " + value, name.fix("Set it to a positive duration, e.g. 1s or 500ms"));
		}
		return value;
	}

	/**
	 * A positive time given as text.
	 * @param name the setting
	 * @param text the text, not empty
	 * @param parser the duration format of the caller's environment (e.g. Spring Boot's {@code 500ms} or
	 * {@code PT0.5S}); an {@link IllegalArgumentException} from it means the text is no duration
	 * @return the duration
	 */
	public static Duration positive(SettingName name, String text, Function<String, Duration> parser) {
		Duration parsed;
		try {
			parsed = parser.apply(text);
		}
		catch (IllegalArgumentException ex) {
			parsed = Duration.ZERO;
		}
		if (!isPositive(parsed)) {
			throw name.invalid("is '" + text + "'", name.fix("Set a positive duration such as 500ms or 2s"));
		}
		return parsed;
	}

	/**
	 * A wait that may be zero (do not wait) but not negative (drain timeout, shutdown delay).
	 * @param name the setting
	 * @param value the bound value
	 * @param example a typical value for the fix, e.g. {@code 5s}
	 * @return the value
	 */
	public static Duration notNegative(SettingName name, Duration value, String example) {
		if (value.isNegative()) {
			throw name.invalid("is " + value, "Set it to zero or a positive duration, e.g. " + example + ".");
		}
		return value;
	}

	/**
	 * A wait that may be zero but not negative, given as text (an annotation attribute).
	 * @param name the setting
	 * @param text the text, not empty
	 * @param parser the duration format of the caller's environment; an {@link IllegalArgumentException} from it
	 * means the text is no duration
	 * @param example a typical value for the fix, e.g. {@code 5m}
	 * @return the duration
	 */
	public static Duration notNegative(SettingName name, String text, Function<String, Duration> parser,
			String example) {
		Duration parsed;
		try {
			parsed = parser.apply(text);
		}
		catch (IllegalArgumentException ex) {
			parsed = Duration.ofNanos(-1);
		}
		if (parsed.isNegative()) {
			throw name.invalid("is '" + text + "'",
					name.fix("Set zero (no limit) or a positive duration such as " + example));
		}
		return parsed;
	}

	/**
	 * The growth of the back-off per attempt: 1 (fixed) or more, and finite.
	 * @param name the setting
	 * @param value the bound value
	 * @return the value
	 */
	public static double multiplier(SettingName name, double value) {
		if (!(value >= 1.0) || Double.isInfinite(value)) {
			throw name.invalid("is " + value, "Set it to 1 (fixed back-off) or more (exponential back-off).");
		}
		return value;
	}

	/**
	 * The longest back-off, which cannot be shorter than the first.
	 * @param name the max-interval setting
	 * @param maxInterval its value
	 * @param initialName the initial-interval setting
	 * @param initial its value
	 * @return the max interval
	 */
	public static Duration maxInterval(SettingName name, Duration maxInterval, SettingName initialName,
			Duration initial) {
		if (maxInterval.compareTo(initial) < 0) {
			throw name.invalid(
					"is " + maxInterval + ", shorter than " + initialName.setting() + " (" + initial + ")",
					"Set it to at least the initial interval.");
		}
		return maxInterval;
	}

	/**
	 * The suffix of the default dead-letter topic: not empty (dead letters would go back to their own topic) and
	 * made of characters Kafka allows in a topic name.
	 * @param name the setting
	 * @param suffix the bound value
	 * @return the suffix
	 */
	public static String deadLetterSuffix(SettingName name, @Nullable String suffix) {
		if (suffix == null || suffix.isBlank()) {
			throw name.invalid("is empty, so dead letters would go back to the topic they came from",
					"Set a suffix such as -dlt, or name a deadLetterTopic on the listener.");
		}
		if (!LEGAL_TOPIC_CHARACTERS.matcher(suffix).matches()) {
			throw name.invalid("is '" + suffix + "', which Kafka does not allow in a topic name",
					"Use only letters, digits, '.', '_' and '-', e.g. -dlt.");
		}
		return suffix;
	}

	/**
	 * Classes a failure is matched against: each must be an exception type, or it would never match. The binder
	 * checks the generic type only at compile time, so a property can still name any class.
	 * @param name the setting
	 * @param types the bound classes
	 * @return an unmodifiable copy of the types
	 */
	public static List<Class<? extends Throwable>> exceptionTypes(SettingName name,
			List<Class<? extends Throwable>> types) {
		for (Class<?> type : types) {
			if (!Throwable.class.isAssignableFrom(type)) {
				throw name.invalid("names " + type.getName() + ", which is not an exception, so it would never match",
						"List exception classes only, e.g. java.lang.IllegalArgumentException.");
			}
		}
		return List.copyOf(types);
	}

	/**
	 * One constant of an enum chosen in an array attribute, which is an array only so that it can be left empty.
	 * @param <E> the enum
	 * @param name the setting
	 * @param chosen the constants given, at most one
	 * @param fallback the value when none is given
	 * @return the chosen constant, or the fallback
	 */
	public static <E extends Enum<E>> E oneOf(SettingName name, E[] chosen, E fallback) {
		if (chosen.length > 1) {
			throw name.invalid("names " + Arrays.toString(chosen), "Choose one of " + choices(fallback) + ".");
		}
		return (chosen.length == 1) ? chosen[0] : fallback;
	}

	/**
	 * A switch given as text: {@code true} or {@code false} in any case, nothing else.
	 * @param name the setting
	 * @param text the text, not empty; surrounding spaces are ignored
	 * @return the switch
	 */
	public static boolean bool(SettingName name, String text) {
		String trimmed = text.trim();
		if ("true".equalsIgnoreCase(trimmed) || "false".equalsIgnoreCase(trimmed)) {
			return Boolean.parseBoolean(trimmed);
		}
		// a property is read before binding, so nothing else in the message says which type was expected
		throw name.invalid(name.isProperty() ? "is '" + text + "', not a boolean" : "is '" + text + "'",
				name.fix("Set it to true or false"));
	}

	/**
	 * The JVM's exit status after a shutdown: one an orchestrator sees as a failure, from 1 to 255.
	 * @param name the setting
	 * @param value the bound value
	 * @return the value
	 */
	public static int exitCode(SettingName name, int value) {
		if (value == 0) {
			throw name.invalid("is 0", "Set a non-zero status, so that Kubernetes or systemd sees the exit as a "
					+ "failure and restarts the application.");
		}
		if (value < 1 || value > 255) {
			throw name.invalid(
					"is " + value + ", outside 1..255, so the orchestrator would see the status modulo 256 ("
							+ (value & 0xFF) + ")",
					"Set a status from 1 to 255, e.g. 1.");
		}
		return value;
	}

	/**
	 * Records in a row that fail the same way before the dead-letter storm guard stops the policy: 0 (off) or more.
	 * @param name the setting
	 * @param value the bound value
	 * @return the value
	 */
	public static int stormThreshold(SettingName name, int value) {
		if (value < 0) {
			throw name.invalid("is " + value,
					"Set it to a whole number of at least 1 (e.g. 100), or 0 to turn the dead-letter storm guard off.");
		}
		return value;
	}

	/**
	 * Records a listener may start per second, minute or hour: {@code N/s}, {@code N/m}, {@code N/h} or
	 * {@code unlimited}, given as text (an annotation attribute, a property).
	 * @param name the setting
	 * @param text the text; surrounding spaces and case are ignored
	 * @return the rate
	 */
	public static RateLimit rate(SettingName name, String text) {
		try {
			return RateLimit.parse(text);
		}
		catch (IllegalArgumentException ex) {
			throw name.invalid("is '" + text + "'", name.fix("Write " + RateLimit.FORMS));
		}
	}

	/**
	 * Retry tiers written as delays, shortest first ({@code "10s,1m,10m"}); empty for none. A delay is a whole
	 * number and one of {@code ms}, {@code s}, {@code m}, {@code h}, {@code d}, because it becomes part of a topic
	 * name; each must be longer than the one before, so no two tiers share a topic and a record never waits less
	 * on a later tier.
	 * @param name the setting
	 * @param text the delays, comma-separated
	 * @param suffix the checked tier topic suffix
	 * @return the tiers
	 */
	public static RetryTiers retryTiers(SettingName name, @Nullable String text, String suffix) {
		List<RetryTiers.Tier> tiers = new ArrayList<>();
		if (text == null || text.isBlank()) {
			return new RetryTiers(tiers, suffix);
		}
		String fix = "Write delays such as 10s,1m,10m: whole numbers with ms, s, m, h or d, shortest first.";
		for (String part : text.split(",", -1)) {
			Matcher delay = TIER_DELAY.matcher(part.trim());
			if (!delay.matches() || Long.parseLong(delay.group(1)) < 1) {
				throw name.invalid("is '" + text + "', whose delay '" + part.trim() + "' is not a positive delay", fix);
			}
			long amount = Long.parseLong(delay.group(1));
			Duration duration = switch (delay.group(2)) {
				case "ms" -> Duration.ofMillis(amount);
				case "s" -> Duration.ofSeconds(amount);
				case "m" -> Duration.ofMinutes(amount);
				case "h" -> Duration.ofHours(amount);
				default -> Duration.ofDays(amount);
			};
			if (!tiers.isEmpty() && duration.compareTo(tiers.get(tiers.size() - 1).delay()) <= 0) {
				throw name.invalid("is '" + text + "', whose delay '" + part.trim() + "' is not longer than the one "
						+ "before it", fix);
			}
			tiers.add(new RetryTiers.Tier(tiers.size(), part.trim(), duration));
		}
		return new RetryTiers(tiers, suffix);
	}

	/**
	 * The suffix of retry tier topics: it must name the tier, so that each tier has a topic of its own.
	 * @param name the setting
	 * @param suffix the suffix
	 * @return the suffix
	 */
	public static String retryTopicSuffix(SettingName name, @Nullable String suffix) {
		String fix = "Use a suffix with " + RetryTiers.DELAY_PLACEHOLDER + " and only letters, digits, '.', '_' and "
				+ "'-' besides, e.g. " + RetryTiers.DEFAULT_SUFFIX + ".";
		if (suffix == null || !suffix.contains(RetryTiers.DELAY_PLACEHOLDER)) {
			throw name.invalid("is '" + suffix + "', without " + RetryTiers.DELAY_PLACEHOLDER
					+ ", so every tier would share one topic", fix);
		}
		String rest = suffix.replace(RetryTiers.DELAY_PLACEHOLDER, "");
		if (!rest.isEmpty() && !LEGAL_TOPIC_CHARACTERS.matcher(rest).matches()) {
			throw name.invalid("is '" + suffix + "', which Kafka does not allow in a topic name", fix);
		}
		return suffix;
	}

	private static boolean isMaxAttempts(int value) {
		return value >= 1 || value == FailureSettings.UNLIMITED;
	}

	private static boolean isPositive(Duration value) {
		return !value.isZero() && !value.isNegative();
	}

	private static @Nullable Integer parseInt(String text) {
		try {
			return Integer.parseInt(text.trim());
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	private static <E extends Enum<E>> String choices(E example) {
		E[] constants = example.getDeclaringClass().getEnumConstants();
		StringBuilder text = new StringBuilder();
		for (int i = 0; i < constants.length; i++) {
			text.append((i == 0) ? "" : (i == constants.length - 1) ? " or " : ", ").append(constants[i].name());
		}
		return text.toString();
	}

}
