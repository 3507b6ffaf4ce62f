package io.waterhealer.sample;

/**
 * A payment with what the enrich step looked up: its amount in euros and a risk verdict.
 *
 * @param payment the payment as published
 * @param amountEurCents the amount converted to euro cents
 * @param risk {@code "ok"} or {@code "review"}
 */
public record EnrichedPayment(Payment payment, long amountEurCents, String risk) {

}
