package io.waterhealer.sample;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import io.waterhealer.Stages;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * The payments pipeline: parse the JSON, enrich it (slow remote calls that sometimes time out), store it, and
 * publish a booking for the report. Up to 32 payments are in progress at once, where a plain {@code @KafkaListener}
 * would process one at a time per partition.
 * <p>
 * {@code KEY} ordering is what makes that safe for payments: the record key is the account, so two payments of one
 * account never run at the same time and always run in the order they were published, while other accounts keep
 * going. When a step fails, throwing is all the method does: waterhealer retries the payment with back-off, holds
 * back the later payments of that account only, and never commits an offset past it, so a crash while it is failing
 * replays it instead of losing it.
 * <p>
 * Each step is a named stage ({@code parse}, {@code enrich}, {@code store}), counted and timed on its own at
 * {@code /actuator/prometheus}, with its last output at {@code /actuator/checkpoints}. The method returns the
 * future of the booking's send, so a payment counts as done only once the broker has the booking.
 */
@Component
public class PaymentListener {

	private final JsonMapper jsonMapper;

	private final PaymentEnricher enricher;

	private final PaymentStore store;

	private final KafkaTemplate<String, String> template;

	private final String bookingsTopic;

	private final Set<String> failing = ConcurrentHashMap.newKeySet();

	private final AtomicLong failedAttempts = new AtomicLong();

	private final AtomicLong healed = new AtomicLong();

	public PaymentListener(JsonMapper jsonMapper, PaymentEnricher enricher, PaymentStore store,
			KafkaTemplate<String, String> template, SampleProperties properties) {
		this.jsonMapper = jsonMapper;
		this.enricher = enricher;
		this.store = store;
		this.template = template;
		this.bookingsTopic = properties.bookingsTopic();
	}

	/**
	 * Process one payment.
	 * @param json the record's value, a {@link Payment} as JSON
	 * @param stages the named stages, measured and checkpointed by waterhealer
	 * @return the booking, once the broker acknowledged it
	 */
	@HealingListener(id = "payments", topics = "${sample.topic}", parallelism = "32", ordering = Ordering.KEY)
	public CompletableFuture<Booking> onPayment(String json, Stages stages) {
		Payment payment = stages.apply("parse", json, this::parse);
		EnrichedPayment enriched = stages.apply("enrich", payment, this::enrich);
		stages.accept("store", enriched, this.store::store);
		if (this.failing.remove(payment.id())) {
			this.healed.incrementAndGet();
		}
		Booking booking = new Booking(payment.id(), payment.account(), enriched.amountEurCents(), enriched.risk());
		return this.template.send(this.bookingsTopic, payment.account(), this.jsonMapper.writeValueAsString(booking))
			.thenApply((result) -> booking);
	}

	private Payment parse(String json) {
		return this.jsonMapper.readValue(json, Payment.class);
	}

	private EnrichedPayment enrich(Payment payment) {
		try {
			return this.enricher.enrich(payment);
		}
		catch (PaymentEnricher.TransientPaymentException ex) {
			this.failedAttempts.incrementAndGet();
			this.failing.add(payment.id());
			throw ex;
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

}
