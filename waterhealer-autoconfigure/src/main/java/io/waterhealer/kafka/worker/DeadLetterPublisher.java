package io.waterhealer.kafka.worker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.waterhealer.DeadLetterHeaders;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;

import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.support.SendResult;

/**
 * Publishes exhausted records to their dead-letter topic with spring-kafka's {@link DeadLetterPublishingRecoverer},
 * which adds the original topic, partition, offset, timestamp and the exception as {@code kafka_dlt-*} headers;
 * waterhealer adds the {@link DeadLetterHeaders}: attempts, listener and root cause, the last because the
 * recoverer's message header of a {@code DeserializationException} says only "failed to deserialize".
 * <p>
 * A dead letter is the record as it was on the topic: its key and value bytes and headers, read again by their
 * coordinates ({@link OriginalRecords}) and published through a template that writes byte arrays, never a
 * re-serialization of what the deserializer made of it (a JSON value of the wrong shape would become
 * {@code {"id":null,...}}). Only when the record is no longer on the broker (retention, compaction) is the deserialized
 * record published instead, with a WARN that says so.
 * <p>
 * Publishing waits for the broker's acknowledgement, so a record is completed (and may be committed past) only once
 * it is safely on the dead-letter topic. It is at-least-once: a crash between the acknowledgement and the commit
 * publishes the record again after the restart. A record that failed its last retry tier goes to the dead-letter
 * topic of the topic it came from (its {@link RetryTierHeaders#ORIGINAL_TOPIC} header, which it keeps), not to one of
 * the tier's.
 */
public final class DeadLetterPublisher {

	/** Header with the number of attempts made before the record was dead-lettered. */
	public static final String ATTEMPTS_HEADER = DeadLetterHeaders.ATTEMPTS;

	/** Header with the id of the listener that dead-lettered the record. */
	public static final String LISTENER_HEADER = DeadLetterHeaders.LISTENER;

	/** Header with the class and message of the failure's innermost cause (the failure itself if it has none). */
	public static final String ROOT_CAUSE_HEADER = DeadLetterHeaders.ROOT_CAUSE;

	private static final LogAccessor logger = new LogAccessor(DeadLetterPublisher.class);

	private static final ThreadLocal<int[]> ATTEMPTS = ThreadLocal.withInitial(() -> new int[1]);

	private final DeadLetterPublishingRecoverer asStored;

	private final DeadLetterPublishingRecoverer asConsumed;

	private final @Nullable OriginalRecords originals;

	/**
	 * Create a publisher that publishes the records as deserialized (tests with no broker to read again from).
	 * @param listenerId the listener, written into a header
	 * @param template sends records whose key and value deserialized normally
	 * @param bytesTemplate sends records whose value failed to deserialize (value as {@code byte[]})
	 * @param destination the dead-letter topic of a record's topic
	 */
	public DeadLetterPublisher(String listenerId, KafkaOperations<?, ?> template, KafkaOperations<?, ?> bytesTemplate,
			Function<String, String> destination) {
		this(listenerId, template, bytesTemplate, bytesTemplate, destination, null);
	}

	/**
	 * Create a publisher.
	 * @param listenerId the listener, written into a header
	 * @param template sends records whose key and value deserialized normally, when the original is gone
	 * @param bytesTemplate sends records whose value failed to deserialize (value as {@code byte[]}), when the
	 * original is gone
	 * @param rawTemplate sends the original records (key and value as {@code byte[]})
	 * @param destination the dead-letter topic of a record's topic
	 * @param originals reads the records again as the broker holds them, or {@code null} to publish them as
	 * deserialized
	 */
	public DeadLetterPublisher(String listenerId, KafkaOperations<?, ?> template, KafkaOperations<?, ?> bytesTemplate,
			KafkaOperations<?, ?> rawTemplate, Function<String, String> destination,
			@Nullable OriginalRecords originals) {
		Map<Class<?>, KafkaOperations<?, ?>> templates = new LinkedHashMap<>();
		templates.put(byte[].class, bytesTemplate);
		templates.put(Object.class, template);
		this.asConsumed = recoverer(listenerId, templates, destination);
		this.asStored = recoverer(listenerId, Map.of(Object.class, rawTemplate), destination);
		this.originals = originals;
	}

	private static DeadLetterPublishingRecoverer recoverer(String listenerId,
			Map<Class<?>, KafkaOperations<?, ?>> templates, Function<String, String> destination) {
		DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(templates,
				(record, ex) -> new TopicPartition(destination.apply(RetryTierPublisher.originalTopic(record)), -1)) {
			/**
			 * Sends and waits like the recoverer does, but a value the producer cannot serialize is a configuration
			 * mistake that retrying will not cure: say which property to change (the recoverer logs it and throws
			 * an exception without the cause).
			 */
			@Override
			protected void publish(ProducerRecord<Object, Object> outRecord,
					KafkaOperations<Object, Object> kafkaTemplate, ConsumerRecord<?, ?> inRecord) {
				CompletableFuture<SendResult<Object, Object>> result;
				try {
					result = kafkaTemplate.send(outRecord);
				}
				catch (SerializationException ex) {
					throw new IllegalStateException("the dead-letter producer cannot serialize " + inRecord.topic()
							+ "-" + inRecord.partition() + "@" + inRecord.offset() + " (" + ex.getMessage()
							+ "). Set spring.kafka.producer.key-serializer and spring.kafka.producer.value-serializer "
							+ "to serializers of the listener's key and value types, e.g. "
							+ "org.springframework.kafka.support.serializer.JacksonJsonSerializer for a JSON listener",
							ex);
				}
				verifySendResult(kafkaTemplate, outRecord, result, inRecord);
			}

		};
		recoverer.setHeadersFunction((record, ex) -> {
			RecordHeaders headers = new RecordHeaders();
			headers.add(DeadLetterHeaders.ATTEMPTS,
					Integer.toString(ATTEMPTS.get()[0]).getBytes(StandardCharsets.UTF_8));
			headers.add(DeadLetterHeaders.LISTENER, listenerId.getBytes(StandardCharsets.UTF_8));
			Throwable root = FailureHandler.rootCause(ex);
			String message = root.getMessage();
			headers.add(DeadLetterHeaders.ROOT_CAUSE,
					(root.getClass().getName() + ": " + message).getBytes(StandardCharsets.UTF_8));
			headers.add(DeadLetterHeaders.ROOT_CAUSE_CLASS, root.getClass().getName().getBytes(StandardCharsets.UTF_8));
			if (message != null) {
				headers.add(DeadLetterHeaders.ROOT_CAUSE_MESSAGE, message.getBytes(StandardCharsets.UTF_8));
			}
			return headers;
		});
		recoverer.setFailIfSendResultIsError(true);
		recoverer.setWaitForSendResultTimeout(Duration.ofSeconds(30));
		return recoverer;
	}

	/**
	 * Publish a record and wait for the broker's acknowledgement.
	 * @param record the exhausted record
	 * @param failure why it failed
	 * @param attempts how many attempts were made
	 * @throws RuntimeException if it could not be published; the record must then stay incomplete
	 */
	void publish(ConsumerRecord<?, ?> record, Throwable failure, int attempts) {
		Exception exception = (failure instanceof Exception ex) ? ex : new IllegalStateException(failure);
		ATTEMPTS.get()[0] = attempts;
		OriginalRecords reader = this.originals;
		if (reader == null) {
			this.asConsumed.accept(record, null, exception);
			return;
		}
		ConsumerRecord<byte[], byte[]> original = reader.read(record.topic(), record.partition(), record.offset());
		if (original != null) {
			this.asStored.accept(original, null, exception);
			return;
		}
		logger.warn(() -> "the record " + record.topic() + "-" + record.partition() + "@" + record.offset()
				+ " is no longer on the broker (deleted by retention or compaction, or the broker did not answer in "
				+ "time): its dead letter carries the value as the producer's serializer writes the deserialized "
				+ "object, not the original bytes, and the headers as the listener saw them");
		this.asConsumed.accept(record, null, exception);
	}

}
