package io.waterhealer.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.waterhealer.FailurePolicy;
import io.waterhealer.Ordering;
import io.waterhealer.ledger.OffsetLedger;
import io.waterhealer.settings.BatchSettings;
import io.waterhealer.settings.FailureSettings;
import io.waterhealer.settings.ListenerSettings;
import io.waterhealer.settings.RateLimit;
import io.waterhealer.settings.RetryBackOff;
import io.waterhealer.settings.RetryTiers;
import io.waterhealer.settings.ShutdownSettings;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for waterhealer. Kafka connection, serialization and container settings stay in
 * {@code spring.kafka.*}. This class binds and documents (its javadoc becomes the IDE hints through the
 * configuration metadata); {@link WaterhealerSettingsMapper} checks the values and turns them into settings.
 */
@ConfigurationProperties("waterhealer")
public class WaterhealerProperties {

	/**
	 * Whether @HealingListener methods are registered as Kafka listeners.
	 */
	private boolean enabled = true;

	private final Listener listener = new Listener();

	private final Retry retry = new Retry();

	private final Failure failure = new Failure();

	private final Metrics metrics = new Metrics();

	private final Shutdown shutdown = new Shutdown();

	private final Checkpoint checkpoint = new Checkpoint();

	private final Batch batch = new Batch();

	private final LedgerPage ledgerPage = new LedgerPage();

	/**
	 * {@return the value of {@code waterhealer.enabled}} Whether @HealingListener methods are registered as Kafka
	 * listeners.
	 */
	public boolean isEnabled() {
		return this.enabled;
	}

	/**
	 * Set {@code waterhealer.enabled}, see {@link #isEnabled()}.
	 * @param enabled the new value
	 */
	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	/**
	 * {@return the {@code waterhealer.listener.*} properties} Defaults for @HealingListener methods; attributes on the
	 * annotation win.
	 */
	public Listener getListener() {
		return this.listener;
	}

	/**
	 * {@return the {@code waterhealer.retry.*} properties} Back-off between attempts of a record whose processing
	 * failed. A failed record is retried until it succeeds; the committed offset never passes it.
	 */
	public Retry getRetry() {
		return this.retry;
	}

	/**
	 * {@return the {@code waterhealer.failure.*} properties} What happens to a record once its attempts are exhausted
	 * or its failure is not retryable.
	 */
	public Failure getFailure() {
		return this.failure;
	}

	/**
	 * {@return the {@code waterhealer.metrics.*} properties} Micrometer meters of listeners and their partitions.
	 */
	public Metrics getMetrics() {
		return this.metrics;
	}

	/**
	 * {@return the {@code waterhealer.shutdown.*} properties} The health indicator's checks, and the shutdown that
	 * exits the JVM when it stays DOWN, so that an orchestrator restarts the application.
	 */
	public Shutdown getShutdown() {
		return this.shutdown;
	}

	/**
	 * {@return the {@code waterhealer.checkpoint.*} properties} Checkpoints: the last value each stage produced, kept
	 * in memory and shown by the checkpoints endpoint.
	 */
	public Checkpoint getCheckpoint() {
		return this.checkpoint;
	}

	/**
	 * {@return the {@code waterhealer.batch.*} properties} Defaults for batch listeners (methods that take a List).
	 */
	public Batch getBatch() {
		return this.batch;
	}

	/**
	 * {@return the {@code waterhealer.ledger-page.*} properties} The live ledger page, which draws the ledger actuator
	 * endpoint in a browser.
	 */
	public LedgerPage getLedgerPage() {
		return this.ledgerPage;
	}

	/**
	 * The defaults for every listener, checked so that a wrong value stops the start-up with the property named.
	 * @return the default listener settings
	 * @see WaterhealerSettingsMapper
	 */
	public ListenerSettings toListenerDefaults() {
		return new WaterhealerSettingsMapper(this).listenerDefaults();
	}

	/**
	 * The health and shutdown settings, checked so that a wrong value stops the start-up with the property named.
	 * @return the settings
	 * @see WaterhealerSettingsMapper
	 */
	public ShutdownSettings toShutdownSettings() {
		return new WaterhealerSettingsMapper(this).shutdownSettings();
	}

	/**
	 * Defaults for @HealingListener methods; attributes on the annotation win.
	 */
	public static class Listener {

		/**
		 * Records processed at the same time by each listener, across all its partitions.
		 */
		private int parallelism = ListenerSettings.DEFAULT_PARALLELISM;

		/**
		 * Which records may be processed at the same time: KEY, PARTITION or UNORDERED.
		 */
		private Ordering ordering = ListenerSettings.DEFAULT_ORDERING;

		/**
		 * Consumer threads (consumers in the group) per listener.
		 */
		private int concurrency = ListenerSettings.DEFAULT_CONCURRENCY;

		/**
		 * Incomplete records per partition at which the partition is paused; it resumes at half.
		 */
		private int maxInFlight = OffsetLedger.DEFAULT_MAX_IN_FLIGHT;

		/**
		 * Offsets between a partition's committed position and its newest record, less gaps of more than 1,024
		 * offsets with nothing pending, at which the partition is paused, so that one record that keeps failing
		 * cannot make the ledger grow without bound.
		 */
		private long maxSpan = OffsetLedger.DEFAULT_MAX_SPAN;

		/**
		 * Longest time between commits of positions that moved; a partition whose records in flight have all
		 * completed is committed at the next poll, without waiting for the interval.
		 */
		private Duration commitInterval = ListenerSettings.DEFAULT_COMMIT_INTERVAL;

		/**
		 * How long a revoked partition, or a stopping listener, waits for records in flight before committing.
		 */
		private Duration drainTimeout = ListenerSettings.DEFAULT_DRAIN_TIMEOUT;

		/**
		 * How long a returned CompletionStage, Mono or Kotlin suspend call may take before the attempt fails and is
		 * retried; 0 for no limit.
		 */
		private Duration completionTimeout = ListenerSettings.DEFAULT_COMPLETION_TIMEOUT;

		/**
		 * Longest commit metadata used to record the offsets completed beyond the committed position, so that a
		 * restart skips them; at most the broker's offset.metadata.max.bytes. 0 to write none.
		 */
		private int metadataMaxBytes = ListenerSettings.DEFAULT_METADATA_MAX_CHARS;

		/**
		 * Whether every record's topic, partition and offset are logged (at INFO) when it is handed out (water-healer's
		 * debug).
		 */
		private boolean debug;

		/**
		 * Records each listener may start per second, minute or hour on this instance (N/s, N/m, N/h), or unlimited;
		 * a record waits for its token holding no worker, and retries take none.
		 */
		private String rate = RateLimit.UNLIMITED_TEXT;

		/**
		 * {@return the value of {@code waterhealer.listener.rate}} Records each listener may start per second, minute
		 * or hour on this instance (N/s, N/m, N/h), or unlimited; a record waits for its token holding no worker, and
		 * retries take none.
		 */
		public String getRate() {
			return this.rate;
		}

		/**
		 * Set {@code waterhealer.listener.rate}, see {@link #getRate()}.
		 * @param rate the new value
		 */
		public void setRate(String rate) {
			this.rate = rate;
		}

		/**
		 * {@return the value of {@code waterhealer.listener.debug}} Whether every record's topic, partition and offset
		 * are logged (at INFO) when it is handed out (water-healer's debug).
		 */
		public boolean isDebug() {
			return this.debug;
		}

		/**
		 * Set {@code waterhealer.listener.debug}, see {@link #isDebug()}.
		 * @param debug the new value
		 */
		public void setDebug(boolean debug) {
			this.debug = debug;
		}

		/**
		 * {@return the value of {@code waterhealer.listener.metadata-max-bytes}} Longest commit metadata used to record
		 * the offsets completed beyond the committed position, so that a restart skips them; at most the broker's
		 * offset.metadata.max.bytes. 0 to write none.
		 */
		public int getMetadataMaxBytes() {
			return this.metadataMaxBytes;
		}

		/**
		 * Set {@code waterhealer.listener.metadata-max-bytes}, see {@link #getMetadataMaxBytes()}.
		 * @param metadataMaxBytes the new value
		 */
		public void setMetadataMaxBytes(int metadataMaxBytes) {
			this.metadataMaxBytes = metadataMaxBytes;
		}

		/**
		 * {@return the value of {@code waterhealer.listener.parallelism}} Records processed at the same time by each
		 * listener, across all its partitions.
		 */
		public int getParallelism() {
			return this.parallelism;
		}

		/**
		 * Set {@code waterhealer.listener.parallelism}, see {@link #getParallelism()}.
		 * @param parallelism the new value
		 */
		public void setParallelism(int parallelism) {
			this.parallelism = parallelism;
		}

		/**
		 * {@return the value of {@code waterhealer.listener.ordering}} Which records may be processed at the same time:
		 * KEY, PARTITION or UNORDERED.
		 */
		public Ordering getOrdering() {
			return this.ordering;
		}

		/**
		 * Set {@code waterhealer.listener.ordering}, see {@link #getOrdering()}.
		 * @param ordering the new value
		 */
		public void setOrdering(Ordering ordering) {
			this.ordering = ordering;
		}

		/**
		 * {@return the value of {@code waterhealer.listener.concurrency}} Consumer threads (consumers in the group) per
		 * listener.
		 */
		public int getConcurrency() {
			return this.concurrency;
		}

		/**
		 * Set {@code waterhealer.listener.concurrency}, see {@link #getConcurrency()}.
		 * @param concurrency the new value
		 */
		public void setConcurrency(int concurrency) {
			this.concurrency = concurrency;
		}

		/**
		 * {@return the value of {@code waterhealer.listener.max-in-flight}} Incomplete records per partition at which
		 * the partition is paused; it resumes at half.
		 */
		public int getMaxInFlight() {
			return this.maxInFlight;
		}

		/**
		 * Set {@code waterhealer.listener.max-in-flight}, see {@link #getMaxInFlight()}.
		 * @param maxInFlight the new value
		 */
		public void setMaxInFlight(int maxInFlight) {
			this.maxInFlight = maxInFlight;
		}

		/**
		 * {@return the value of {@code waterhealer.listener.max-span}} Offsets between a partition's committed position
		 * and its newest record, less gaps of more than 1,024 offsets with nothing pending, at which the partition is
		 * paused, so that one record that keeps failing cannot make the ledger grow without bound.
		 */
		public long getMaxSpan() {
			return this.maxSpan;
		}

		/**
		 * Set {@code waterhealer.listener.max-span}, see {@link #getMaxSpan()}.
		 * @param maxSpan the new value
		 */
		public void setMaxSpan(long maxSpan) {
			this.maxSpan = maxSpan;
		}

		/**
		 * {@return the value of {@code waterhealer.listener.commit-interval}} Longest time between commits of positions
		 * that moved; a partition whose records in flight have all completed is committed at the next poll, without
		 * waiting for the interval.
		 */
		public Duration getCommitInterval() {
			return this.commitInterval;
		}

		/**
		 * Set {@code waterhealer.listener.commit-interval}, see {@link #getCommitInterval()}.
		 * @param commitInterval the new value
		 */
		public void setCommitInterval(Duration commitInterval) {
			this.commitInterval = commitInterval;
		}

		/**
		 * {@return the value of {@code waterhealer.listener.drain-timeout}} How long a revoked partition, or a stopping
		 * listener, waits for records in flight before committing.
		 */
		public Duration getDrainTimeout() {
			return this.drainTimeout;
		}

		/**
		 * Set {@code waterhealer.listener.drain-timeout}, see {@link #getDrainTimeout()}.
		 * @param drainTimeout the new value
		 */
		public void setDrainTimeout(Duration drainTimeout) {
			this.drainTimeout = drainTimeout;
		}

		/**
		 * {@return the value of {@code waterhealer.listener.completion-timeout}} How long a returned CompletionStage,
		 * Mono or Kotlin suspend call may take before the attempt fails and is retried; 0 for no limit.
		 */
		public Duration getCompletionTimeout() {
			return this.completionTimeout;
		}

		/**
		 * Set {@code waterhealer.listener.completion-timeout}, see {@link #getCompletionTimeout()}.
		 * @param completionTimeout the new value
		 */
		public void setCompletionTimeout(Duration completionTimeout) {
			this.completionTimeout = completionTimeout;
		}

	}

	/**
	 * Back-off between attempts of a record whose processing failed. A failed record is retried until it succeeds;
	 * the committed offset never passes it.
	 */
	public static class Retry {

		/**
		 * Time before the first retry.
		 */
		private Duration initialInterval = RetryBackOff.DEFAULT_INITIAL;

		/**
		 * Factor applied to the interval after each failed attempt; 1 for a fixed back-off.
		 */
		private double multiplier = RetryBackOff.DEFAULT_MULTIPLIER;

		/**
		 * Longest time between two attempts.
		 */
		private Duration maxInterval = RetryBackOff.DEFAULT_MAX;

		/**
		 * Attempts per record, the first included, before the failure policy applies; -1 for unlimited.
		 */
		private int maxAttempts = FailureSettings.DEFAULT_MAX_ATTEMPTS;

		/**
		 * Exception types that are not retried but go straight to the failure policy (subclasses included).
		 */
		private List<Class<? extends Throwable>> notRetryable = new ArrayList<>();

		/**
		 * Retry tier delays, shortest first (e.g. 10s,1m,10m): a record that used up its attempts waits on each
		 * tier's topic in turn before the failure policy applies; empty for none.
		 */
		private String topics = "";

		/**
		 * Suffix of a tier's topic after the record's topic, with {delay} for the tier's delay.
		 */
		private String topicSuffix = RetryTiers.DEFAULT_SUFFIX;

		/**
		 * {@return the value of {@code waterhealer.retry.topics}} Retry tier delays, shortest first (e.g. 10s,1m,10m):
		 * a record that used up its attempts waits on each tier's topic in turn before the failure policy applies;
		 * empty for none.
		 */
		public String getTopics() {
			return this.topics;
		}

		/**
		 * Set {@code waterhealer.retry.topics}, see {@link #getTopics()}.
		 * @param topics the new value
		 */
		public void setTopics(String topics) {
			this.topics = topics;
		}

		/**
		 * {@return the value of {@code waterhealer.retry.topic-suffix}} Suffix of a tier's topic after the record's
		 * topic, with {delay} for the tier's delay.
		 */
		public String getTopicSuffix() {
			return this.topicSuffix;
		}

		/**
		 * Set {@code waterhealer.retry.topic-suffix}, see {@link #getTopicSuffix()}.
		 * @param topicSuffix the new value
		 */
		public void setTopicSuffix(String topicSuffix) {
			this.topicSuffix = topicSuffix;
		}

		/**
		 * {@return the value of {@code waterhealer.retry.max-attempts}} Attempts per record, the first included, before
		 * the failure policy applies; -1 for unlimited.
		 */
		public int getMaxAttempts() {
			return this.maxAttempts;
		}

		/**
		 * Set {@code waterhealer.retry.max-attempts}, see {@link #getMaxAttempts()}.
		 * @param maxAttempts the new value
		 */
		public void setMaxAttempts(int maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		/**
		 * {@return the value of {@code waterhealer.retry.not-retryable}} Exception types that are not retried but go
		 * straight to the failure policy (subclasses included).
		 */
		public List<Class<? extends Throwable>> getNotRetryable() {
			return this.notRetryable;
		}

		/**
		 * Set {@code waterhealer.retry.not-retryable}, see {@link #getNotRetryable()}.
		 * @param notRetryable the new value
		 */
		public void setNotRetryable(List<Class<? extends Throwable>> notRetryable) {
			this.notRetryable = notRetryable;
		}

		/**
		 * {@return the value of {@code waterhealer.retry.initial-interval}} Time before the first retry.
		 */
		public Duration getInitialInterval() {
			return this.initialInterval;
		}

		/**
		 * Set {@code waterhealer.retry.initial-interval}, see {@link #getInitialInterval()}.
		 * @param initialInterval the new value
		 */
		public void setInitialInterval(Duration initialInterval) {
			this.initialInterval = initialInterval;
		}

		/**
		 * {@return the value of {@code waterhealer.retry.multiplier}} Factor applied to the interval after each failed
		 * attempt; 1 for a fixed back-off.
		 */
		public double getMultiplier() {
			return this.multiplier;
		}

		/**
		 * Set {@code waterhealer.retry.multiplier}, see {@link #getMultiplier()}.
		 * @param multiplier the new value
		 */
		public void setMultiplier(double multiplier) {
			this.multiplier = multiplier;
		}

		/**
		 * {@return the value of {@code waterhealer.retry.max-interval}} Longest time between two attempts.
		 */
		public Duration getMaxInterval() {
			return this.maxInterval;
		}

		/**
		 * Set {@code waterhealer.retry.max-interval}, see {@link #getMaxInterval()}.
		 * @param maxInterval the new value
		 */
		public void setMaxInterval(Duration maxInterval) {
			this.maxInterval = maxInterval;
		}

	}

	/**
	 * What happens to a record once its attempts are exhausted or its failure is not retryable.
	 */
	public static class Failure {

		/**
		 * Policy after the last attempt: HALT keeps retrying and holds the committed position, DEAD_LETTER publishes
		 * the record to a dead-letter topic, SKIP logs it; the last two then complete it.
		 */
		private FailurePolicy policy = FailureSettings.DEFAULT_POLICY;

		/**
		 * Suffix of the dead-letter topic appended to the record's topic, unless the listener names a topic.
		 */
		private String deadLetterSuffix = FailureSettings.DEFAULT_DEAD_LETTER_SUFFIX;

		/**
		 * Records in a row that go to DEAD_LETTER or SKIP with the same exception type before the listener stops
		 * applying the policy, pauses and reports DOWN (a dead-letter storm: a configuration mistake or an outage);
		 * 0 to never stop.
		 */
		private int stormThreshold = FailureSettings.DEFAULT_STORM_THRESHOLD;

		/**
		 * {@return the value of {@code waterhealer.failure.policy}} Policy after the last attempt: HALT keeps retrying
		 * and holds the committed position, DEAD_LETTER publishes the record to a dead-letter topic, SKIP logs it; the
		 * last two then complete it.
		 */
		public FailurePolicy getPolicy() {
			return this.policy;
		}

		/**
		 * Set {@code waterhealer.failure.policy}, see {@link #getPolicy()}.
		 * @param policy the new value
		 */
		public void setPolicy(FailurePolicy policy) {
			this.policy = policy;
		}

		/**
		 * {@return the value of {@code waterhealer.failure.dead-letter-suffix}} Suffix of the dead-letter topic
		 * appended to the record's topic, unless the listener names a topic.
		 */
		public String getDeadLetterSuffix() {
			return this.deadLetterSuffix;
		}

		/**
		 * Set {@code waterhealer.failure.dead-letter-suffix}, see {@link #getDeadLetterSuffix()}.
		 * @param deadLetterSuffix the new value
		 */
		public void setDeadLetterSuffix(String deadLetterSuffix) {
			this.deadLetterSuffix = deadLetterSuffix;
		}

		/**
		 * {@return the value of {@code waterhealer.failure.storm-threshold}} Records in a row that go to DEAD_LETTER or
		 * SKIP with the same exception type before the listener stops applying the policy, pauses and reports DOWN (a
		 * dead-letter storm: a configuration mistake or an outage); 0 to never stop.
		 */
		public int getStormThreshold() {
			return this.stormThreshold;
		}

		/**
		 * Set {@code waterhealer.failure.storm-threshold}, see {@link #getStormThreshold()}.
		 * @param stormThreshold the new value
		 */
		public void setStormThreshold(int stormThreshold) {
			this.stormThreshold = stormThreshold;
		}

	}

	/**
	 * Micrometer meters of listeners and their partitions.
	 */
	public static class Metrics {

		/**
		 * Whether waterhealer registers meters when a MeterRegistry exists.
		 */
		private boolean enabled = true;

		/**
		 * Whether each stage attempt is timed (water-healer's time_execution_metrics).
		 */
		private boolean timeExecution = true;

		/**
		 * Whether payload sizes in and out of each stage are measured (water-healer's data_size_metrics).
		 */
		private boolean dataSize = true;

		/**
		 * {@return the value of {@code waterhealer.metrics.enabled}} Whether waterhealer registers meters when a
		 * MeterRegistry exists.
		 */
		public boolean isEnabled() {
			return this.enabled;
		}

		/**
		 * Set {@code waterhealer.metrics.enabled}, see {@link #isEnabled()}.
		 * @param enabled the new value
		 */
		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		/**
		 * {@return the value of {@code waterhealer.metrics.time-execution}} Whether each stage attempt is timed
		 * (water-healer's time_execution_metrics).
		 */
		public boolean isTimeExecution() {
			return this.timeExecution;
		}

		/**
		 * Set {@code waterhealer.metrics.time-execution}, see {@link #isTimeExecution()}.
		 * @param timeExecution the new value
		 */
		public void setTimeExecution(boolean timeExecution) {
			this.timeExecution = timeExecution;
		}

		/**
		 * {@return the value of {@code waterhealer.metrics.data-size}} Whether payload sizes in and out of each stage
		 * are measured (water-healer's data_size_metrics).
		 */
		public boolean isDataSize() {
			return this.dataSize;
		}

		/**
		 * Set {@code waterhealer.metrics.data-size}, see {@link #isDataSize()}.
		 * @param dataSize the new value
		 */
		public void setDataSize(boolean dataSize) {
			this.dataSize = dataSize;
		}

	}

	/**
	 * The health indicator's checks, and the shutdown that exits the JVM when it stays DOWN, so that an orchestrator
	 * restarts the application.
	 */
	public static class Shutdown {

		/**
		 * Whether the application exits when the waterhealer health stays DOWN for the delay; when false the health
		 * is still reported but the application never exits.
		 */
		private boolean enabled = true;

		/**
		 * Time between two checks of the listeners.
		 */
		private Duration interval = Duration.ofSeconds(5);

		/**
		 * How long a listener with work (lag or records in flight) may go without any committed position moving
		 * before it is DOWN (water-healer's graceful). A listener with nothing to do is never DOWN.
		 */
		private Duration stallTimeout = Duration.ofMinutes(90);

		/**
		 * How long the Kafka cluster may be unreachable before the listeners are DOWN.
		 */
		private Duration brokerTimeout = Duration.ofMinutes(2);

		/**
		 * How long the health must stay DOWN before the application exits (water-healer's sleep_before_shutdown).
		 */
		private Duration delay = Duration.ofSeconds(15);

		/**
		 * Exit status of the JVM after a shutdown; not 0, so that the orchestrator sees a failure.
		 */
		private int exitCode = 1;

		/**
		 * Exception types that make a listener DOWN at once when a handler throws them (subclasses included).
		 */
		private List<Class<? extends Throwable>> fatalExceptions = new ArrayList<>();

		/**
		 * {@return the value of {@code waterhealer.shutdown.enabled}} Whether the application exits when the
		 * waterhealer health stays DOWN for the delay; when false the health is still reported but the application
		 * never exits.
		 */
		public boolean isEnabled() {
			return this.enabled;
		}

		/**
		 * Set {@code waterhealer.shutdown.enabled}, see {@link #isEnabled()}.
		 * @param enabled the new value
		 */
		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		/**
		 * {@return the value of {@code waterhealer.shutdown.interval}} Time between two checks of the listeners.
		 */
		public Duration getInterval() {
			return this.interval;
		}

		/**
		 * Set {@code waterhealer.shutdown.interval}, see {@link #getInterval()}.
		 * @param interval the new value
		 */
		public void setInterval(Duration interval) {
			this.interval = interval;
		}

		/**
		 * {@return the value of {@code waterhealer.shutdown.stall-timeout}} How long a listener with work (lag or
		 * records in flight) may go without any committed position moving before it is DOWN (water-healer's graceful).
		 * A listener with nothing to do is never DOWN.
		 */
		public Duration getStallTimeout() {
			return this.stallTimeout;
		}

		/**
		 * Set {@code waterhealer.shutdown.stall-timeout}, see {@link #getStallTimeout()}.
		 * @param stallTimeout the new value
		 */
		public void setStallTimeout(Duration stallTimeout) {
			this.stallTimeout = stallTimeout;
		}

		/**
		 * {@return the value of {@code waterhealer.shutdown.broker-timeout}} How long the Kafka cluster may be
		 * unreachable before the listeners are DOWN.
		 */
		public Duration getBrokerTimeout() {
			return this.brokerTimeout;
		}

		/**
		 * Set {@code waterhealer.shutdown.broker-timeout}, see {@link #getBrokerTimeout()}.
		 * @param brokerTimeout the new value
		 */
		public void setBrokerTimeout(Duration brokerTimeout) {
			this.brokerTimeout = brokerTimeout;
		}

		/**
		 * {@return the value of {@code waterhealer.shutdown.delay}} How long the health must stay DOWN before the
		 * application exits (water-healer's sleep_before_shutdown).
		 */
		public Duration getDelay() {
			return this.delay;
		}

		/**
		 * Set {@code waterhealer.shutdown.delay}, see {@link #getDelay()}.
		 * @param delay the new value
		 */
		public void setDelay(Duration delay) {
			this.delay = delay;
		}

		/**
		 * {@return the value of {@code waterhealer.shutdown.exit-code}} Exit status of the JVM after a shutdown; not 0,
		 * so that the orchestrator sees a failure.
		 */
		public int getExitCode() {
			return this.exitCode;
		}

		/**
		 * Set {@code waterhealer.shutdown.exit-code}, see {@link #getExitCode()}.
		 * @param exitCode the new value
		 */
		public void setExitCode(int exitCode) {
			this.exitCode = exitCode;
		}

		/**
		 * {@return the value of {@code waterhealer.shutdown.fatal-exceptions}} Exception types that make a listener
		 * DOWN at once when a handler throws them (subclasses included).
		 */
		public List<Class<? extends Throwable>> getFatalExceptions() {
			return this.fatalExceptions;
		}

		/**
		 * Set {@code waterhealer.shutdown.fatal-exceptions}, see {@link #getFatalExceptions()}.
		 * @param fatalExceptions the new value
		 */
		public void setFatalExceptions(List<Class<? extends Throwable>> fatalExceptions) {
			this.fatalExceptions = fatalExceptions;
		}

	}

	/**
	 * Checkpoints: the last value each stage produced, kept in memory and shown by the checkpoints endpoint.
	 */
	public static class Checkpoint {

		/**
		 * Whether checkpoints are kept; the environment variable DISABLE_CHECKPOINTING=true (water-healer's switch)
		 * also turns them off.
		 */
		private boolean enabled = true;

		/**
		 * Longest rendering of a checkpoint value; longer values are cut.
		 */
		private int maxValueLength = 256;

		/**
		 * {@return the value of {@code waterhealer.checkpoint.enabled}} Whether checkpoints are kept; the environment
		 * variable DISABLE_CHECKPOINTING=true (water-healer's switch) also turns them off.
		 */
		public boolean isEnabled() {
			return this.enabled;
		}

		/**
		 * Set {@code waterhealer.checkpoint.enabled}, see {@link #isEnabled()}.
		 * @param enabled the new value
		 */
		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		/**
		 * {@return the value of {@code waterhealer.checkpoint.max-value-length}} Longest rendering of a checkpoint
		 * value; longer values are cut.
		 */
		public int getMaxValueLength() {
			return this.maxValueLength;
		}

		/**
		 * Set {@code waterhealer.checkpoint.max-value-length}, see {@link #getMaxValueLength()}.
		 * @param maxValueLength the new value
		 */
		public void setMaxValueLength(int maxValueLength) {
			this.maxValueLength = maxValueLength;
		}

		/**
		 * When the checkpoints endpoint shows the values themselves, which can hold personal data: never, when
		 * the user is authorized (has one of the roles), or always; otherwise it shows stage names, offsets, times.
		 */
		private ShowValues showValues = ShowValues.NEVER;

		/**
		 * Roles a user needs to see checkpoint values when show-values is when-authorized; empty means any
		 * authenticated user.
		 */
		private List<String> roles = new ArrayList<>();

		/**
		 * {@return the value of {@code waterhealer.checkpoint.show-values}} When the checkpoints endpoint shows the
		 * values themselves, which can hold personal data: never, when the user is authorized (has one of the roles),
		 * or always; otherwise it shows stage names, offsets, times.
		 */
		public ShowValues getShowValues() {
			return this.showValues;
		}

		/**
		 * Set {@code waterhealer.checkpoint.show-values}, see {@link #getShowValues()}.
		 * @param showValues the new value
		 */
		public void setShowValues(ShowValues showValues) {
			this.showValues = showValues;
		}

		/**
		 * {@return the value of {@code waterhealer.checkpoint.roles}} Roles a user needs to see checkpoint values when
		 * show-values is when-authorized; empty means any authenticated user.
		 */
		public List<String> getRoles() {
			return this.roles;
		}

		/**
		 * Set {@code waterhealer.checkpoint.roles}, see {@link #getRoles()}.
		 * @param roles the new value
		 */
		public void setRoles(List<String> roles) {
			this.roles = roles;
		}

		/** Boot's {@code Show} for checkpoint values, kept here so that binding works without the actuator. */
		public enum ShowValues {

			/** Never show the values. */
			NEVER,

			/** Show them to an authorized user only. */
			WHEN_AUTHORIZED,

			/** Always show them. */
			ALWAYS

		}

	}

	/**
	 * Defaults for batch listeners (methods that take a List).
	 */
	public static class Batch {

		/**
		 * Records at which a batch closes.
		 */
		private int size = BatchSettings.DEFAULT_SIZE;

		/**
		 * Time after its first record at which a batch closes, however few records it has.
		 */
		private Duration timeout = BatchSettings.DEFAULT_TIMEOUT;

		/**
		 * Whether a batch method's result must contain every element of its batch (water-healer's check_leakage).
		 */
		private boolean checkLeakage;

		/**
		 * {@return the value of {@code waterhealer.batch.size}} Records at which a batch closes.
		 */
		public int getSize() {
			return this.size;
		}

		/**
		 * Set {@code waterhealer.batch.size}, see {@link #getSize()}.
		 * @param size the new value
		 */
		public void setSize(int size) {
			this.size = size;
		}

		/**
		 * {@return the value of {@code waterhealer.batch.timeout}} Time after its first record at which a batch closes,
		 * however few records it has.
		 */
		public Duration getTimeout() {
			return this.timeout;
		}

		/**
		 * Set {@code waterhealer.batch.timeout}, see {@link #getTimeout()}.
		 * @param timeout the new value
		 */
		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		/**
		 * {@return the value of {@code waterhealer.batch.check-leakage}} Whether a batch method's result must contain
		 * every element of its batch (water-healer's check_leakage).
		 */
		public boolean isCheckLeakage() {
			return this.checkLeakage;
		}

		/**
		 * Set {@code waterhealer.batch.check-leakage}, see {@link #isCheckLeakage()}.
		 * @param checkLeakage the new value
		 */
		public void setCheckLeakage(boolean checkLeakage) {
			this.checkLeakage = checkLeakage;
		}

	}

	/**
	 * The live ledger page, which draws the ledger actuator endpoint in a browser.
	 */
	public static class LedgerPage {

		/**
		 * Whether a servlet web application serves the live ledger page at /waterhealer/ledger.html; it reads the
		 * ledger actuator endpoint, which must be exposed too.
		 */
		private boolean enabled;

		/**
		 * {@return the value of {@code waterhealer.ledger-page.enabled}} Whether a servlet web application serves the
		 * live ledger page at /waterhealer/ledger.html; it reads the ledger actuator endpoint, which must be exposed
		 * too.
		 */
		public boolean isEnabled() {
			return this.enabled;
		}

		/**
		 * Set {@code waterhealer.ledger-page.enabled}, see {@link #isEnabled()}.
		 * @param enabled the new value
		 */
		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

}
