package io.waterhealer.kafka.worker;

import io.waterhealer.FailurePolicy;

/**
 * A listener stopped applying its failure policy because its last {@code records} records all failed with the same
 * exception type: that is a configuration mistake or an outage, not a few bad records, and dead-lettering or skipping
 * on would empty the topic. Records that failed since stay incomplete, so nothing after them is committed.
 *
 * @param listenerId the listener
 * @param exceptionType the class of the exception every one of those records failed with
 * @param records how many records in a row failed with it (the threshold)
 * @param policy the policy that was stopped
 * @param lastFailure the last of those failures, with its root cause
 */
public record DeadLetterStorm(String listenerId, String exceptionType, int records, FailurePolicy policy,
		String lastFailure) {

	/**
	 * The reason health reports: what happened and what to do.
	 * @return the reason
	 */
	public String describe() {
		return "dead-letter storm: the last " + this.records + " records failed with " + this.exceptionType
				+ " and went to policy " + this.policy + ", so the listener stopped applying it and paused; records "
				+ "failing since stay uncommitted, none is lost (last failure: " + this.lastFailure + "). Fix the "
				+ "cause (often spring.kafka.consumer.value-deserializer or the method's parameter type) and restart, "
				+ "or POST /actuator/waterhealer/" + this.listenerId + " to resume once the cause is gone (expose the "
				+ "waterhealer endpoint and set management.endpoint.waterhealer.access=unrestricted); "
				+ "waterhealer.failure.storm-threshold=0 turns the guard off";
	}

}
