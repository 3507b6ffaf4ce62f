package io.waterhealer.kafka.worker;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * Reads one record again, by its coordinates, as bytes: its key, value and headers exactly as they are on the topic.
 * <p>
 * A listener's records arrive deserialized, and serializing the object again is not the record: a value the
 * deserializer only half understood (a JSON document of another shape, a field it does not know) would lose what it
 * did not understand, and a type header could be added. Keeping every record's bytes beside its object for the rare
 * record that fails for good would cost the memory of every record in flight; reading the few that need it again
 * costs one fetch each, on a worker thread, from a consumer of its own (without a group: it commits nothing).
 * One read runs at a time; the consumer is made on first use and kept, and it fetches nothing between reads. It
 * should be configured to answer fetches quickly ({@code fetch.max.wait.ms} of tens of milliseconds): a read waits
 * for any fetch of the consumer still pending at the broker.
 */
public final class RawRecordReader implements AutoCloseable {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final Supplier<Consumer<byte[], byte[]>> consumers;

	private @Nullable Consumer<byte[], byte[]> consumer;

	/**
	 * Create a reader.
	 * @param consumers makes the byte-array consumer, on first use
	 */
	public RawRecordReader(Supplier<Consumer<byte[], byte[]>> consumers) {
		this.consumers = consumers;
	}

	/**
	 * Read a record again.
	 * @param topic its topic
	 * @param partition its partition
	 * @param offset its offset
	 * @return the record as bytes
	 * @throws IllegalStateException if it is no longer on the topic (retention, compaction) or cannot be read in time
	 */
	synchronized ConsumerRecord<byte[], byte[]> read(String topic, int partition, long offset) {
		Consumer<byte[], byte[]> reader = this.consumer;
		if (reader == null) {
			reader = this.consumers.get();
			this.consumer = reader;
		}
		TopicPartition topicPartition = new TopicPartition(topic, partition);
		reader.assign(List.of(topicPartition));
		reader.seek(topicPartition, offset);
		try {
			long deadline = System.nanoTime() + TIMEOUT.toNanos();
			while (System.nanoTime() - deadline < 0) {
				for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))
					.records(topicPartition)) {
					if (record.offset() == offset) {
						return record;
					}
					if (record.offset() > offset) {
						throw new IllegalStateException(topicPartition + "@" + offset + " is no longer on the topic");
					}
				}
			}
			throw new IllegalStateException("could not read " + topicPartition + "@" + offset + " again within "
					+ TIMEOUT.toSeconds() + " s");
		}
		finally {
			// no fetching ahead between reads: a fetch still waiting at the broker would delay the next read's
			reader.assign(List.of());
		}
	}

	@Override
	public synchronized void close() {
		Consumer<byte[], byte[]> reader = this.consumer;
		if (reader != null) {
			reader.close(Duration.ofSeconds(1));
			this.consumer = null;
		}
	}

}
