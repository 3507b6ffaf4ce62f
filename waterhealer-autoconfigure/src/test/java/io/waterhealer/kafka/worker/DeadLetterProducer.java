package io.waterhealer.kafka.worker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.SerializationException;

import org.springframework.kafka.core.KafkaTemplate;

/**
 * Kafka's {@link MockProducer} as the dead-letter broker of a unit test, behind real {@link KafkaTemplate}s: the
 * test decides when (and whether) the broker acknowledges a send, with auto-complete off. The template closes its
 * producer after every send, as it does with a factory's shared producer, so closing is ignored here the way
 * spring-kafka's factory ignores it.
 */
final class DeadLetterProducer extends MockProducer<Object, Object> {

	DeadLetterProducer() {
		super(false, null, DeadLetterProducer::text, DeadLetterProducer::text);
	}

	/**
	 * Writes strings, and refuses anything else the way the real producer does: {@code KafkaProducer} turns a
	 * serializer's {@code ClassCastException} into a {@link SerializationException}, which the mock does not.
	 */
	private static byte[] text(String topic, Object data) {
		if (data instanceof String text) {
			return text.getBytes(StandardCharsets.UTF_8);
		}
		throw new SerializationException("Can't convert value of class " + data.getClass().getName()
				+ " to class org.apache.kafka.common.serialization.StringSerializer specified in value.serializer");
	}

	@Override
	public void close(Duration timeout) {
	}

	@Override
	public void close() {
	}

	KafkaTemplate<Object, Object> template() {
		return new KafkaTemplate<>(() -> this);
	}

	/** A publisher to {@code <topic>-dlt} whose two templates (records and byte arrays) both send here. */
	DeadLetterPublisher publisher(String listenerId) {
		return new DeadLetterPublisher(listenerId, template(), template(), (topic) -> topic + "-dlt");
	}

}
