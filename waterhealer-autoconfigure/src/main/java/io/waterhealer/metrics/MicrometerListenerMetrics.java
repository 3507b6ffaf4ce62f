package io.waterhealer.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * The Micrometer meters of one listener, registered through the {@link WaterhealerMeter} catalogue. Stage meters are
 * resolved once per stage and topic and then used directly on the record path, so recording costs a counter
 * increment and, when timing is on, two clock reads and a timer update. Gauges read the ledger when scraped; the
 * gauges of a partition are removed when it is revoked, so no stale series outlives its assignment.
 */
final class MicrometerListenerMetrics implements ListenerMetrics {

	private final MeterRegistry registry;

	private final String listenerId;

	private final boolean timeExecution;

	private final boolean dataSize;

	private final Function<String, String> tierOfTopic;

	private final Map<TopicPartition, List<Meter>> partitionMeters = new ConcurrentHashMap<>();

	private final Map<TopicPartition, List<Meter>> tierMeters = new ConcurrentHashMap<>();

	private final Map<String, Counter> skipped = new ConcurrentHashMap<>();

	private final Map<String, Counter> truncated = new ConcurrentHashMap<>();

	private final Map<String, Counter> replayed = new ConcurrentHashMap<>();

	private final Counter commitSuccesses;

	private final Counter commitFailures;

	private final Timer commitSuccessDuration;

	private final Timer commitFailureDuration;

	private final Timer rateLimitWait;

	MicrometerListenerMetrics(MeterRegistry registry, String listenerId, boolean timeExecution, boolean dataSize) {
		this(registry, listenerId, timeExecution, dataSize, (topic) -> WaterhealerMeter.Tags.MAIN_TIER);
	}

	MicrometerListenerMetrics(MeterRegistry registry, String listenerId, boolean timeExecution, boolean dataSize,
			Function<String, String> tierOfTopic) {
		this.tierOfTopic = tierOfTopic;
		this.registry = registry;
		this.listenerId = listenerId;
		this.timeExecution = timeExecution;
		this.dataSize = dataSize;
		this.commitSuccesses = counter(WaterhealerMeter.COMMITS, "outcome", "success");
		this.commitFailures = counter(WaterhealerMeter.COMMITS, "outcome", "failure");
		this.commitSuccessDuration = timer(WaterhealerMeter.COMMIT_DURATION, false, "outcome", "success");
		this.commitFailureDuration = timer(WaterhealerMeter.COMMIT_DURATION, false, "outcome", "failure");
		this.rateLimitWait = timer(WaterhealerMeter.RATE_LIMIT_WAIT, false);
	}

	@Override
	public StageMeters stage(String stage, String topic) {
		return new MicrometerStageMeters(stage, topic);
	}

	@Override
	public void partitionAssigned(PartitionView partition) {
		TopicPartition tp = partition.topicPartition();
		String[] tags = { WaterhealerMeter.Tags.LISTENER, this.listenerId, WaterhealerMeter.Tags.TOPIC_NAME, tp.topic(),
				WaterhealerMeter.Tags.PARTITION_NUMBER, Integer.toString(tp.partition()) };
		List<Meter> meters = List.of(gauge(WaterhealerMeter.PARTITION_COMMITTED, partition, PartitionView::committed, tags),
				gauge(WaterhealerMeter.PARTITION_COMPLETED_HIGHEST, partition, PartitionView::highestCompleted, tags),
				gauge(WaterhealerMeter.PARTITION_INCOMPLETE, partition, PartitionView::incomplete, tags),
				gauge(WaterhealerMeter.PARTITION_IN_FLIGHT, partition, PartitionView::inFlight, tags),
				TimeGauge.builder(WaterhealerMeter.PARTITION_OLDEST_INCOMPLETE_AGE.meterName(), partition,
						TimeUnit.SECONDS, PartitionView::oldestIncompleteAgeSeconds)
					.description(WaterhealerMeter.PARTITION_OLDEST_INCOMPLETE_AGE.description())
					.tags(tags)
					.strongReference(true)
					.register(this.registry),
				gauge(WaterhealerMeter.PARTITION_LAG, partition, PartitionView::lag, tags),
				gauge(WaterhealerMeter.PARTITION_PAUSED, partition, (view) -> view.paused() ? 1 : 0, tags));
		List<Meter> previous = this.partitionMeters.put(tp, meters);
		if (previous != null) {
			previous.stream().filter((meter) -> !meters.contains(meter)).forEach(this.registry::remove);
		}
	}

	@Override
	public void tierPartitionAssigned(TierPartitionView partition) {
		TopicPartition tp = partition.topicPartition();
		String[] tags = { WaterhealerMeter.Tags.LISTENER, this.listenerId, WaterhealerMeter.Tags.TIER,
				partition.tier(), WaterhealerMeter.Tags.TOPIC_NAME, tp.topic(), WaterhealerMeter.Tags.PARTITION_NUMBER,
				Integer.toString(tp.partition()) };
		List<Meter> meters = List.of(
				Gauge.builder(WaterhealerMeter.TIER_DEPTH.meterName(), partition, TierPartitionView::depth)
					.description(WaterhealerMeter.TIER_DEPTH.description())
					.baseUnit(WaterhealerMeter.TIER_DEPTH.baseUnit())
					.tags(tags)
					.strongReference(true)
					.register(this.registry),
				TimeGauge.builder(WaterhealerMeter.TIER_DUE_LAG.meterName(), partition, TimeUnit.SECONDS,
						TierPartitionView::dueLagSeconds)
					.description(WaterhealerMeter.TIER_DUE_LAG.description())
					.tags(tags)
					.strongReference(true)
					.register(this.registry));
		List<Meter> previous = this.tierMeters.put(tp, meters);
		if (previous != null) {
			previous.stream().filter((meter) -> !meters.contains(meter)).forEach(this.registry::remove);
		}
	}

	@Override
	public void partitionRevoked(TopicPartition topicPartition) {
		List<Meter> meters = this.partitionMeters.remove(topicPartition);
		if (meters != null) {
			meters.forEach(this.registry::remove);
		}
		List<Meter> tier = this.tierMeters.remove(topicPartition);
		if (tier != null) {
			tier.forEach(this.registry::remove);
		}
	}

	@Override
	public void rateLimitWait(long nanos) {
		this.rateLimitWait.record(nanos, TimeUnit.NANOSECONDS);
	}

	@Override
	public void commit(boolean success, boolean synchronous, long nanos) {
		(success ? this.commitSuccesses : this.commitFailures).increment();
		(success ? this.commitSuccessDuration : this.commitFailureDuration).record(nanos, TimeUnit.NANOSECONDS);
	}

	@Override
	public void skippedOnAssignment(TopicPartition topicPartition) {
		this.skipped.computeIfAbsent(topicPartition.topic(),
				(topic) -> counter(WaterhealerMeter.RECORDS_SKIPPED, WaterhealerMeter.Tags.TOPIC_NAME, topic))
			.increment();
	}

	@Override
	public void deadLettersReplayed(String deadLetterTopic, long count) {
		this.replayed.computeIfAbsent(deadLetterTopic,
				(topic) -> counter(WaterhealerMeter.DEAD_LETTERS_REPLAYED, WaterhealerMeter.Tags.TOPIC_NAME, topic))
			.increment(count);
	}

	@Override
	public void metadataTruncated(TopicPartition topicPartition) {
		this.truncated.computeIfAbsent(topicPartition.topic(),
				(topic) -> counter(WaterhealerMeter.METADATA_TRUNCATED, WaterhealerMeter.Tags.TOPIC_NAME, topic))
			.increment();
	}

	private Gauge gauge(WaterhealerMeter meter, PartitionView partition, ToDoubleFunction<PartitionView> value,
			String... tags) {
		Gauge.Builder<PartitionView> builder = Gauge.builder(meter.meterName(), partition, value)
			.description(meter.description())
			.tags(tags)
			.strongReference(true);
		if (meter.baseUnit() != null) {
			builder.baseUnit(meter.baseUnit());
		}
		return builder.register(this.registry);
	}

	private Counter counter(WaterhealerMeter meter, String... tags) {
		return Counter.builder(meter.meterName())
			.description(meter.description())
			.tag(WaterhealerMeter.Tags.LISTENER, this.listenerId)
			.tags(tags)
			.register(this.registry);
	}

	private Timer timer(WaterhealerMeter meter, boolean histogram, String... tags) {
		return Timer.builder(meter.meterName())
			.description(meter.description())
			.tag(WaterhealerMeter.Tags.LISTENER, this.listenerId)
			.tags(tags)
			.publishPercentileHistogram(histogram)
			.register(this.registry);
	}

	private DistributionSummary summary(WaterhealerMeter meter, String... tags) {
		return DistributionSummary.builder(meter.meterName())
			.description(meter.description())
			.baseUnit(meter.baseUnit())
			.tag(WaterhealerMeter.Tags.LISTENER, this.listenerId)
			.tags(tags)
			.register(this.registry);
	}

	/** The meters of one stage and topic, resolved once. */
	private final class MicrometerStageMeters implements StageMeters {

		private final String[] tags;

		private final Counter in;

		private final Counter out;

		private final @Nullable Timer duration;

		private final @Nullable DistributionSummary payloadIn;

		private final @Nullable DistributionSummary payloadOut;

		private final Map<Class<?>, Counter> errors = new ConcurrentHashMap<>();

		MicrometerStageMeters(String stage, String topic) {
			this.tags = new String[] { WaterhealerMeter.Tags.STAGE_NAME, stage, WaterhealerMeter.Tags.TOPIC_NAME,
					topic, WaterhealerMeter.Tags.TIER, MicrometerListenerMetrics.this.tierOfTopic.apply(topic) };
			this.in = counter(WaterhealerMeter.STAGE_RECORDS_IN, this.tags);
			this.out = counter(WaterhealerMeter.STAGE_RECORDS_OUT, this.tags);
			this.duration = MicrometerListenerMetrics.this.timeExecution
					? timer(WaterhealerMeter.STAGE_DURATION, true, this.tags) : null;
			this.payloadIn = MicrometerListenerMetrics.this.dataSize
					? summary(WaterhealerMeter.STAGE_PAYLOAD_IN, this.tags) : null;
			this.payloadOut = MicrometerListenerMetrics.this.dataSize
					? summary(WaterhealerMeter.STAGE_PAYLOAD_OUT, this.tags) : null;
		}

		@Override
		public boolean timed() {
			return this.duration != null;
		}

		@Override
		public void in(long bytes) {
			this.in.increment();
			if (this.payloadIn != null && bytes >= 0) {
				this.payloadIn.record(bytes);
			}
		}

		@Override
		public void out(long bytes) {
			this.out.increment();
			if (this.payloadOut != null && bytes >= 0) {
				this.payloadOut.record(bytes);
			}
		}

		@Override
		public void error(Throwable failure) {
			this.errors.computeIfAbsent(failure.getClass(), (type) -> {
				String[] withException = Arrays.copyOf(this.tags, this.tags.length + 2);
				withException[this.tags.length] = WaterhealerMeter.Tags.EXCEPTION;
				withException[this.tags.length + 1] = type.getSimpleName().isEmpty() ? type.getName()
						: type.getSimpleName();
				return counter(WaterhealerMeter.STAGE_ERRORS, withException);
			}).increment();
		}

		@Override
		public void duration(long nanos) {
			if (this.duration != null) {
				this.duration.record(nanos, TimeUnit.NANOSECONDS);
			}
		}

	}

}
