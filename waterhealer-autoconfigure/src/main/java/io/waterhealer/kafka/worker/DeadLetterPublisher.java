package io.waterhealer.kafka.worker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;

import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.support.SendResult;

/**
 * Publishes exhausted records to their dead-letter topic with spring-kafka's {@link DeadLetterPublishingRecoverer},
 * which adds the original topic, partition, offset, timestamp and the exception as {@code kafka_dlt-*} headers;
 * waterhealer adds {@value #ATTEMPTS_HEADER}, {@value #LISTENER_HEADER} and {@value #ROOT_CAUSE_HEADER}, the last
 * because the recoverer's message header of a {@code DeserializationException} says only "failed to deserialize".
 * <p>
 * Publishing waits for the broker's acknowledgement, so a record is completed (and may be committed past) only once
 * it is safely on the dead-letter topic. Records that could not be deserialized are published with their original
 * bytes, through a template whose value serializer writes byte arrays. A record that failed its last retry tier goes
 * to the dead-letter topic of the topic it came from (its {@link RetryTierHeaders#ORIGINAL_TOPIC} header, which it
 * keeps), not to one of the tier's.
 */
public final class DeadLetterPublisher {

	/** Header with the number of attempts made before the record was dead-lettered. */
	public static final String ATTEMPTS_HEADER = "waterhealer-attempts";

	/** Header with the id of the listener that dead-lettered the record. */
	public static final String LISTENER_HEADER = "waterhealer-listener";

	/** Header with the class and message of the failure's innermost cause (the failure itself if it has none). */
	public static final String ROOT_CAUSE_HEADER = "waterhealer-root-cause";

	private static final ThreadLocal<int[]> ATTEMPTS = ThreadLocal.withInitial(() -> new int[1]);

	private final DeadLetterPublishingRecoverer recoverer;

	/**
	 * Create a publisher.
	 * @param listenerId the listener, written into a header
	 * @param template sends records whose key and value deserialized normally
	 * @param bytesTemplate sends records whose value failed to deserialize (value as {@code byte[]})
	 * @param destination the dead-letter topic of a record's topic
	 */
	public DeadLetterPublisher(String listenerId, KafkaOperations<?, ?> template, KafkaOperations<?, ?> bytesTemplate,
			Function<String, String> destination) {
		Map<Class<?>, KafkaOperations<?, ?>> templates = new LinkedHashMap<>();
		templates.put(byte[].class, bytesTemplate);
		templates.put(Object.class, template);
		this.recoverer = new DeadLetterPublishingRecoverer(templates,
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
		this.recoverer.setHeadersFunction((record, ex) -> {
			RecordHeaders headers = new RecordHeaders();
			headers.add(ATTEMPTS_HEADER, Integer.toString(ATTEMPTS.get()[0]).getBytes(StandardCharsets.UTF_8));
			headers.add(LISTENER_HEADER, listenerId.getBytes(StandardCharsets.UTF_8));
			Throwable root = FailureHandler.rootCause(ex);
			headers.add(ROOT_CAUSE_HEADER,
					(root.getClass().getName() + ": " + root.getMessage()).getBytes(StandardCharsets.UTF_8));
			return headers;
		});
		this.recoverer.setFailIfSendResultIsError(true);
		this.recoverer.setWaitForSendResultTimeout(Duration.ofSeconds(30));
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
		this.recoverer.accept(record, null, exception);
	}

}
