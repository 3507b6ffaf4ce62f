package io.waterhealer.metrics;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Every meter waterhealer registers: name, type, base unit, tags and description. The README's metrics table is
 * tested against this catalogue, and the implementation registers meters only through it.
 * <p>
 * Tags come from a bounded set: listener id, stage name, topic, retry tier, partition, outcome and exception class. A record
 * key or an offset is never a tag.
 */
public enum WaterhealerMeter {

	/** Records that entered a stage, once per record whatever the number of attempts. */
	STAGE_RECORDS_IN("waterhealer.stage.records.in", Type.COUNTER, null,
			"Records that entered a stage, once per record whatever the number of attempts", Tags.STAGE),

	/** Records that left a stage successfully. */
	STAGE_RECORDS_OUT("waterhealer.stage.records.out", Type.COUNTER, null, "Records that left a stage successfully",
			Tags.STAGE),

	/** Failed attempts of a stage. */
	STAGE_ERRORS("waterhealer.stage.errors", Type.COUNTER, null, "Failed attempts of a stage, by exception class",
			Tags.STAGE_EXCEPTION),

	/** Time of each attempt of a stage. */
	STAGE_DURATION("waterhealer.stage.duration", Type.TIMER, "seconds",
			"Time of each attempt of a stage, successful or not", Tags.STAGE),

	/** Size of what entered a stage. */
	STAGE_PAYLOAD_IN("waterhealer.stage.payload.in", Type.DISTRIBUTION_SUMMARY, "bytes",
			"Size of what entered a stage: the serialized record for the listener, an estimate after it", Tags.STAGE),

	/** Size of what a stage produced. */
	STAGE_PAYLOAD_OUT("waterhealer.stage.payload.out", Type.DISTRIBUTION_SUMMARY, "bytes",
			"Size of what a stage produced, where it can be estimated", Tags.STAGE),

	/** The partition's last committed offset. */
	PARTITION_COMMITTED("waterhealer.partition.committed", Type.GAUGE, null,
			"Last offset committed for the partition by this instance", Tags.PARTITION),

	/** The highest completed offset. */
	PARTITION_COMPLETED_HIGHEST("waterhealer.partition.completed.highest", Type.GAUGE, null,
			"Highest offset completed in the partition", Tags.PARTITION),

	/** Records handed out and not complete. */
	PARTITION_INCOMPLETE("waterhealer.partition.incomplete", Type.GAUGE, "records",
			"Records handed out and not yet complete (running, waiting or being retried)", Tags.PARTITION),

	/** Records whose handler runs right now. */
	PARTITION_IN_FLIGHT("waterhealer.partition.in.flight", Type.GAUGE, "records",
			"Records whose handler is running right now", Tags.PARTITION),

	/** Age of the oldest incomplete record. */
	PARTITION_OLDEST_INCOMPLETE_AGE("waterhealer.partition.oldest.incomplete.age", Type.TIME_GAUGE, "seconds",
			"Time since the oldest incomplete record was handed out; 0 when none", Tags.PARTITION),

	/** End offset minus committed offset. */
	PARTITION_LAG("waterhealer.partition.lag", Type.GAUGE, "records",
			"End offset minus committed offset, as last seen by the consumer", Tags.PARTITION),

	/** Whether the partition is paused. */
	PARTITION_PAUSED("waterhealer.partition.paused", Type.GAUGE, null,
			"1 while waterhealer has paused the partition because its window is full, else 0", Tags.PARTITION),

	/** Commit requests. */
	COMMITS("waterhealer.commits", Type.COUNTER, null, "Commit requests, by outcome (success or failure)",
			Tags.LISTENER_OUTCOME),

	/** Time of commit requests. */
	COMMIT_DURATION("waterhealer.commit.duration", Type.TIMER, "seconds",
			"Time from commit request to the broker's answer", Tags.LISTENER_OUTCOME),

	/** Records skipped thanks to commit metadata. */
	RECORDS_SKIPPED("waterhealer.records.skipped", Type.COUNTER, null,
			"Records not processed again after a restart or rebalance because the commit metadata said they were "
					+ "complete",
			Tags.TOPIC),

	/** Commits whose metadata could not hold every completed offset. */
	METADATA_TRUNCATED("waterhealer.commit.metadata.truncated", Type.COUNTER, null,
			"Commits whose metadata could not hold every offset completed beyond the position", Tags.TOPIC),

	/** Time a record waited for its rate limit's token. */
	RATE_LIMIT_WAIT("waterhealer.rate.limit.wait", Type.TIMER, "seconds",
			"Time a record (or a batch) waited for its token under the listener's rate limit before it started",
			Tags.LISTENER_ONLY),

	/** Dead letters replayed to their original topics. */
	DEAD_LETTERS_REPLAYED("waterhealer.deadletters.replayed", Type.COUNTER, null,
			"Dead letters replayed to their original topics through the deadletters endpoint, by dead-letter topic",
			Tags.TOPIC),

	/** Records waiting in a retry tier partition. */
	TIER_DEPTH("waterhealer.tier.depth", Type.GAUGE, "records",
			"Records on a retry tier partition not handed out yet (end offset minus position, as last seen)",
			Tags.TIER_PARTITION),

	/** How late a retry tier's head record is. */
	TIER_DUE_LAG("waterhealer.tier.due.lag", Type.TIME_GAUGE, "seconds",
			"Time the head record of a retry tier partition is past its due time without being handed out; 0 when "
					+ "none is",
			Tags.TIER_PARTITION);

	private final String meterName;

	private final Type type;

	private final @Nullable String baseUnit;

	private final String description;

	private final List<String> tagKeys;

	WaterhealerMeter(String meterName, Type type, @Nullable String baseUnit, String description, List<String> tagKeys) {
		this.meterName = meterName;
		this.type = type;
		this.baseUnit = baseUnit;
		this.description = description;
		this.tagKeys = tagKeys;
	}

	/** {@return the meter's name, as registered ({@code waterhealer.stage.records.in})} */
	public String meterName() {
		return this.meterName;
	}

	/** {@return the kind of meter registered under the name} */
	public Type type() {
		return this.type;
	}

	/**
	 * The base unit, or {@code null} for plain counts.
	 * @return the unit
	 */
	public @Nullable String baseUnit() {
		return this.baseUnit;
	}

	/** {@return the description registered with the meter, the one the README's table shows} */
	public String description() {
		return this.description;
	}

	/** {@return the keys of the meter's tags, in the order they are set} */
	public List<String> tagKeys() {
		return this.tagKeys;
	}

	/** Kinds of meter. */
	public enum Type {

		/** A Micrometer {@code Counter}. */
		COUNTER,

		/** A Micrometer {@code Timer}. */
		TIMER,

		/** A Micrometer {@code DistributionSummary}. */
		DISTRIBUTION_SUMMARY,

		/** A Micrometer {@code Gauge}. */
		GAUGE,

		/** A Micrometer {@code TimeGauge}, a gauge of a duration reported in the base unit. */
		TIME_GAUGE

	}

	/** Tag keys. */
	public static final class Tags {

		/** The listener's id. */
		public static final String LISTENER = "listener";

		/** The stage's name. */
		public static final String STAGE_NAME = "stage";

		/** The topic's name. */
		public static final String TOPIC_NAME = "topic";

		/** The partition number. */
		public static final String PARTITION_NUMBER = "partition";

		/** How a commit request ended: {@code success} or {@code failure}. */
		public static final String OUTCOME = "outcome";

		/** The simple name of the exception class a failed attempt threw. */
		public static final String EXCEPTION = "exception";

		/** The retry tier a record was consumed from ({@code 10s}), {@value #MAIN_TIER} for the listener's topics. */
		public static final String TIER = "tier";

		/** The {@link #TIER} of records of the listener's own topics. */
		public static final String MAIN_TIER = "main";

		static final List<String> STAGE = List.of(LISTENER, STAGE_NAME, TOPIC_NAME, TIER);

		static final List<String> STAGE_EXCEPTION = List.of(LISTENER, STAGE_NAME, TOPIC_NAME, TIER, EXCEPTION);

		static final List<String> TIER_PARTITION = List.of(LISTENER, TIER, TOPIC_NAME, PARTITION_NUMBER);

		static final List<String> PARTITION = List.of(LISTENER, TOPIC_NAME, PARTITION_NUMBER);

		static final List<String> LISTENER_OUTCOME = List.of(LISTENER, OUTCOME);

		static final List<String> TOPIC = List.of(LISTENER, TOPIC_NAME);

		static final List<String> LISTENER_ONLY = List.of(LISTENER);

		private Tags() {
		}

	}

}
