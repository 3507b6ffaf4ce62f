package io.waterhealer.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.SerializationUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class PoisonPillDeserializerTests {

	@Test
	void passesBuffersToTheDelegate() {
		PoisonPillDeserializer<Object> deserializer = configured(StringDeserializer.class);
		RecordHeaders headers = new RecordHeaders();
		ByteBuffer buffer = ByteBuffer.wrap("--hello".getBytes(StandardCharsets.UTF_8), 2, 5).slice();
		assertThat(deserializer.deserialize("t", headers, buffer)).isEqualTo("hello");
		assertThat(headers.toArray()).isEmpty();
	}

	@Test
	void failureBecomesNullAndAnExceptionHeaderWithTheOriginalBytes() {
		PoisonPillDeserializer<Object> deserializer = configured(Refusing.class);
		RecordHeaders headers = new RecordHeaders();
		// a header that arrives on the wire with the exception header's name is not trusted
		headers.add(SerializationUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER, "spoofed".getBytes(StandardCharsets.UTF_8));
		assertThat(deserializer.deserialize("t", headers, ByteBuffer.wrap("bad".getBytes(StandardCharsets.UTF_8))))
			.isNull();
		ConsumerRecord<Object, Object> record = new ConsumerRecord<>("t", 0, 0, 0, TimestampType.CREATE_TIME, 0, 3,
				null, null, headers, java.util.Optional.empty());
		DeserializationException failure = SerializationUtils.getExceptionFromHeader(record,
				SerializationUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER, new LogAccessor(getClass()));
		assertThat(failure).isNotNull();
		assertThat(failure.getData()).asString(StandardCharsets.UTF_8).isEqualTo("bad");
		assertThat(failure.getCause()).hasMessage("refused");
	}

	@Test
	void withoutADelegateTheErrorNamesTheProperty() {
		assertThatIllegalStateException().isThrownBy(() -> new PoisonPillDeserializer<>().configure(Map.of(), false))
			.withMessageContaining(PoisonPillDeserializer.VALUE_DELEGATE);
	}

	private static PoisonPillDeserializer<Object> configured(Class<?> delegate) {
		PoisonPillDeserializer<Object> deserializer = new PoisonPillDeserializer<>();
		deserializer.configure(Map.of(PoisonPillDeserializer.VALUE_DELEGATE, delegate.getName()), false);
		return deserializer;
	}

	public static class Refusing implements Deserializer<Object> {

		@Override
		public Object deserialize(String topic, byte[] data) {
			throw new IllegalArgumentException("refused");
		}

	}

}
