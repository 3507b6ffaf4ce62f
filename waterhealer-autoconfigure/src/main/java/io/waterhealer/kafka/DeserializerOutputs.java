package io.waterhealer.kafka;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.BooleanDeserializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.apache.kafka.common.serialization.BytesDeserializer;
import org.apache.kafka.common.serialization.DoubleDeserializer;
import org.apache.kafka.common.serialization.FloatDeserializer;
import org.apache.kafka.common.serialization.IntegerDeserializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.ShortDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.UUIDDeserializer;
import org.apache.kafka.common.serialization.VoidDeserializer;
import org.apache.kafka.common.utils.Bytes;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;

/**
 * What the value deserializers whose output is fixed produce, so that a method whose parameter can never receive
 * it is refused at start-up instead of sending every record to the policy. Deserializers that produce what they
 * are configured to (JSON, Avro, ...) are not known here and never refused.
 */
final class DeserializerOutputs {

	private static final Map<String, Class<?>> OUTPUTS = Map.ofEntries(
			Map.entry(StringDeserializer.class.getName(), String.class),
			Map.entry(ByteArrayDeserializer.class.getName(), byte[].class),
			Map.entry(ByteBufferDeserializer.class.getName(), ByteBuffer.class),
			Map.entry(BytesDeserializer.class.getName(), Bytes.class),
			Map.entry(IntegerDeserializer.class.getName(), Integer.class),
			Map.entry(LongDeserializer.class.getName(), Long.class),
			Map.entry(ShortDeserializer.class.getName(), Short.class),
			Map.entry(DoubleDeserializer.class.getName(), Double.class),
			Map.entry(FloatDeserializer.class.getName(), Float.class),
			Map.entry(BooleanDeserializer.class.getName(), Boolean.class),
			Map.entry(UUIDDeserializer.class.getName(), UUID.class),
			Map.entry(VoidDeserializer.class.getName(), Void.class));

	private DeserializerOutputs() {
	}

	/**
	 * The value deserializer the consumers are configured with, looking through spring-kafka's
	 * {@link ErrorHandlingDeserializer} to its delegate.
	 * @param consumerConfig the consumer configuration
	 * @param instance the deserializer instance the consumer factory holds, which wins over the configuration
	 * @return its class name, or {@code null} if none is configured
	 */
	static @Nullable String valueDeserializer(Map<String, Object> consumerConfig, @Nullable Object instance) {
		String name = (instance != null) ? instance.getClass().getName()
				: className(consumerConfig.get(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG));
		if (ErrorHandlingDeserializer.class.getName().equals(name)) {
			return className(consumerConfig.get(ErrorHandlingDeserializer.VALUE_DESERIALIZER_CLASS));
		}
		return name;
	}

	/**
	 * What a deserializer produces.
	 * @param deserializer its class name
	 * @return the type it always produces, or {@code null} if that is not known
	 */
	static @Nullable Class<?> output(@Nullable String deserializer) {
		return (deserializer != null) ? OUTPUTS.get(deserializer) : null;
	}

	private static @Nullable String className(@Nullable Object value) {
		if (value instanceof Class<?> type) {
			return type.getName();
		}
		return (value != null) ? value.toString().trim() : null;
	}

}
