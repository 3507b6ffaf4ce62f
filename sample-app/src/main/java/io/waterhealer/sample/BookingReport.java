package io.waterhealer.sample;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.springframework.stereotype.Component;

/**
 * The running report the batch step writes to: bookings counted once each, euro total, bookings flagged for review.
 * It stands in for a reporting database that is written in batches because one insert per row would be too slow.
 * Idempotent by payment id, since a batch is delivered again after a restart if it was not committed.
 */
@Component
public class BookingReport {

	private final Set<String> seen = ConcurrentHashMap.newKeySet();

	private final LongAdder totalEurCents = new LongAdder();

	private final LongAdder review = new LongAdder();

	private final AtomicLong batches = new AtomicLong();

	/**
	 * Add one batch of bookings.
	 * @param bookings the bookings
	 * @return what the batch changed, kept by waterhealer as the batch stage's checkpoint
	 */
	public Summary add(List<Booking> bookings) {
		int added = 0;
		long eurCents = 0;
		for (Booking booking : bookings) {
			if (this.seen.add(booking.paymentId())) {
				added++;
				eurCents += booking.amountEurCents();
				this.totalEurCents.add(booking.amountEurCents());
				if ("review".equals(booking.risk())) {
					this.review.increment();
				}
			}
		}
		long batch = this.batches.incrementAndGet();
		return new Summary(batch, bookings.size(), added, eurCents);
	}

	/**
	 * Bookings in the report, each counted once.
	 * @return the count
	 */
	public long bookings() {
		return this.seen.size();
	}

	/**
	 * Batches written so far.
	 * @return the count
	 */
	public long batches() {
		return this.batches.get();
	}

	/**
	 * Bookings flagged for review.
	 * @return the count
	 */
	public long review() {
		return this.review.sum();
	}

	/**
	 * Sum of all bookings.
	 * @return euro cents
	 */
	public long totalEurCents() {
		return this.totalEurCents.sum();
	}

	/**
	 * What one batch did to the report.
	 *
	 * @param batch the batch's number since start-up
	 * @param received bookings in the batch
	 * @param added bookings new to the report (the others were delivered again)
	 * @param eurCents euro cents the new bookings added
	 */
	public record Summary(long batch, int received, int added, long eurCents) {

		@Override
		public String toString() {
			return String.format(Locale.ROOT, "batch #%d: %d bookings, %d new, EUR %,.2f", this.batch, this.received,
					this.added, this.eurCents / 100.0);
		}

	}

}
