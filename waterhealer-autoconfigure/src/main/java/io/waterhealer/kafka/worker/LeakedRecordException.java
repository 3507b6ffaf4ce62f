package io.waterhealer.kafka.worker;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A batch method with the leakage check on returned a result that does not account for this record: the record is
 * failed (never completed silently) and goes to the failure policy.
 */
public class LeakedRecordException extends PoisonPillException {

	LeakedRecordException(String listenerId, ConsumerRecord<?, ?> record) {
		super("@HealingListener '" + listenerId + "' lost " + coordinates(record)
				+ ": the batch method's result does not contain its element (leakage check)");
	}

}
