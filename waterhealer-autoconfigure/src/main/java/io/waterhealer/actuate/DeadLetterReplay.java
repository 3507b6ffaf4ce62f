package io.waterhealer.actuate;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.waterhealer.DeadLetterHeaders;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.support.KafkaHeaders;

/**
 * Replays a listener's dead letters to the topics they came from: the original key, value and headers, without the
 * headers the dead-lettering added, plus a {@value DeadLetterHeaders#REPLAYED} mark. Each partition of each
 * dead-letter topic is read from the replay group's position up to its end offset at the time of the request, the
 * matching records are sent, and only once the broker acknowledged all of them is the replay group committed past
 * them ({@link ReplayedOffsets}), so that a dead letter is never replayed twice.
 * <p>
 * At-least-once, like everything else: if the application stops between the acknowledgement and the commit, the
 * next replay sends those records again. Two instances replaying the same listener at the same moment could both
 * send the same records: replay from one instance.
 */
final class DeadLetterReplay {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private DeadLetterReplay() {
	}

	/**
	 * Which dead letters to replay; every criterion left {@code null} matches all.
	 * @param partition only this partition of the dead-letter topics
	 * @param from only offsets from this one (inclusive)
	 * @param to only offsets up to this one (inclusive)
	 * @param exception only dead letters of this exception class (as thrown, or as root cause)
	 */
	record Filter(@Nullable Integer partition, @Nullable Long from, @Nullable Long to, @Nullable String exception) {

		boolean partitionMatches(TopicPartition topicPartition) {
			Integer only = this.partition;
			return only == null || only == topicPartition.partition();
		}

		boolean matches(ConsumerRecord<?, ?> record) {
			String only = this.exception;
			return only == null || only.equals(DeadLetterInventory.header(record, KafkaHeaders.DLT_EXCEPTION_FQCN))
					|| only.equals(DeadLetterInventory.header(record, DeadLetterHeaders.ROOT_CAUSE_CLASS));
		}

	}

	/**
	 * Replay.
	 * @param source the listener's dead-letter topics and clients
	 * @param filter which dead letters
	 * @return what was replayed, per partition
	 */
	static List<DeadLettersEndpoint.PartitionReplay> replay(DeadLetterSource source, Filter filter) {
		List<DeadLettersEndpoint.PartitionReplay> result = new ArrayList<>();
		try (Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(source.replayConsumer("replay"));
				Producer<byte[], byte[]> producer = new KafkaProducer<>(source.replayProducer())) {
			List<TopicPartition> partitions = DeadLetterInventory.partitions(consumer, source.deadLetterTopics())
				.stream()
				.filter(filter::partitionMatches)
				.toList();
			Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, TIMEOUT);
			Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
			Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions), TIMEOUT);
			for (TopicPartition partition : partitions) {
				long logStart = begin.getOrDefault(partition, 0L);
				ReplayedOffsets done = ReplayedOffsets.of(committed.get(partition), logStart);
				Long from = filter.from();
				Long to = filter.to();
				long scanStart = Math.max(done.position(), (from != null) ? from : 0L);
				long scanEnd = end.getOrDefault(partition, logStart);
				if (to != null) {
					scanEnd = Math.min(scanEnd, to + 1);
				}
				if (scanStart >= scanEnd) {
					continue;
				}
				PartitionReplay replay = replay(consumer, producer, partition, scanStart, scanEnd, done, filter);
				if (replay.offsets.isEmpty()) {
					continue;
				}
				consumer.commitSync(Map.of(partition, done.after(scanStart, scanEnd, replay.pending)), TIMEOUT);
				result.add(new DeadLettersEndpoint.PartitionReplay(partition.topic(), partition.partition(),
						replay.offsets.size(), ranges(replay.offsets)));
			}
		}
		return result;
	}

	private static PartitionReplay replay(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> producer,
			TopicPartition partition, long scanStart, long scanEnd, ReplayedOffsets done, Filter filter) {
		PartitionReplay replay = new PartitionReplay();
		List<Future<RecordMetadata>> sends = new ArrayList<>();
		String mark = Instant.now().toString();
		for (ConsumerRecord<byte[], byte[]> record : DeadLetterInventory.read(consumer, partition, scanStart,
				scanEnd)) {
			if (done.replayed(record.offset())) {
				continue;
			}
			if (!filter.matches(record)) {
				replay.pending.add(record.offset());
				continue;
			}
			sends.add(producer.send(toOrigin(record, mark)));
			replay.offsets.add(record.offset());
		}
		producer.flush();
		for (Future<RecordMetadata> send : sends) {
			try {
				send.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted while replaying " + partition, ex);
			}
			catch (ExecutionException | TimeoutException ex) {
				// nothing of this partition is committed: the records sent are replayed again next time
				throw new IllegalStateException("could not replay the dead letters of " + partition + " ("
						+ ex.getMessage() + "); nothing of this partition was marked replayed", ex);
			}
		}
		return replay;
	}

	/**
	 * The record for its original topic: {@value DeadLetterHeaders#RETRY_ORIGINAL_TOPIC} when retry tiers put the
	 * true origin there, else {@code kafka_dlt-original-topic} and its partition; the headers the dead-lettering added
	 * ({@code kafka_dlt-*}, waterhealer's attempts, listener and root cause, and retry-tier headers) are dropped, a
	 * replay mark is added. A fresh timestamp, so that time-based retention on the original topic counts from now.
	 */
	static ProducerRecord<byte[], byte[]> toOrigin(ConsumerRecord<byte[], byte[]> record, String mark) {
		Header retryOrigin = record.headers().lastHeader(DeadLetterHeaders.RETRY_ORIGINAL_TOPIC);
		Header origin = (retryOrigin != null) ? retryOrigin
				: record.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_TOPIC);
		byte[] topicBytes = (origin != null) ? origin.value() : null;
		if (topicBytes == null) {
			throw new IllegalStateException(record.topic() + "-" + record.partition() + "@" + record.offset()
					+ " has no " + KafkaHeaders.DLT_ORIGINAL_TOPIC + " header: it was not dead-lettered by "
					+ "spring-kafka's DeadLetterPublishingRecoverer, so there is no original topic to replay it to");
		}
		String topic = new String(topicBytes, StandardCharsets.UTF_8);
		Integer partition = null;
		Header originalPartition = record.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_PARTITION);
		byte[] partitionBytes = (originalPartition != null) ? originalPartition.value() : null;
		if (retryOrigin == null && partitionBytes != null && partitionBytes.length == Integer.BYTES) {
			partition = ByteBuffer.wrap(partitionBytes).getInt();
		}
		RecordHeaders headers = new RecordHeaders();
		for (Header header : record.headers()) {
			if (!addedByDeadLettering(header.key())) {
				headers.add(header);
			}
		}
		headers.add(DeadLetterHeaders.REPLAYED, mark.getBytes(StandardCharsets.UTF_8));
		return new ProducerRecord<>(topic, partition, null, record.key(), record.value(), headers);
	}

	private static boolean addedByDeadLettering(String header) {
		return header.startsWith("kafka_dlt-") || header.startsWith("waterhealer-retry-")
				|| header.equals(DeadLetterHeaders.ATTEMPTS) || header.equals(DeadLetterHeaders.LISTENER)
				|| header.startsWith(DeadLetterHeaders.ROOT_CAUSE);
	}

	/** Offsets as inclusive ranges, {@code "5-9"} or {@code "12"}. */
	static List<String> ranges(List<Long> offsets) {
		List<String> ranges = new ArrayList<>();
		int i = 0;
		while (i < offsets.size()) {
			long first = offsets.get(i);
			long last = first;
			while (i + 1 < offsets.size() && offsets.get(i + 1) == last + 1) {
				last = offsets.get(++i);
			}
			ranges.add((first == last) ? Long.toString(first) : first + "-" + last);
			i++;
		}
		return ranges;
	}

	/** The offsets of one partition that were replayed, and those read but left alone. */
	private static final class PartitionReplay {

		final List<Long> offsets = new ArrayList<>();

		final List<Long> pending = new ArrayList<>();

	}

}
