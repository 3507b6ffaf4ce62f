package io.waterhealer;

/**
 * The headers waterhealer writes on a dead letter and on a replayed record, for applications and tools that read
 * them. They sit beside spring-kafka's own {@code kafka_dlt-*} headers ({@code KafkaHeaders.DLT_ORIGINAL_TOPIC},
 * {@code DLT_ORIGINAL_PARTITION}, {@code DLT_ORIGINAL_OFFSET}, {@code DLT_EXCEPTION_FQCN},
 * {@code DLT_EXCEPTION_MESSAGE}, ...), which describe the failure as thrown; the root-cause headers name its innermost
 * cause, because the thrown exception is often a wrapper ("failed to deserialize", "listener failed") that says
 * little. Every value is UTF-8 text.
 */
public final class DeadLetterHeaders {

	/** Number of attempts made before the record was dead-lettered. */
	public static final String ATTEMPTS = "waterhealer-attempts";

	/** Id of the {@code @HealingListener} that dead-lettered the record. */
	public static final String LISTENER = "waterhealer-listener";

	/** Class and message of the failure's innermost cause, as {@code class: message}. */
	public static final String ROOT_CAUSE = "waterhealer-root-cause";

	/** Class name of the failure's innermost cause (the failure itself if it has none). */
	public static final String ROOT_CAUSE_CLASS = "waterhealer-root-cause-class";

	/** Message of the failure's innermost cause; absent when it has none. */
	public static final String ROOT_CAUSE_MESSAGE = "waterhealer-root-cause-message";

	/**
	 * On a record replayed from the dead-letter topic to its original topic: when it was replayed (ISO-8601). A record
	 * that failed again after a replay and was replayed once more carries one such header per replay, so a handler
	 * can tell a replay, and how many there were, by counting them.
	 */
	public static final String REPLAYED = "waterhealer-replayed";

	/**
	 * The topic a record came from before it went through retry tiers; when present, a replay sends the record there
	 * rather than to {@code kafka_dlt-original-topic} (which then names the tier it was dead-lettered from).
	 */
	public static final String RETRY_ORIGINAL_TOPIC = "waterhealer-retry-original-topic";

	private DeadLetterHeaders() {
	}

}
