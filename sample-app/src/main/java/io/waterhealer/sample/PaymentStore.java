package io.waterhealer.sample;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.stereotype.Component;

/**
 * Where stored payments end up: a balance in euros per account, kept in memory. It stands in for the database a real payments
 * service would write to.
 * <p>
 * It is idempotent by sequence number, as a real store should be: Kafka delivers at least once, so after a rebalance
 * or a restart the records after the last committed offset are processed again, and a payment seen before must not
 * be booked twice. It also counts payments that arrive ahead of an earlier one of their account, which
 * {@code KEY} ordering promises never happens.
 */
@Component
public class PaymentStore {

	private final Map<String, Account> accounts = new ConcurrentHashMap<>();

	private final AtomicLong stored = new AtomicLong();

	private final AtomicLong duplicates = new AtomicLong();

	private final AtomicLong outOfOrder = new AtomicLong();

	/**
	 * Book a payment on its account, in euros, unless it was booked before.
	 * @param enriched the payment and its euro amount
	 */
	public void store(EnrichedPayment enriched) {
		Payment payment = enriched.payment();
		this.accounts.compute(payment.account(), (name, account) -> {
			Account current = (account != null) ? account : new Account(0, 0);
			if (payment.sequence() <= current.lastSequence()) {
				this.duplicates.incrementAndGet();
				return current;
			}
			if (payment.sequence() != current.lastSequence() + 1) {
				this.outOfOrder.incrementAndGet();
			}
			this.stored.incrementAndGet();
			return new Account(payment.sequence(), current.balanceCents() + enriched.amountEurCents());
		});
	}

	/**
	 * Payments booked, each counted once.
	 * @return the count
	 */
	public long stored() {
		return this.stored.get();
	}

	/**
	 * Payments delivered again after they had been booked, and not booked twice.
	 * @return the count
	 */
	public long duplicates() {
		return this.duplicates.get();
	}

	/**
	 * Payments booked while an earlier payment of the same account was not: zero unless ordering is broken.
	 * @return the count
	 */
	public long outOfOrder() {
		return this.outOfOrder.get();
	}

	/**
	 * Accounts with at least one booked payment.
	 * @return the count
	 */
	public int accounts() {
		return this.accounts.size();
	}

	private record Account(long lastSequence, long balanceCents) {

	}

}
