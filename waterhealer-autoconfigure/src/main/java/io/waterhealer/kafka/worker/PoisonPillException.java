package io.waterhealer.kafka.worker;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A record the listener can never process, whatever the number of attempts: its value has the wrong type, or is
 * missing where the method requires one. It skips the retries and goes straight to the failure policy. Records
 * that cannot be deserialized at all are recognised by spring-kafka's {@code DeserializationException} instead.
 */
public class PoisonPillException extends IllegalArgumentException {

	PoisonPillException(String message) {
		super(message);
	}

	PoisonPillException(String message, Throwable cause) {
		super(message, cause);
	}

	static String coordinates(ConsumerRecord<?, ?> record) {
		return record.topic() + "-" + record.partition() + "@" + record.offset();
	}

	/** The value deserializer produced a type the listener method does not take. */
	static final class WrongValueType extends PoisonPillException {

		WrongValueType(String listenerId, ConsumerRecord<?, ?> record, Class<?> expected, Class<?> actual) {
			super("@HealingListener '" + listenerId + "' takes " + expected.getName() + " but the value of "
					+ coordinates(record) + " is " + actual.getName()
					+ "; set spring.kafka.consumer.value-deserializer to produce " + expected.getSimpleName()
					+ " or change the parameter type");
		}

		WrongValueType(String listenerId, ConsumerRecord<?, ?> record, Class<?> expected, Class<?> actual,
				Throwable cause) {
			super("@HealingListener '" + listenerId + "' takes " + expected.getName() + " but the value of "
					+ coordinates(record) + " is " + actual.getName() + " and cannot be converted ("
					+ rootCause(cause) + "); set spring.kafka.consumer.value-deserializer to produce "
					+ expected.getSimpleName() + ", define a RecordMessageConverter bean (e.g. "
					+ "StringJacksonJsonMessageConverter) or change the parameter type", cause);
		}

	}

	/** The record has no value (a tombstone) and the method's value parameter is not {@code @Nullable}. */
	static final class MissingValue extends PoisonPillException {

		MissingValue(String listenerId, ConsumerRecord<?, ?> record) {
			super("@HealingListener '" + listenerId + "' requires a value but " + coordinates(record)
					+ " has none; annotate the parameter @Nullable to receive tombstones");
		}

	}

	/**
	 * The record could not be converted to what the method takes: the message converter (e.g. a JSON converter)
	 * or an argument resolver ({@code @Header} conversion) failed on this record's bytes.
	 */
	static final class Unconvertible extends PoisonPillException {

		Unconvertible(String listenerId, ConsumerRecord<?, ?> record, String target, Throwable cause) {
			super("@HealingListener '" + listenerId + "' cannot convert " + coordinates(record) + " to " + target
					+ ": " + rootCause(cause), cause);
		}

	}

	/** The payload failed {@code @Valid} / {@code @Validated} validation: no attempt can make it valid. */
	static final class InvalidPayload extends PoisonPillException {

		InvalidPayload(String listenerId, ConsumerRecord<?, ?> record, String violations, Throwable cause) {
			super("@HealingListener '" + listenerId + "' received an invalid payload at " + coordinates(record) + ": "
					+ violations, cause);
		}

	}

	static String rootCause(Throwable failure) {
		Throwable root = failure;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root.getClass().getName() + ": " + root.getMessage();
	}

}
