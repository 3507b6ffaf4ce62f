package io.waterhealer.kafka.worker;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The messages of the records that can never be processed name the listener, the record and the fix, and each of
 * them is a poison pill, which is what sends it past the retries to the failure policy.
 */
class PoisonPillExceptionTests {

	private final ConsumerRecord<Object, Object> record = new ConsumerRecord<>("orders", 1, 17, "k", null);

	@Test
	void aValueOfTheWrongTypeNamesBothTypesAndTheDeserializerProperty() {
		PoisonPillException failure = new PoisonPillException.WrongValueType("orders", this.record, Integer.class,
				String.class);
		assertThat(failure).hasMessage("@HealingListener 'orders' takes java.lang.Integer but the value of orders-1@17 "
				+ "is java.lang.String; set spring.kafka.consumer.value-deserializer to produce Integer or change the "
				+ "parameter type");
		assertThat(FailureHandler.isPoisonPill(failure)).isTrue();
	}

	@Test
	void aMissingValueSaysHowToReceiveTombstones() {
		PoisonPillException failure = new PoisonPillException.MissingValue("orders", this.record);
		assertThat(failure).hasMessage("@HealingListener 'orders' requires a value but orders-1@17 has none; annotate "
				+ "the parameter @Nullable to receive tombstones");
		assertThat(FailureHandler.isPoisonPill(failure)).isTrue();
	}

	@Test
	void aLeakedRecordNamesTheRecordAndTheLeakageCheck() {
		LeakedRecordException failure = new LeakedRecordException("orders", this.record);
		assertThat(failure).hasMessage("@HealingListener 'orders' lost orders-1@17: the batch method's result does "
				+ "not contain its element (leakage check)");
		assertThat(FailureHandler.isPoisonPill(failure)).isTrue();
	}

}
