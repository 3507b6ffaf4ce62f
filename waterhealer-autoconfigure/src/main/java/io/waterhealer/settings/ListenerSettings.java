package io.waterhealer.settings;

import java.time.Duration;

import io.waterhealer.Ordering;
import io.waterhealer.codec.CommitMetadataCodec;

/**
 * The resolved settings of one {@code @HealingListener}: annotation attributes over {@code waterhealer.*}
 * properties over these defaults.
 *
 * @param id the listener id
 * @param parallelism records processed at the same time
 * @param ordering which records may run at the same time
 * @param concurrency consumer threads
 * @param maxInFlight incomplete offsets per partition at which the partition is paused
 * @param maxSpan window of offsets per partition at which the partition is paused
 * @param commitInterval time between commits of positions that moved
 * @param drainTimeout how long a revoked partition waits for its records in flight before committing
 * @param metadataMaxChars longest commit metadata written to record offsets completed beyond the position; 0 to
 * write none
 * @param failure retries and the policy after them
 * @param debug whether every record's coordinates are logged when it is handed out
 * @param batch how batches are formed, for batch methods
 * @param completionTimeout how long a returned completion ({@code CompletionStage}, {@code Mono}, Kotlin
 * {@code suspend}) may take before the attempt fails; zero for no limit
 * @param rate records the listener may start per second (minute, hour) on this instance; retries are not counted
 */
public record ListenerSettings(String id, int parallelism, Ordering ordering, int concurrency, int maxInFlight,
		long maxSpan, Duration commitInterval, Duration drainTimeout, int metadataMaxChars, FailureSettings failure,
		boolean debug, BatchSettings batch, Duration completionTimeout, RateLimit rate) {

	/** Default records processed at the same time per listener. */
	public static final int DEFAULT_PARALLELISM = 16;

	/** Default ordering. */
	public static final Ordering DEFAULT_ORDERING = Ordering.KEY;

	/** Default consumer threads per listener. */
	public static final int DEFAULT_CONCURRENCY = 1;

	/** Default time between commits. */
	public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(1);

	/** Default wait for records in flight when a partition is revoked or the listener stops. */
	public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(5);

	/** Default limit of commit metadata: Kafka's default {@code offset.metadata.max.bytes}. */
	public static final int DEFAULT_METADATA_MAX_CHARS = CommitMetadataCodec.DEFAULT_MAX_CHARS;

	/**
	 * Default time a returned completion may take: long enough for any real work, short enough that a future
	 * never completed does not hold its partition for good.
	 */
	public static final Duration DEFAULT_COMPLETION_TIMEOUT = Duration.ofMinutes(5);

	/**
	 * Settings with the {@linkplain #DEFAULT_COMPLETION_TIMEOUT default completion timeout} and no rate limit, for
	 * callers that set neither.
	 * @param id the listener id
	 * @param parallelism records processed at the same time
	 * @param ordering which records may run at the same time
	 * @param concurrency consumer threads
	 * @param maxInFlight incomplete offsets per partition at which the partition is paused
	 * @param maxSpan window of offsets per partition at which the partition is paused
	 * @param commitInterval time between commits of positions that moved
	 * @param drainTimeout how long a revoked partition waits for its records in flight before committing
	 * @param metadataMaxChars longest commit metadata written to record offsets completed beyond the position; 0 to
	 * write none
	 * @param failure retries and the policy after them
	 * @param debug whether every record's coordinates are logged when it is handed out
	 * @param batch how batches are formed, for batch methods
	 */
	public ListenerSettings(String id, int parallelism, Ordering ordering, int concurrency, int maxInFlight,
			long maxSpan, Duration commitInterval, Duration drainTimeout, int metadataMaxChars, FailureSettings failure,
			boolean debug, BatchSettings batch) {
		this(id, parallelism, ordering, concurrency, maxInFlight, maxSpan, commitInterval, drainTimeout,
				metadataMaxChars, failure, debug, batch, DEFAULT_COMPLETION_TIMEOUT);
	}

	/**
	 * Settings without a rate limit, for callers that do not set one.
	 * @param id the listener id
	 * @param parallelism records processed at the same time
	 * @param ordering which records may run at the same time
	 * @param concurrency consumer threads
	 * @param maxInFlight incomplete offsets per partition at which the partition is paused
	 * @param maxSpan window of offsets per partition at which the partition is paused
	 * @param commitInterval time between commits of positions that moved
	 * @param drainTimeout how long a revoked partition waits for its records in flight before committing
	 * @param metadataMaxChars longest commit metadata written to record offsets completed beyond the position; 0 to
	 * write none
	 * @param failure retries and the policy after them
	 * @param debug whether every record's coordinates are logged when it is handed out
	 * @param batch how batches are formed, for batch methods
	 * @param completionTimeout how long a returned completion may take before the attempt fails; zero for no limit
	 */
	public ListenerSettings(String id, int parallelism, Ordering ordering, int concurrency, int maxInFlight,
			long maxSpan, Duration commitInterval, Duration drainTimeout, int metadataMaxChars, FailureSettings failure,
			boolean debug, BatchSettings batch, Duration completionTimeout) {
		this(id, parallelism, ordering, concurrency, maxInFlight, maxSpan, commitInterval, drainTimeout,
				metadataMaxChars, failure, debug, batch, completionTimeout, RateLimit.unlimited());
	}

	/**
	 * These settings with another rate limit.
	 * @param limit the limit
	 * @return the new settings
	 */
	public ListenerSettings withRate(RateLimit limit) {
		return new ListenerSettings(this.id, this.parallelism, this.ordering, this.concurrency, this.maxInFlight,
				this.maxSpan, this.commitInterval, this.drainTimeout, this.metadataMaxChars, this.failure, this.debug,
				this.batch, this.completionTimeout, limit);
	}

	/**
	 * These settings with another completion timeout.
	 * @param timeout the timeout, zero for none
	 * @return the new settings
	 */
	public ListenerSettings withCompletionTimeout(Duration timeout) {
		return new ListenerSettings(this.id, this.parallelism, this.ordering, this.concurrency, this.maxInFlight,
				this.maxSpan, this.commitInterval, this.drainTimeout, this.metadataMaxChars, this.failure, this.debug,
				this.batch, timeout, this.rate);
	}

	/**
	 * The back-off between attempts.
	 * @return the back-off
	 */
	public RetryBackOff backOff() {
		return this.failure.backOff();
	}

}
