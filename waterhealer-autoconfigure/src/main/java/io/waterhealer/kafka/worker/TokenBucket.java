package io.waterhealer.kafka.worker;

/**
 * Tokens for starting records at a rate: the bucket refills at {@code perSecond} and holds at most 100 ms of it (at
 * least one token), so that after a quiet spell a listener may start a short burst, never a second's worth at once.
 * Taking more tokens than the bucket holds (a batch larger than the burst) is allowed once the bucket is full, and
 * leaves it in debt, so that the long-run rate stays the configured one whatever the batch size.
 * <p>
 * The clock is passed in (nanoseconds, {@link System#nanoTime()} in production), so the bucket is pure arithmetic:
 * nothing here waits or reads a clock. Not thread-safe; {@link StartLimiter} guards it with its lock.
 */
final class TokenBucket {

	/** The burst a bucket allows, as a share of one second's rate. */
	static final double BURST_SECONDS = 0.1;

	/**
	 * Tokens short of a whole one that still count as whole: refilling adds nanoseconds times a rate, and a timer set
	 * to the exact moment a token is due must find it there, not 0.9999999 of it and wake once more.
	 */
	private static final double ROUNDING = 1e-9;

	private double perNano;

	private double capacity;

	private double tokens;

	private long refilledAt;

	/**
	 * A full bucket.
	 * @param perSecond tokens per second, positive and finite
	 * @param now the clock's reading, in nanoseconds
	 */
	TokenBucket(double perSecond, long now) {
		rate(perSecond, now);
		this.tokens = this.capacity;
	}

	/**
	 * Change the rate from now on: the tokens earned so far at the old rate are kept, up to the new capacity.
	 * @param perSecond tokens per second, positive and finite
	 * @param now the clock's reading
	 */
	void rate(double perSecond, long now) {
		if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
			throw new IllegalArgumentException("A token bucket's rate must be positive and finite, but was " + perSecond);
		}
		if (this.perNano > 0) {
			refill(now);
		}
		this.refilledAt = now;
		this.perNano = perSecond / 1_000_000_000d;
		this.capacity = Math.max(1, perSecond * BURST_SECONDS);
		this.tokens = Math.min(this.tokens, this.capacity);
	}

	/**
	 * Take tokens if they are there.
	 * @param permits tokens wanted, at least 1
	 * @param now the clock's reading
	 * @return whether they were taken
	 */
	boolean tryTake(int permits, long now) {
		refill(now);
		if (this.tokens + ROUNDING < needed(permits)) {
			return false;
		}
		this.tokens -= permits;
		return true;
	}

	/**
	 * How long until {@link #tryTake} of {@code permits} succeeds, if nobody else takes tokens meanwhile.
	 * @param permits tokens wanted, at least 1
	 * @param now the clock's reading
	 * @return nanoseconds, 0 when they are there now
	 */
	long nanosUntil(int permits, long now) {
		refill(now);
		double missing = needed(permits) - this.tokens - ROUNDING;
		if (missing <= 0) {
			return 0;
		}
		return Math.max(1, (long) Math.ceil(missing / this.perNano));
	}

	/**
	 * The tokens there now (negative while a large batch's debt is paid off).
	 * @param now the clock's reading
	 * @return the tokens
	 */
	double tokens(long now) {
		refill(now);
		return this.tokens;
	}

	/**
	 * The most tokens the bucket holds.
	 * @return the burst
	 */
	double capacity() {
		return this.capacity;
	}

	/** A wish larger than the bucket waits for a full bucket, not forever. */
	private double needed(int permits) {
		return Math.min(permits, this.capacity);
	}

	private void refill(long now) {
		long elapsed = now - this.refilledAt;
		if (elapsed > 0) {
			this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.perNano);
			this.refilledAt = now;
		}
	}

}
