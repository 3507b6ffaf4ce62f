package io.waterhealer.kafka.worker;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

import io.waterhealer.InvalidHealingListenerException;
import io.waterhealer.Stages;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.support.Acknowledgment;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.converter.MessageConversionException;
import org.springframework.messaging.handler.annotation.Header;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.mockito.Mockito.mock;

/**
 * How a listener method is bound and called, without a broker: spring-messaging's binding (headers, conversion),
 * the provided parameters (record, headers, stages, acknowledgment), the value checked against the
 * parameter (a wrong type or a missing value is a poison pill, not a retry), what the method threw unwrapped, and
 * the signatures that cannot work refused at startup with the listener, the method and the fix in the message.
 */
class HandlerMethodInvokerTests {

	private final Listeners listeners = new Listeners();

	private final ConsumerRecord<Object, Object> record = new ConsumerRecord<>("orders", 0, 9, "k", "v");

	@Test
	void theRecordHeadersAndStagesAreBoundByTypeAndThePrivateMethodIsCalled() throws Throwable {
		HandlerMethodInvoker invoker = invoker("onRecord", ConsumerRecord.class, Headers.class, Stages.class);
		Stages stages = mock(Stages.class);
		assertThat(invoker.takesStages()).isTrue();
		assertThat(invoker.invoke(this.record, stages)).isNull();
		assertThat(this.listeners.received).containsExactly(this.record, this.record.headers(), stages);
	}

	@Test
	void theValueParameterReceivesTheRecordsValueAndTheResultIsReturned() throws Throwable {
		HandlerMethodInvoker invoker = invoker("onValue", String.class);
		assertThat(invoker.takesStages()).isFalse();
		assertThat(invoker.returnsVoid()).isFalse();
		assertThat(invoker.methodName()).isEqualTo("onValue");
		assertThat(invoker.invoke(this.record, null)).isEqualTo("V");
	}

	@Test
	void aValueOfAnotherTypeIsAPoisonPill() {
		HandlerMethodInvoker invoker = invoker("onNumber", int.class);
		assertThatExceptionOfType(PoisonPillException.WrongValueType.class)
			.isThrownBy(() -> invoker.invoke(this.record, null))
			.withMessageContaining("takes java.lang.Integer but the value of orders-0@9 is java.lang.String");
	}

	@Test
	void aTombstoneIsAPoisonPillUnlessTheParameterIsNullable() throws Throwable {
		ConsumerRecord<Object, Object> tombstone = new ConsumerRecord<>("orders", 0, 10, "k", null);
		assertThatExceptionOfType(PoisonPillException.MissingValue.class)
			.isThrownBy(() -> invoker("onValue", String.class).invoke(tombstone, null));
		invoker("onMaybe", String.class).invoke(tombstone, null);
		assertThat(this.listeners.received).containsExactly((Object) null);
	}

	@Test
	void whatTheMethodThrowsIsRethrownUnwrapped() {
		IOException failure = new IOException("disk full");
		this.listeners.failure = failure;
		assertThatExceptionOfType(IOException.class)
			.isThrownBy(() -> invoker("onFailing", String.class).invoke(this.record, null))
			.isSameAs(failure);
	}

	@Test
	void aNullCompletionStageIsRefusedWithTheFix() {
		HandlerMethodInvoker invoker = invoker("onAsync", String.class);
		assertThat(invoker.returnsStage()).isTrue();
		assertThatIllegalStateException().isThrownBy(() -> invoker.invoke(this.record, null))
			.withMessage("@HealingListener 'orders' returned a null CompletionStage; return a completed one instead");
	}

	@Test
	void aBatchMethodReceivesTheValuesOrTheRecords() throws Throwable {
		HandlerMethodInvoker values = invoker("onValues", List.class);
		HandlerMethodInvoker records = invoker("onRecords", List.class);
		assertThat(values.isBatch()).isTrue();
		assertThat(records.returnsVoid()).isTrue();
		assertThat(values.batchElements(List.of(this.record))).containsExactly("v");
		assertThat(records.batchElements(List.of(this.record))).containsExactly(this.record);
		assertThat(values.invokeBatch(List.of("a", "b"))).isEqualTo(List.of("A", "B"));
		assertThatIllegalStateException().isThrownBy(() -> values.invoke(this.record, null));
	}

	@Test
	void aMethodWithoutParametersIsRefused() {
		assertThatExceptionOfType(InvalidHealingListenerException.class).isThrownBy(() -> invoker("onNothing"))
			.withMessage("@HealingListener 'orders': method Listeners.onNothing() takes no parameter. Add a parameter "
					+ "for the record's value, or a ConsumerRecord<K, V> parameter.");
	}

	@Test
	void aSecondValueParameterIsRefused() {
		assertThatExceptionOfType(InvalidHealingListenerException.class)
			.isThrownBy(() -> invoker("onTwoValues", String.class, String.class))
			.withMessageContaining("of Listeners.onTwoValues() cannot be bound: only one parameter can receive the "
					+ "record's value");
	}

	@Test
	void aBatchMethodWithAPerRecordParameterIsRefused() {
		assertThatExceptionOfType(InvalidHealingListenerException.class)
			.isThrownBy(() -> invoker("onBatchAndRecord", List.class, ConsumerRecord.class))
			.withMessageContaining("takes a List (a batch) and a per-record parameter");
	}

	@Test
	void headersAreBoundBySpringMessagingAndAnUnconvertibleHeaderIsAPoisonPill() throws Throwable {
		ConsumerRecord<Object, Object> withHeader = new ConsumerRecord<>("orders", 0, 11, "k", "v");
		withHeader.headers().add("x-count", ByteBuffer.allocate(4).putInt(3).array());
		HandlerMethodInvoker invoker = invoker("onHeaders", String.class, String.class, int.class);
		invoker.invoke(withHeader, null);
		assertThat(this.listeners.received).containsExactly("v", "k", 3);
		ConsumerRecord<Object, Object> badHeader = new ConsumerRecord<>("orders", 0, 12, "k", "v");
		badHeader.headers().add("x-count", "3".getBytes(StandardCharsets.UTF_8));
		assertThatExceptionOfType(PoisonPillException.Unconvertible.class)
			.isThrownBy(() -> invoker.invoke(badHeader, null))
			.withMessageContaining("cannot convert orders-0@12 to parameter 'count' of Listeners.onHeaders()")
			.withMessageContaining("an int needs 4 bytes, the header has 1");
	}

	@Test
	void aConversionExceptionTheMethodThrowsIsItsOwnFailureNotAPoisonPill() {
		assertThatExceptionOfType(MessageConversionException.class)
			.isThrownBy(() -> invoker("onConverting", String.class).invoke(this.record, null))
			.withMessage("thrown by the method");
	}

	@Test
	void anAcknowledgmentCompletesTheRecordWhenCalledAndANackFailsItWithItsDelay() throws Throwable {
		HandlerMethodInvoker invoker = invoker("onAck", String.class, Acknowledgment.class);
		assertThat(invoker.returnsStage()).isTrue();
		CompletableFuture<?> acked = ((CompletionStage<?>) invoker.invoke(this.record, null)).toCompletableFuture();
		assertThat(acked).isNotDone();
		((Acknowledgment) this.listeners.received.get(1)).acknowledge();
		assertThat(acked).isCompleted();
		CompletableFuture<?> nacked = ((CompletionStage<?>) invoker.invoke(this.record, null)).toCompletableFuture();
		((Acknowledgment) this.listeners.received.get(3)).nack(Duration.ofSeconds(7));
		assertThat(nacked).failsWithin(Duration.ZERO)
			.withThrowableOfType(ExecutionException.class)
			.havingCause()
			.isInstanceOfSatisfying(CompletingAcknowledgment.NackedException.class,
					(nack) -> assertThat(nack.sleep()).isEqualTo(Duration.ofSeconds(7)));
	}

	/**
	 * A method that takes an {@code Acknowledgment} and also returns a stage would have two completions: the record
	 * completed on the acknowledgment alone, a failure of the stage was lost, and a lazy {@code Mono} never ran.
	 */
	@Test
	void anAcknowledgmentWithAReturnedStageIsRefused() {
		assertThatExceptionOfType(InvalidHealingListenerException.class)
			.isThrownBy(() -> invoker("onAckAndStage", String.class, Acknowledgment.class))
			.withMessageContaining("takes an Acknowledgment and returns CompletableFuture")
			.withMessageContaining("either acknowledge or return a completion, not both");
	}

	@Test
	void aConsumerParameterIsRefused() {
		assertThatExceptionOfType(InvalidHealingListenerException.class)
			.isThrownBy(() -> invoker("onConsumer", String.class, Consumer.class))
			.withMessageContaining("parameter 'consumer' of Listeners.onConsumer() is a Kafka Consumer");
	}

	private HandlerMethodInvoker invoker(String name, Class<?>... parameters) {
		try {
			Method method = Listeners.class.getDeclaredMethod(name, parameters);
			return new HandlerMethodInvoker("orders", this.listeners, method);
		}
		catch (NoSuchMethodException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Private methods: the invoker must make them accessible, as listener methods often are not public. */
	@SuppressWarnings("unused")
	static final class Listeners {

		final List<@Nullable Object> received = new ArrayList<>();

		@Nullable Exception failure;

		private void onRecord(ConsumerRecord<String, String> record, Headers headers, Stages stages) {
			this.received.add(record);
			this.received.add(headers);
			this.received.add(stages);
		}

		private String onValue(String value) {
			return value.toUpperCase();
		}

		private void onNumber(int value) {
		}

		private void onMaybe(@Nullable String value) {
			this.received.add(value);
		}

		private void onFailing(String value) throws Exception {
			throw this.failure;
		}

		private @Nullable CompletionStage<Void> onAsync(String value) {
			return value.equals("v") ? null : CompletableFuture.completedFuture(null);
		}

		private List<String> onValues(List<String> values) {
			return values.stream().map(String::toUpperCase).toList();
		}

		private void onRecords(List<ConsumerRecord<String, String>> records) {
		}

		private void onHeaders(String value, @Header(KafkaHeaders.RECEIVED_KEY) String key,
				@Header("x-count") int count) {
			this.received.add(value);
			this.received.add(key);
			this.received.add(count);
		}

		private void onConverting(String value) {
			throw new MessageConversionException("thrown by the method");
		}

		private void onAck(String value, Acknowledgment acknowledgment) {
			this.received.add(value);
			this.received.add(acknowledgment);
		}

		private CompletableFuture<Void> onAckAndStage(String value, Acknowledgment acknowledgment) {
			return CompletableFuture.completedFuture(null);
		}

		private void onConsumer(String value, Consumer<?, ?> consumer) {
		}

		private void onNothing() {
		}

		private void onTwoValues(String one, String two) {
		}

		private void onBatchAndRecord(List<String> values, ConsumerRecord<String, String> record) {
		}

	}

}
