package io.waterhealer.kafka.worker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.kafka.support.serializer.DeserializationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatRuntimeException;
import static org.awaitility.Awaitility.await;

/**
 * What the dead-letter publisher sends and when it returns, with Kafka's {@link org.apache.kafka.clients.producer.MockProducer}
 * as the broker: it returns only once the broker acknowledged, and a send the broker fails is thrown, so the record
 * stays incomplete instead of being committed past while it is on no topic at all.
 */
class DeadLetterPublisherTests {

	private final DeadLetterProducer broker = new DeadLetterProducer();

	private final DeadLetterPublisher publisher = this.broker.publisher("orders-listener");

	private final ConsumerRecord<Object, Object> record = new ConsumerRecord<>("orders", 2, 41, "key-7", "value");

	@Test
	void publishReturnsOnlyOnceTheBrokerAcknowledgedTheDeadLetter() {
		CompletableFuture<Void> publishing = CompletableFuture
			.runAsync(() -> this.publisher.publish(this.record, new IllegalStateException("boom"), 3));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.broker.history().size() == 1);
		assertThat(publishing).isNotDone();
		assertThat(this.broker.completeNext()).isTrue();
		assertThat(publishing).succeedsWithin(Duration.ofSeconds(10));
	}

	@Test
	void theDeadLetterGoesToTheRecordsDeadLetterTopicWithItsOriginAttemptsAndListener() {
		CompletableFuture<Void> publishing = CompletableFuture
			.runAsync(() -> this.publisher.publish(this.record, new IllegalStateException("boom"), 3));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.broker.history().size() == 1);
		this.broker.completeNext();
		assertThat(publishing).succeedsWithin(Duration.ofSeconds(10));
		ProducerRecord<Object, Object> sent = this.broker.history().get(0);
		assertThat(sent.topic()).isEqualTo("orders-dlt");
		assertThat(sent.key()).isEqualTo("key-7");
		assertThat(sent.value()).isEqualTo("value");
		assertThat(header(sent, DeadLetterPublisher.ATTEMPTS_HEADER)).isEqualTo("3");
		assertThat(header(sent, DeadLetterPublisher.LISTENER_HEADER)).isEqualTo("orders-listener");
		assertThat(header(sent, KafkaHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo("orders");
		assertThat(sent.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_OFFSET)).isNotNull();
		assertThat(header(sent, KafkaHeaders.DLT_EXCEPTION_MESSAGE)).contains("boom");
	}

	@Test
	void theDeadLetterOfARecordThatCouldNotBeDeserializedNamesTheRootCause() {
		DeserializationException failure = new DeserializationException("failed to deserialize", new byte[] { 1, 2, 3 },
				false, new SerializationException("Size of data received by IntegerDeserializer is not 4"));
		CompletableFuture<Void> publishing = CompletableFuture
			.runAsync(() -> this.publisher.publish(this.record, failure, 1));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.broker.history().size() == 1);
		this.broker.completeNext();
		assertThat(publishing).succeedsWithin(Duration.ofSeconds(10));
		assertThat(header(this.broker.history().get(0), DeadLetterPublisher.ROOT_CAUSE_HEADER)).isEqualTo(
				"org.apache.kafka.common.errors.SerializationException: Size of data received by IntegerDeserializer "
						+ "is not 4");
	}

	@Test
	void aFailureWithoutACauseIsItsOwnRootCause() {
		CompletableFuture<Void> publishing = CompletableFuture
			.runAsync(() -> this.publisher.publish(this.record, new IllegalStateException("boom"), 3));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.broker.history().size() == 1);
		this.broker.completeNext();
		assertThat(publishing).succeedsWithin(Duration.ofSeconds(10));
		assertThat(header(this.broker.history().get(0), DeadLetterPublisher.ROOT_CAUSE_HEADER))
			.isEqualTo("java.lang.IllegalStateException: boom");
	}

	@Test
	void aSendTheBrokerFailsIsThrownSoTheRecordStaysIncomplete() {
		CompletableFuture<Void> publishing = CompletableFuture
			.runAsync(() -> this.publisher.publish(this.record, new IllegalStateException("boom"), 3));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.broker.history().size() == 1);
		assertThat(this.broker.errorNext(new TimeoutException("no leader for orders-dlt-0"))).isTrue();
		assertThat(publishing).failsWithin(Duration.ofSeconds(10))
			.withThrowableThat()
			.havingRootCause()
			.withMessageContaining("no leader for orders-dlt-0");
	}

	@Test
	void aValueTheProducerCannotSerializeNamesTheSerializerPropertiesToSet() {
		ConsumerRecord<Object, Object> json = new ConsumerRecord<>("orders", 2, 41, "key-7", new Order(7));
		assertThatRuntimeException().isThrownBy(() -> this.publisher.publish(json, new IllegalStateException("boom"), 3))
			.withMessageContaining("the dead-letter producer cannot serialize orders-2@41")
			.withMessageContaining("spring.kafka.producer.value-serializer");
	}

	private static String header(ProducerRecord<Object, Object> sent, String name) {
		Header header = sent.headers().lastHeader(name);
		assertThat(header).as(name).isNotNull();
		return new String(header.value(), StandardCharsets.UTF_8);
	}

	record Order(int id) {
	}

}
