package io.waterhealer.settings;

import java.time.Duration;
import java.util.List;

/**
 * The retry tiers of one listener: topics a record that used up its in-memory attempts is parked on, durably, for a
 * delay, so that its partition's committed position moves on while it waits (the middle ground between HALT, which
 * holds the position, and DEAD_LETTER, which gives up). A record goes through the tiers in order and gets
 * {@code maxAttempts} attempts in each; after the last tier the listener's failure policy applies.
 *
 * @param tiers the tiers, shortest delay first; empty for none (records go straight to the failure policy)
 * @param suffix what follows the original topic in a tier's topic name; {@value #DELAY_PLACEHOLDER} stands for the
 * tier's name ({@code 10s})
 */
public record RetryTiers(List<Tier> tiers, String suffix) {

	/** Stands for a tier's name in {@link #suffix()}. */
	public static final String DELAY_PLACEHOLDER = "{delay}";

	/** Default tier topic suffix: {@code orders} parks records on {@code orders-retry-10s}. */
	public static final String DEFAULT_SUFFIX = "-retry-" + DELAY_PLACEHOLDER;

	/** No tiers: a record that used up its attempts goes to the failure policy, as without this feature. */
	public static final RetryTiers NONE = new RetryTiers(List.of(), DEFAULT_SUFFIX);

	/**
	 * Copy the tiers, so that the list cannot change behind the listener's back.
	 * @param tiers the tiers, shortest delay first; empty for none
	 * @param suffix what follows the original topic in a tier's topic name
	 */
	public RetryTiers {
		tiers = List.copyOf(tiers);
	}

	/**
	 * Whether the listener has tiers.
	 * @return whether any tier is configured
	 */
	public boolean enabled() {
		return !this.tiers.isEmpty();
	}

	/**
	 * The topic of a tier for records of a topic.
	 * @param originalTopic the topic the record first came from
	 * @param tier the tier
	 * @return the tier's topic, e.g. {@code orders-retry-10s}
	 */
	public String topic(String originalTopic, Tier tier) {
		return originalTopic + this.suffix.replace(DELAY_PLACEHOLDER, tier.name());
	}

	/**
	 * One tier.
	 *
	 * @param index its place, 0 for the first
	 * @param name the delay as written ({@code 10s}), which names the topic and the {@code tier} meter tag
	 * @param delay how long a record waits on the tier before its next attempts
	 */
	public record Tier(int index, String name, Duration delay) {

	}

}
