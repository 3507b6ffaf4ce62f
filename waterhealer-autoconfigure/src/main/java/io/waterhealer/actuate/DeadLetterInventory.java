package io.waterhealer.actuate;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.waterhealer.DeadLetterHeaders;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.support.KafkaHeaders;

/**
 * Counts one listener's dead letters without showing any: per partition its log start and end offsets and what the
 * replay group replayed, the dead letters' timestamps, and how many of each exception class, read from the headers of
 * at most {@value #SCAN_LIMIT} records (an even share per partition, oldest first), so that a read of a large
 * dead-letter topic stays cheap. No key, value or message text leaves this class: only counts, offsets, times and
 * class names.
 */
final class DeadLetterInventory {

	/** Most records whose headers one read looks at, over all of a listener's dead-letter partitions. */
	static final int SCAN_LIMIT = 10_000;

	static final String UNKNOWN = "unknown";

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private DeadLetterInventory() {
	}

	/**
	 * Count a listener's dead letters.
	 * @param source the listener's dead-letter topics and clients
	 * @return the counts
	 */
	static DeadLettersEndpoint.ListenerDeadLetters read(DeadLetterSource source) {
		try (Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(source.replayConsumer("read"))) {
			List<TopicPartition> partitions = partitions(consumer, source.deadLetterTopics());
			Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, TIMEOUT);
			Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
			Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions), TIMEOUT);
			Map<String, Long> byException = new TreeMap<>();
			Map<String, Long> byRootCause = new TreeMap<>();
			List<DeadLettersEndpoint.PartitionDeadLetters> rows = new ArrayList<>();
			long count = 0;
			long replayed = 0;
			long scanned = 0;
			boolean complete = true;
			long oldest = Long.MAX_VALUE;
			long newest = Long.MIN_VALUE;
			int share = Math.max(1, SCAN_LIMIT / Math.max(1, partitions.size()));
			for (TopicPartition partition : partitions) {
				long from = begin.getOrDefault(partition, 0L);
				long to = end.getOrDefault(partition, from);
				ReplayedOffsets done = ReplayedOffsets.of(committed.get(partition), from);
				long partitionReplayed = Math.min(done.count(to), Math.max(0, to - from));
				count += to - from;
				replayed += partitionReplayed;
				rows.add(new DeadLettersEndpoint.PartitionDeadLetters(partition.topic(), partition.partition(), from,
						to, to - from, partitionReplayed));
				if (to <= from) {
					continue;
				}
				List<ConsumerRecord<byte[], byte[]>> head = read(consumer, partition, from, Math.min(to, from + share));
				for (ConsumerRecord<byte[], byte[]> record : head) {
					byException.merge(header(record, KafkaHeaders.DLT_EXCEPTION_FQCN), 1L, Long::sum);
					byRootCause.merge(header(record, DeadLetterHeaders.ROOT_CAUSE_CLASS), 1L, Long::sum);
					oldest = Math.min(oldest, record.timestamp());
					newest = Math.max(newest, record.timestamp());
				}
				scanned += head.size();
				if (from + share < to) {
					complete = false;
					for (ConsumerRecord<byte[], byte[]> last : read(consumer, partition, to - 1, to)) {
						newest = Math.max(newest, last.timestamp());
					}
				}
			}
			return new DeadLettersEndpoint.ListenerDeadLetters(source.deadLetterTopics(), source.replayGroup(), count,
					"end offset minus log start offset, summed over partitions", time(oldest, Long.MAX_VALUE),
					time(newest, Long.MIN_VALUE), byException, byRootCause, scanned, SCAN_LIMIT, complete, replayed,
					rows);
		}
	}

	/** The partitions of the topics that exist; a dead-letter topic that was never created has no dead letters. */
	static List<TopicPartition> partitions(Consumer<?, ?> consumer, List<String> topics) {
		List<TopicPartition> partitions = new ArrayList<>();
		Set<String> seen = new HashSet<>();
		for (String topic : topics) {
			if (!seen.add(topic)) {
				continue;
			}
			List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
			if (infos != null) {
				infos.stream()
					.map((info) -> new TopicPartition(info.topic(), info.partition()))
					.sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
					.forEach(partitions::add);
			}
		}
		return partitions;
	}

	/**
	 * The records of {@code [from, to)}, reading until the position reaches {@code to} (offsets without a record are
	 * passed) or the timeout.
	 */
	static List<ConsumerRecord<byte[], byte[]>> read(Consumer<byte[], byte[]> consumer, TopicPartition partition,
			long from, long to) {
		List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
		consumer.assign(List.of(partition));
		consumer.seek(partition, from);
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (consumer.position(partition) < to && System.nanoTime() < deadline) {
			for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200)).records(partition)) {
				if (record.offset() < to) {
					records.add(record);
				}
			}
		}
		return records;
	}

	/** A header as text, or {@value #UNKNOWN} when the record has none (it was not dead-lettered by spring-kafka). */
	static String header(ConsumerRecord<?, ?> record, String name) {
		Header header = record.headers().lastHeader(name);
		byte[] value = (header != null) ? header.value() : null;
		return (value != null) ? new String(value, StandardCharsets.UTF_8) : UNKNOWN;
	}

	private static @Nullable String time(long millis, long none) {
		return (millis == none) ? null : Instant.ofEpochMilli(millis).toString();
	}

}
