package io.waterhealer.kafka;

import java.nio.ByteBuffer;
import java.util.Map;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Utils;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanUtils;
import org.springframework.kafka.support.serializer.SerializationUtils;
import org.springframework.util.ClassUtils;

/**
 * Wraps the configured deserializer of a {@code @HealingListener}'s consumer so that a record that cannot be
 * deserialized reaches the listener with a {@code null} in its place and spring-kafka's deserialization-exception
 * header, as with spring-kafka's {@code ErrorHandlingDeserializer}, instead of failing every {@code poll()}.
 * <p>
 * It differs from {@code ErrorHandlingDeserializer} in what it costs on the consumer thread, which is what bounds a
 * listener's throughput: it hands the delegate the fetched {@link ByteBuffer} (no copy per record for deserializers
 * that read buffers, such as Kafka's {@code StringDeserializer}) and does not strip exception headers from every
 * record, which {@code ErrorHandlingDeserializer} does and which cost 13 % of the consumer thread on the no-op
 * benchmark. Stripping is not needed: spring-kafka only trusts exception headers created in-process
 * ({@code DeserializationExceptionHeader}), never ones that arrive on the wire, and the one added here comes last.
 * @param <T> the deserialized type
 */
public final class PoisonPillDeserializer<T> implements Deserializer<@Nullable T> {

	/** Consumer property naming the key deserializer to wrap. */
	public static final String KEY_DELEGATE = "waterhealer.key.deserializer.delegate";

	/** Consumer property naming the value deserializer to wrap. */
	public static final String VALUE_DELEGATE = "waterhealer.value.deserializer.delegate";

	private @Nullable Deserializer<T> delegate;

	private boolean forKey;

	@Override
	@SuppressWarnings("unchecked")
	public void configure(Map<String, ?> configs, boolean isKey) {
		this.forKey = isKey;
		String property = isKey ? KEY_DELEGATE : VALUE_DELEGATE;
		Object configured = configs.get(property);
		if (configured == null) {
			throw new IllegalStateException(property + " is not set: it names the deserializer to wrap");
		}
		try {
			Class<?> type = (configured instanceof Class<?> given) ? given
					: ClassUtils.forName(configured.toString().trim(), ClassUtils.getDefaultClassLoader());
			Deserializer<T> created = (Deserializer<T>) BeanUtils.instantiateClass(type);
			created.configure(configs, isKey);
			this.delegate = created;
		}
		catch (ClassNotFoundException | LinkageError ex) {
			throw new IllegalStateException("Cannot load the deserializer " + configured + " named by "
					+ (isKey ? "spring.kafka.consumer.key-deserializer" : "spring.kafka.consumer.value-deserializer"),
					ex);
		}
	}

	@Override
	public @Nullable T deserialize(String topic, byte @Nullable [] data) {
		return delegate().deserialize(topic, data);
	}

	@Override
	public @Nullable T deserialize(String topic, Headers headers, byte @Nullable [] data) {
		try {
			return delegate().deserialize(topic, headers, data);
		}
		catch (RuntimeException ex) {
			deserializationFailed(headers, data, ex);
			return null;
		}
	}

	@Override
	public @Nullable T deserialize(String topic, Headers headers, @Nullable ByteBuffer data) {
		int position = (data != null) ? data.position() : 0;
		try {
			return delegate().deserialize(topic, headers, data);
		}
		catch (RuntimeException ex) {
			byte[] bytes = null;
			if (data != null) {
				data.position(position);
				bytes = Utils.toArray(data);
			}
			deserializationFailed(headers, bytes, ex);
			return null;
		}
	}

	/** The record keeps its original bytes (null for a tombstone), so a dead letter carries exactly what came in. */
	@SuppressWarnings("NullAway")
	private void deserializationFailed(Headers headers, byte @Nullable [] data, RuntimeException ex) {
		SerializationUtils.deserializationException(headers, data, ex, this.forKey);
	}

	private Deserializer<T> delegate() {
		Deserializer<T> configured = this.delegate;
		if (configured == null) {
			throw new IllegalStateException("PoisonPillDeserializer used before it was configured");
		}
		return configured;
	}

	@Override
	public void close() {
		if (this.delegate != null) {
			this.delegate.close();
		}
	}

}
