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

	}

	/** The record has no value (a tombstone) and the method's value parameter is not {@code @Nullable}. */
	static final class MissingValue extends PoisonPillException {

		MissingValue(String listenerId, ConsumerRecord<?, ?> record) {
			super("@HealingListener '" + listenerId + "' requires a value but " + coordinates(record)
					+ " has none; annotate the parameter @Nullable to receive tombstones");
		}

	}

}
