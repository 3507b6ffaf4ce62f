package io.waterhealer.sample;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * Consumes the payments topic with up to 32 payments in progress at once, which a plain {@code @KafkaListener}
 * would process one at a time per partition.
 * <p>
 * {@code KEY} ordering is what makes that safe for payments: the record key is the account, so two payments of one
 * account never run at the same time and always run in the order they were published, while other accounts keep
 * going. When storing a payment fails, throwing is all the method does: waterhealer retries it with back-off, holds
 * back the later payments of that account only, and never commits an offset past it, so a crash while it is failing
 * replays it instead of losing it.
 */
@Component
public class PaymentListener {

	private final JsonMapper jsonMapper;

	private final PaymentStore store;

	private final SampleProperties.Processing processing;

	private final Set<String> failing = ConcurrentHashMap.newKeySet();

	private final AtomicLong failedAttempts = new AtomicLong();

	private final AtomicLong healed = new AtomicLong();

	public PaymentListener(JsonMapper jsonMapper, PaymentStore store, SampleProperties properties) {
		this.jsonMapper = jsonMapper;
		this.store = store;
		this.processing = properties.processing();
	}

	/**
	 * Store one payment.
	 * @param json the record's value, a {@link Payment} as JSON
	 * @throws TransientPaymentException when the simulated ledger call fails; the payment is then retried
	 */
	@HealingListener(id = "payments", topics = "${sample.topic}", parallelism = "32", ordering = Ordering.KEY)
	public void onPayment(String json) {
		Payment payment = this.jsonMapper.readValue(json, Payment.class);
		work();
		if (ThreadLocalRandom.current().nextDouble() < this.processing.failureRate()) {
			this.failedAttempts.incrementAndGet();
			this.failing.add(payment.id());
			throw new TransientPaymentException("ledger timed out storing " + payment.id() + " (simulated)");
		}
		this.store.store(payment);
		if (this.failing.remove(payment.id())) {
			this.healed.incrementAndGet();
		}
	}

	/**
	 * Attempts that failed with a simulated transient error.
	 * @return the count
	 */
	public long failedAttempts() {
		return this.failedAttempts.get();
	}

	/**
	 * Payments that failed at least once and were then stored by a retry.
	 * @return the count
	 */
	public long healed() {
		return this.healed.get();
	}

	/**
	 * Stand in for the remote call a real service would make. Parking the worker thread is the point: it shows
	 * waterhealer keeping many such calls in flight where a plain listener would wait for each.
	 */
	private void work() {
		long min = this.processing.minWork().toNanos();
		long max = this.processing.maxWork().toNanos();
		long nanos = (max > min) ? ThreadLocalRandom.current().nextLong(min, max + 1) : min;
		try {
			TimeUnit.NANOSECONDS.sleep(nanos);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new TransientPaymentException("interrupted while storing a payment; it will be processed again");
		}
	}

	/**
	 * A failure that goes away when the payment is tried again, like a timeout of the ledger database.
	 */
	static class TransientPaymentException extends RuntimeException {

		TransientPaymentException(String message) {
			super(message);
		}

	}

}
