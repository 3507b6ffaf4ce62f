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

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Listener getListener() {
		return this.listener;
	}

	public Retry getRetry() {
		return this.retry;
	}

	public Failure getFailure() {
		return this.failure;
	}

	public Metrics getMetrics() {
		return this.metrics;
	}

	public Shutdown getShutdown() {
		return this.shutdown;
	}

	public Checkpoint getCheckpoint() {
		return this.checkpoint;
	}

	public Batch getBatch() {
		return this.batch;
	}

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

		public String getRate() {
			return this.rate;
		}

		public void setRate(String rate) {
			this.rate = rate;
		}

		public boolean isDebug() {
			return this.debug;
		}

		public void setDebug(boolean debug) {
			this.debug = debug;
		}

		public int getMetadataMaxBytes() {
			return this.metadataMaxBytes;
		}

		public void setMetadataMaxBytes(int metadataMaxBytes) {
			this.metadataMaxBytes = metadataMaxBytes;
		}

		public int getParallelism() {
			return this.parallelism;
		}

		public void setParallelism(int parallelism) {
			this.parallelism = parallelism;
		}

		public Ordering getOrdering() {
			return this.ordering;
		}

		public void setOrdering(Ordering ordering) {
			this.ordering = ordering;
		}

		public int getConcurrency() {
			return this.concurrency;
		}

		public void setConcurrency(int concurrency) {
			this.concurrency = concurrency;
		}

		public int getMaxInFlight() {
			return this.maxInFlight;
		}

		public void setMaxInFlight(int maxInFlight) {
			this.maxInFlight = maxInFlight;
		}

		public long getMaxSpan() {
			return this.maxSpan;
		}

		public void setMaxSpan(long maxSpan) {
			this.maxSpan = maxSpan;
		}

		public Duration getCommitInterval() {
			return this.commitInterval;
		}

		public void setCommitInterval(Duration commitInterval) {
			this.commitInterval = commitInterval;
		}

		public Duration getDrainTimeout() {
			return this.drainTimeout;
		}

		public void setDrainTimeout(Duration drainTimeout) {
			this.drainTimeout = drainTimeout;
		}

		public Duration getCompletionTimeout() {
			return this.completionTimeout;
		}

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

		public String getTopics() {
			return this.topics;
		}

		public void setTopics(String topics) {
			this.topics = topics;
		}

		public String getTopicSuffix() {
			return this.topicSuffix;
		}

		public void setTopicSuffix(String topicSuffix) {
			this.topicSuffix = topicSuffix;
		}

		public int getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(int maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public List<Class<? extends Throwable>> getNotRetryable() {
			return this.notRetryable;
		}

		public void setNotRetryable(List<Class<? extends Throwable>> notRetryable) {
			this.notRetryable = notRetryable;
		}

		public Duration getInitialInterval() {
			return this.initialInterval;
		}

		public void setInitialInterval(Duration initialInterval) {
			this.initialInterval = initialInterval;
		}

		public double getMultiplier() {
			return this.multiplier;
		}

		public void setMultiplier(double multiplier) {
			this.multiplier = multiplier;
		}

		public Duration getMaxInterval() {
			return this.maxInterval;
		}

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

		public FailurePolicy getPolicy() {
			return this.policy;
		}

		public void setPolicy(FailurePolicy policy) {
			this.policy = policy;
		}

		public String getDeadLetterSuffix() {
			return this.deadLetterSuffix;
		}

		public void setDeadLetterSuffix(String deadLetterSuffix) {
			this.deadLetterSuffix = deadLetterSuffix;
		}

		public int getStormThreshold() {
			return this.stormThreshold;
		}

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

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public boolean isTimeExecution() {
			return this.timeExecution;
		}

		public void setTimeExecution(boolean timeExecution) {
			this.timeExecution = timeExecution;
		}

		public boolean isDataSize() {
			return this.dataSize;
		}

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

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

		public Duration getStallTimeout() {
			return this.stallTimeout;
		}

		public void setStallTimeout(Duration stallTimeout) {
			this.stallTimeout = stallTimeout;
		}

		public Duration getBrokerTimeout() {
			return this.brokerTimeout;
		}

		public void setBrokerTimeout(Duration brokerTimeout) {
			this.brokerTimeout = brokerTimeout;
		}

		public Duration getDelay() {
			return this.delay;
		}

		public void setDelay(Duration delay) {
			this.delay = delay;
		}

		public int getExitCode() {
			return this.exitCode;
		}

		public void setExitCode(int exitCode) {
			this.exitCode = exitCode;
		}

		public List<Class<? extends Throwable>> getFatalExceptions() {
			return this.fatalExceptions;
		}

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

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getMaxValueLength() {
			return this.maxValueLength;
		}

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

		public ShowValues getShowValues() {
			return this.showValues;
		}

		public void setShowValues(ShowValues showValues) {
			this.showValues = showValues;
		}

		public List<String> getRoles() {
			return this.roles;
		}

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

		public int getSize() {
			return this.size;
		}

		public void setSize(int size) {
			this.size = size;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public boolean isCheckLeakage() {
			return this.checkLeakage;
		}

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

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

}
