package io.waterhealer.sample;

/**
 * A payment as published to the payments topic, as JSON, keyed by {@link #account()}.
 * <p>
 * The {@link #sequence()} numbers an account's payments from 1 in the order they were published, so the store can
 * check that the listener's {@code KEY} ordering really applies them in that order.
 *
 * @param id unique id of the payment
 * @param account the account it is booked on; the record key
 * @param amountCents the amount, in cents
 * @param currency ISO currency code
 * @param sequence position of this payment among the account's payments, from 1
 */
public record Payment(String id, String account, long amountCents, String currency, long sequence) {

}
