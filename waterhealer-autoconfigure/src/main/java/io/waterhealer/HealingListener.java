package io.waterhealer;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.aot.hint.annotation.Reflective;
import org.springframework.messaging.handler.annotation.MessageMappingReflectiveProcessor;

/**
 * Marks a bean method as a Kafka listener whose records are processed concurrently and out of order, with offsets
 * committed only up to the lowest record that is not yet processed successfully.
 * <p>
 * Used like {@code @KafkaListener}: the containers it creates are ordinary spring-kafka containers, registered in
 * the {@code KafkaListenerEndpointRegistry} under {@link #id()}, configured by {@code spring.kafka.*} (connection,
 * deserializers, {@code spring.kafka.listener.*}) and by the listener container factory bean.
 * <p>
 * The method's arguments are bound as a {@code @KafkaListener} method's are, by spring-messaging with the
 * {@code MessageHandlerMethodFactory} of the {@code KafkaListenerEndpointRegistrar} (or spring-kafka's default) and
 * the container factory's {@code RecordMessageConverter} (Spring Boot's {@code RecordMessageConverter} bean): the
 * value ({@code @Payload}, converted to the parameter's type; {@code required = false} or {@code @Nullable} for
 * tombstones; {@code @Valid} checked by the registrar's or Boot's validator), {@code @Header} ({@code RECEIVED_KEY},
 * {@code RECEIVED_TOPIC}, ..., any header by name), {@code @Headers Map<String, Object>}, {@code Message<T>}, plus
 * the {@code ConsumerRecord}, the record's {@code Headers}, {@link Stages} and an {@code Acknowledgment} (the record
 * completes when it is acknowledged, from any thread; {@code nack(Duration)} retries it after that delay). A
 * {@code Consumer} parameter is refused: the method runs on a worker thread. A record that cannot be converted, or
 * whose payload is invalid, goes to the failure policy without retries. For batch work the method takes a
 * {@code List} of values or of {@code ConsumerRecord}s (see {@link #batchSize()}, {@link BatchFailedException} and
 * {@link HealingBatch}). Returning normally completes the record; returning a {@code CompletionStage} (such as a
 * {@code CompletableFuture}) completes it when the stage completes; throwing, or a stage that completes
 * exceptionally, fails it: the record is retried with back-off, then handled by the {@link FailurePolicy}; the
 * committed offset never passes it while it is incomplete.
 * <p>
 * String attributes accept property placeholders ({@code ${...}}); numeric attributes left empty take their
 * default from {@code waterhealer.listener.*}.
 */
@Target({ ElementType.METHOD, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Reflective(MessageMappingReflectiveProcessor.class)
public @interface HealingListener {

	/**
	 * The listener id: the container's id in the {@code KafkaListenerEndpointRegistry} and the name used in logs,
	 * metrics and errors. Defaults to {@code <beanName>.<methodName>}.
	 * @return the id
	 */
	String id() default "";

	/**
	 * The topics to consume.
	 * @return the topics
	 */
	String[] topics() default {};

	/**
	 * The consumer group. Defaults to {@code spring.kafka.consumer.group-id}, then to the listener id.
	 * @return the group id
	 */
	String groupId() default "";

	/**
	 * Consumer threads (and so consumers in the group) for this listener. Defaults to
	 * {@code waterhealer.listener.concurrency}.
	 * @return the concurrency
	 */
	String concurrency() default "";

	/**
	 * Records processed at the same time by this listener across all its partitions; may be far above the number of
	 * partitions. Defaults to {@code waterhealer.listener.parallelism}.
	 * @return the parallelism
	 */
	String parallelism() default "";

	/**
	 * Which records may run at the same time; at most one value. Defaults to {@code waterhealer.listener.ordering}.
	 * @return the ordering
	 */
	Ordering[] ordering() default {};

	/**
	 * What to do with a record whose attempts are exhausted; at most one value. Defaults to
	 * {@code waterhealer.failure.policy} ({@code HALT}).
	 * @return the failure policy
	 */
	FailurePolicy[] failurePolicy() default {};

	/**
	 * Attempts per record, the first included, before the failure policy applies; {@code -1} for unlimited.
	 * Defaults to {@code waterhealer.retry.max-attempts}.
	 * @return the maximum number of attempts
	 */
	String maxAttempts() default "";

	/**
	 * Retry tiers: delays, shortest first, e.g. {@code "10s,1m,10m"}. A record that used up its attempts is
	 * published to the first tier's topic ({@code <topic>-retry-10s}) and its partition moves on; the same method
	 * consumes the tiers, giving it {@code maxAttempts} attempts on each once its delay has passed, and the failure
	 * policy applies after the last. A record sent to a tier leaves its key's order. Defaults to
	 * {@code waterhealer.retry.topics} (none).
	 * @return the tier delays
	 */
	String retryTopics() default "";

	/**
	 * Exceptions (and their subclasses) that are not retried but go straight to the failure policy, in addition to
	 * {@code waterhealer.retry.not-retryable} and to records that cannot be deserialized.
	 * @return the exception types
	 */
	Class<? extends Throwable>[] notRetryable() default {};

	/**
	 * Dead-letter topic for {@link FailurePolicy#DEAD_LETTER}. Defaults to the record's topic followed by
	 * {@code waterhealer.failure.dead-letter-suffix} ({@code -dlt}).
	 * @return the dead-letter topic
	 */
	String deadLetterTopic() default "";

	/**
	 * Bean name of the {@code KafkaListenerContainerFactory} that creates this listener's containers. Defaults to
	 * Spring Boot's {@code kafkaListenerContainerFactory}.
	 * @return the factory bean name
	 */
	String containerFactory() default "";

	/**
	 * For a batch method (one that takes a {@code List}): records at which a batch closes. Defaults to
	 * {@code waterhealer.batch.size}.
	 * @return the batch size
	 */
	String batchSize() default "";

	/**
	 * For a batch method: time after its first record at which a batch closes however few records it has, e.g.
	 * {@code "500ms"}. Defaults to {@code waterhealer.batch.timeout}.
	 * @return the batch timeout
	 */
	String batchTimeout() default "";

	/**
	 * How long what the method returns to complete later (a {@code CompletionStage}, a {@code Mono}, a Kotlin
	 * {@code suspend} call) may take before the attempt fails and the retries and the failure policy apply, e.g.
	 * {@code "30s"}; {@code "0"} for no limit. Defaults to {@code waterhealer.listener.completion-timeout}.
	 * @return the completion timeout
	 */
	String completionTimeout() default "";

	/**
	 * For a batch method: whether its result (a collection) must contain every element of its batch; a missing one
	 * fails its record, naming it ({@code "true"}/{@code "false"}). Defaults to
	 * {@code waterhealer.batch.check-leakage}.
	 * @return the leakage check flag
	 */
	String checkLeakage() default "";

	/**
	 * Whether every record's topic, partition and offset are logged (at INFO) when it is handed out
	 * ({@code "true"}/{@code "false"}). Defaults to {@code waterhealer.listener.debug}.
	 * @return the debug flag
	 */
	String debug() default "";

	/**
	 * Records this listener may start per second, minute or hour on this instance, to protect what the handler calls:
	 * {@code "500/s"}, {@code "1000/m"}, {@code "20000/h"}, or {@code "unlimited"} to lift the property's limit for
	 * this listener. A record waits for its token in a queue, holding no worker; retries take no token, a batch one per
	 * record. Defaults to {@code waterhealer.listener.rate} (unlimited).
	 * @return the rate limit
	 */
	String rate() default "";

	/**
	 * Whether the listener starts with the application context ({@code "true"}/{@code "false"}). Defaults to the
	 * container factory's setting.
	 * @return the auto-startup flag
	 */
	String autoStartup() default "";

}
