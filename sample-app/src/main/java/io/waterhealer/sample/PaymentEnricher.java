package io.waterhealer.sample;

import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.springframework.stereotype.Component;

/**
 * The slow step of the pipeline: it stands in for the remote calls a payments service makes for each payment (an
 * exchange-rate service, a fraud-scoring service). Each call takes between {@code sample.processing.min-work} and
 * {@code max-work} and fails with a transient error in {@code sample.processing.failure-rate} of the attempts, the
 * way a timeout does; trying again later succeeds.
 * <p>
 * Parking the worker thread is the point: it shows waterhealer keeping many such calls in flight where a plain
 * listener would wait for each, and healing the failures by retrying them without committing past them.
 */
@Component
public class PaymentEnricher {

	/** Euro cents per 100 units of each currency, fixed for the demo. */
	private static final Map<String, Long> EUR_PER_100 = Map.of("EUR", 100L, "USD", 92L, "GBP", 117L);

	/** Payments above this many euro cents are flagged for review. */
	private static final long REVIEW_ABOVE_EUR_CENTS = 90_000;

	private final SampleProperties.Processing processing;

	public PaymentEnricher(SampleProperties properties) {
		this.processing = properties.processing();
	}

	/**
	 * Look up the exchange rate and the risk of a payment.
	 * @param payment the payment
	 * @return the payment with its euro amount and risk
	 * @throws TransientPaymentException when the simulated remote call fails; the payment is then retried
	 */
	public EnrichedPayment enrich(Payment payment) {
		work();
		if (ThreadLocalRandom.current().nextDouble() < this.processing.failureRate()) {
			throw new TransientPaymentException("rate service timed out for " + payment.id() + " (simulated)");
		}
		Long rate = EUR_PER_100.get(payment.currency());
		if (rate == null) {
			throw new IllegalArgumentException("no exchange rate for currency '" + payment.currency() + "' of "
					+ payment.id());
		}
		long eurCents = payment.amountCents() * rate / 100;
		return new EnrichedPayment(payment, eurCents, (eurCents > REVIEW_ABOVE_EUR_CENTS) ? "review" : "ok");
	}

	private void work() {
		long min = this.processing.minWork().toNanos();
		long max = this.processing.maxWork().toNanos();
		long nanos = (max > min) ? ThreadLocalRandom.current().nextLong(min, max + 1) : min;
		try {
			TimeUnit.NANOSECONDS.sleep(nanos);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new TransientPaymentException("interrupted while enriching a payment; it will be retried");
		}
	}

	/**
	 * A failure that goes away when the payment is tried again, like a timeout of a remote service.
	 */
	public static class TransientPaymentException extends RuntimeException {

		TransientPaymentException(String message) {
			super(message);
		}

	}

}
