package io.waterhealer.kafka.worker;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jspecify.annotations.Nullable;

/**
 * Reads a record again, as the broker holds it (key and value bytes, headers), by its coordinates, so that a dead
 * letter or a record parked on a retry tier is the record as it was on the topic rather than a re-serialization of
 * what the deserializer made of it: a JSON value of the wrong shape deserializes to an object of nulls, which the
 * producer's serializer would write as {@code {"id":null,...}} with a {@code __TypeId__} header, the payload gone.
 * <p>
 * Why a second read rather than keeping the bytes: spring-kafka hands the listener only the deserialized record
 * ({@code ErrorHandlingDeserializer} keeps the bytes only of a value that failed to deserialize, and not the key's);
 * keeping every record's bytes beside its object would double the memory of every record in flight to serve the
 * rare one that is dead-lettered. A re-read costs one fetch per dead letter.
 * <p>
 * One consumer per listener, created on first use and reused: {@code assign} + {@code seek} + {@code poll}, no group
 * (it commits nothing and joins nothing), its configuration that of the listener's consumers with byte-array
 * deserializers. A {@code KafkaConsumer} is single-threaded, so reads are serialized; dead letters are rare. After
 * each read the consumer is left with no assignment, so that it fetches nothing ahead, and it asks the broker to
 * answer fetches within {@value #FETCH_MAX_WAIT_MILLIS} ms: a read would otherwise wait behind the previous read's
 * fetch still pending at the broker (up to {@code fetch.max.wait.ms}, 500 ms by default, per read).
 */
public final class OriginalRecords implements AutoCloseable {

	/** How long the broker may hold a fetch of the reader before answering. */
	static final int FETCH_MAX_WAIT_MILLIS = 10;

	private final Supplier<Consumer<byte[], byte[]>> consumers;

	private final Duration timeout;

	private @Nullable Consumer<byte[], byte[]> consumer;

	private boolean closed;

	/**
	 * Create the reader.
	 * @param consumers makes the consumer, on the first read
	 * @param timeout how long a read may wait for the broker
	 */
	public OriginalRecords(Supplier<Consumer<byte[], byte[]>> consumers, Duration timeout) {
		this.consumers = consumers;
		this.timeout = timeout;
	}

	/**
	 * A reader whose consumer has the listener's consumer configuration (servers, security, isolation level), with
	 * byte-array deserializers, no group and no interceptors.
	 * @param listenerId the listener, named in the client id
	 * @param purpose what it reads for, named in the client id ({@code dead-letter-originals})
	 * @param consumerConfig the listener's consumer configuration
	 * @return the reader
	 */
	public static OriginalRecords forListener(String listenerId, String purpose, Map<String, Object> consumerConfig) {
		Map<String, Object> config = new HashMap<>(consumerConfig);
		config.remove(ConsumerConfig.GROUP_ID_CONFIG);
		config.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
		config.remove(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG);
		config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
		config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
		config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MILLIS);
		config.put(ConsumerConfig.CLIENT_ID_CONFIG, "waterhealer-" + listenerId + "-" + purpose);
		config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
		config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
		return new OriginalRecords(() -> new KafkaConsumer<>(config), Duration.ofSeconds(10));
	}

	/**
	 * The record at these coordinates as the broker holds it.
	 * @param topic its topic
	 * @param partition its partition
	 * @param offset its offset
	 * @return the record, or {@code null} if it is no longer there (retention, compaction), the broker did not
	 * answer in time, or the reader is closed
	 */
	synchronized @Nullable ConsumerRecord<byte[], byte[]> read(String topic, int partition, long offset) {
		if (this.closed) {
			return null;
		}
		TopicPartition topicPartition = new TopicPartition(topic, partition);
		Consumer<byte[], byte[]> reader;
		try {
			reader = consumer();
		}
		catch (KafkaException ex) {
			return null;
		}
		try {
			reader.assign(List.of(topicPartition));
			reader.seek(topicPartition, offset);
			long deadline = System.nanoTime() + this.timeout.toNanos();
			while (System.nanoTime() < deadline) {
				for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200)).records(topicPartition)) {
					// an offset past the one asked for: it was deleted (auto.offset.reset=earliest moved the position
					// to the log start) or compacted away
					return (record.offset() == offset) ? record : null;
				}
				if (reader.position(topicPartition) > offset) {
					return null;
				}
			}
			return null;
		}
		catch (KafkaException ex) {
			return null;
		}
		finally {
			// no fetching ahead between reads: a fetch still waiting at the broker would delay the next read's
			reader.assign(List.of());
		}
	}

	private Consumer<byte[], byte[]> consumer() {
		Consumer<byte[], byte[]> current = this.consumer;
		if (current == null) {
			current = this.consumers.get();
			this.consumer = current;
		}
		return current;
	}

	@Override
	public synchronized void close() {
		this.closed = true;
		Consumer<byte[], byte[]> current = this.consumer;
		if (current != null) {
			current.close(CloseOptions.timeout(Duration.ofSeconds(5)));
			this.consumer = null;
		}
	}

}
