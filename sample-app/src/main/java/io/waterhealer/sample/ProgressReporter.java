package io.waterhealer.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * Prints a progress line every {@code sample.progress.interval} while something changes: payments stored per
 * second, failures healed, the consumer group's committed offset against the end of each partition of the payments
 * topic, and the bookings the batch step has written to the report.
 * <p>
 * The committed offsets come from the broker, through Kafka's own {@link Admin} client, not from waterhealer: they
 * are what a restarted instance would resume from, so they are the figure that shows nothing is committed before it
 * is done.
 */
@Component
public class ProgressReporter implements SchedulingConfigurer, DisposableBean {

	private static final Log logger = LogFactory.getLog(ProgressReporter.class);

	private static final long ADMIN_TIMEOUT_SECONDS = 5;

	private final PaymentStore store;

	private final PaymentListener listener;

	private final BookingReport report;

	private final String topic;

	private final String groupId;

	private final Duration interval;

	private final Admin admin;

	private long lastStored;

	private long lastNanos;

	private @Nullable String lastState;

	public ProgressReporter(PaymentStore store, PaymentListener listener, BookingReport report,
			SampleProperties properties,
			KafkaAdmin kafkaAdmin, @Value("${spring.kafka.consumer.group-id}") String groupId) {
		this.store = store;
		this.listener = listener;
		this.report = report;
		this.topic = properties.topic();
		this.groupId = groupId;
		this.interval = properties.progress().interval();
		this.admin = Admin.create(kafkaAdmin.getConfigurationProperties());
	}

	@Override
	public void configureTasks(ScheduledTaskRegistrar registrar) {
		this.lastNanos = System.nanoTime();
		registrar.addFixedDelayTask(new FixedDelayTask(this::report, this.interval, this.interval));
	}

	void report() {
		long now = System.nanoTime();
		long stored = this.store.stored();
		double perSecond = (stored - this.lastStored) * 1e9 / Math.max(1, now - this.lastNanos);
		this.lastStored = stored;
		this.lastNanos = now;
		String offsets = offsets();
		String state = String.format(Locale.ROOT,
				"%,d stored, %,d failed attempts, %,d healed, %,d duplicates | %s | report: %,d bookings in %,d batches",
				stored, this.listener.failedAttempts(), this.listener.healed(), this.store.duplicates(), offsets,
				this.report.bookings(), this.report.batches());
		if (state.equals(this.lastState)) {
			return;
		}
		this.lastState = state;
		logger.info(String.format(Locale.ROOT, "%,6.0f payments/s | %s", perSecond, state));
	}

	/** Committed offset and end offset of each partition of the topic, as the broker has them. */
	private String offsets() {
		try {
			List<PartitionOffsets> partitions = partitionOffsets();
			long lag = partitions.stream().mapToLong(PartitionOffsets::lag).sum();
			String each = partitions.stream()
				.map((p) -> p.partition() + ":" + p.committed() + "/" + p.end())
				.collect(Collectors.joining(" "));
			return String.format(Locale.ROOT, "committed/end %s | lag %,d%s", each, lag,
					(lag == 0 && !partitions.isEmpty()) ? ", all committed" : "");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "offsets not read: interrupted";
		}
		catch (ExecutionException | TimeoutException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			return "offsets not read: " + cause;
		}
	}

	private List<PartitionOffsets> partitionOffsets()
			throws InterruptedException, ExecutionException, TimeoutException {
		TopicDescription description = this.admin.describeTopics(List.of(this.topic))
			.allTopicNames()
			.get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS)
			.get(this.topic);
		Map<TopicPartition, OffsetSpec> latest = description.partitions()
			.stream()
			.map((info) -> new TopicPartition(this.topic, info.partition()))
			.collect(Collectors.toMap(Function.identity(), (partition) -> OffsetSpec.latest()));
		Map<TopicPartition, ListOffsetsResultInfo> ends = this.admin.listOffsets(latest)
			.all()
			.get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
		Map<TopicPartition, OffsetAndMetadata> committed = this.admin.listConsumerGroupOffsets(this.groupId)
			.partitionsToOffsetAndMetadata()
			.get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
		List<PartitionOffsets> result = new ArrayList<>();
		ends.forEach((partition, end) -> {
			OffsetAndMetadata offset = committed.get(partition);
			result.add(new PartitionOffsets(partition.partition(), (offset != null) ? offset.offset() : 0,
					end.offset()));
		});
		result.sort(Comparator.comparingInt(PartitionOffsets::partition));
		return result;
	}

	@Override
	public void destroy() {
		this.admin.close(Duration.ofSeconds(ADMIN_TIMEOUT_SECONDS));
	}

	/**
	 * Where the group stands in one partition.
	 *
	 * @param partition the partition number
	 * @param committed the group's committed offset: the next record a restarted consumer reads (0 before the first
	 * commit)
	 * @param end the log end offset: one past the newest record
	 */
	private record PartitionOffsets(int partition, long committed, long end) {

		long lag() {
			return this.end - this.committed;
		}

	}

}
