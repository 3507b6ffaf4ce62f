package io.waterhealer.kafka.worker;

import io.waterhealer.FailurePolicy;
import org.jspecify.annotations.Nullable;

/**
 * Counts the records of one listener that reached the failure policy in a row with the same exception type, and
 * trips once {@code threshold} of them did: from then on no record is dead-lettered or skipped until
 * {@link #reset()}. A record that succeeds between two failures ends the run, as does a failure of another type.
 * <p>
 * The record that completes the run is still admitted, every later one is refused, and the decision is taken under
 * this object's monitor before the policy runs: so exactly {@code threshold} records are dead-lettered or skipped,
 * however many workers fail at once.
 */
final class DeadLetterStormGuard {

	private final String listenerId;

	private final int threshold;

	private final FailurePolicy policy;

	private @Nullable Class<?> runType;

	private volatile int run;

	private volatile @Nullable DeadLetterStorm storm;

	/**
	 * Create a guard.
	 * @param listenerId the listener
	 * @param threshold records in a row that trip it; 0 turns it off
	 * @param policy the policy it guards
	 */
	DeadLetterStormGuard(String listenerId, int threshold, FailurePolicy policy) {
		this.listenerId = listenerId;
		this.threshold = threshold;
		this.policy = policy;
	}

	/**
	 * Any worker thread: a record is about to be dead-lettered or skipped.
	 * @param failure why it failed
	 * @return whether the policy may be applied to it; {@code false} once the guard has tripped
	 */
	synchronized boolean admit(Throwable failure) {
		if (this.threshold == 0) {
			return true;
		}
		if (this.storm != null) {
			return false;
		}
		if (failure.getClass() == this.runType) {
			this.run++;
		}
		else {
			this.runType = failure.getClass();
			this.run = 1;
		}
		if (this.run >= this.threshold) {
			this.storm = new DeadLetterStorm(this.listenerId, failure.getClass().getName(), this.run, this.policy,
					FailureHandler.describe(failure));
		}
		return true;
	}

	/** Any worker thread: a record was processed, which ends the run (but not a storm already declared). */
	void succeeded() {
		if (this.threshold == 0 || this.run == 0) {
			return;
		}
		synchronized (this) {
			if (this.storm == null) {
				this.run = 0;
				this.runType = null;
			}
		}
	}

	/**
	 * The storm that stopped the policy, if one did.
	 * @return the storm, or {@code null}
	 */
	@Nullable DeadLetterStorm storm() {
		return this.storm;
	}

	/** An operator resumed the listener: count from zero again. */
	synchronized void reset() {
		this.storm = null;
		this.run = 0;
		this.runType = null;
	}

}
