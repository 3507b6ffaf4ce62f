package io.waterhealer.sample;

/**
 * What the payments listener publishes once a payment is stored: one booking per payment, read in batches by
 * {@link BookingReportListener}. Its JSON is the value of a record on {@code sample.bookings-topic}.
 *
 * @param paymentId the payment's id, which makes the report idempotent
 * @param account the account booked
 * @param amountEurCents the amount in euro cents
 * @param risk the enrich step's risk verdict
 */
public record Booking(String paymentId, String account, long amountEurCents, String risk) {

}
