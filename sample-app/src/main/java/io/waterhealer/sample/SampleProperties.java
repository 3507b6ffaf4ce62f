package io.waterhealer.sample;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the sample: the topic, the demo data and the simulated processing.
 *
 * @param topic the topic payments are published to and consumed from
 * @param partitions partitions of the topic when the sample creates it
 * @param bookingsTopic the topic the payments listener publishes bookings to, read in batches by the report
 * @param demo the demo producer
 * @param processing the simulated payment processing
 * @param progress the console progress report
 */
@ConfigurationProperties("sample")
public record SampleProperties(@DefaultValue("payments") String topic, @DefaultValue("6") int partitions,
		@DefaultValue("payments-booked") String bookingsTopic, @DefaultValue Demo demo,
		@DefaultValue Processing processing, @DefaultValue Progress progress) {

	/**
	 * The demo producer, which publishes made-up payments once the application is ready.
	 *
	 * @param enabled whether demo payments are published at start-up
	 * @param records how many payments to publish
	 * @param accounts how many accounts the payments are spread over (the record key)
	 * @param rate payments published per second, so that the progress report has something to show; 0 publishes
	 * as fast as the producer can
	 */
	public record Demo(@DefaultValue("true") boolean enabled, @DefaultValue("5000") int records,
			@DefaultValue("200") int accounts, @DefaultValue("250") int rate) {

		public Demo {
			if (records < 0 || accounts < 1 || rate < 0) {
				throw new IllegalArgumentException("sample.demo.records (" + records + ") and sample.demo.rate ("
						+ rate + ") must be at least 0 and sample.demo.accounts (" + accounts + ") at least 1");
			}
		}

	}

	/**
	 * The simulated remote calls of the enrich step, for one payment.
	 *
	 * @param failureRate share of attempts that fail with a transient error, between 0 (never) and 1 (excluded:
	 * a payment must eventually succeed)
	 * @param minWork shortest time an attempt takes
	 * @param maxWork longest time an attempt takes
	 */
	public record Processing(@DefaultValue("0.02") double failureRate, @DefaultValue("2ms") Duration minWork,
			@DefaultValue("10ms") Duration maxWork) {

		public Processing {
			if (failureRate < 0 || failureRate >= 1) {
				throw new IllegalArgumentException("sample.processing.failure-rate is " + failureRate
						+ "; set it to at least 0 and below 1, or no payment would ever be stored");
			}
			if (minWork.isNegative() || maxWork.compareTo(minWork) < 0) {
				throw new IllegalArgumentException("sample.processing.min-work (" + minWork + ") must be at least 0 "
						+ "and sample.processing.max-work (" + maxWork + ") at least min-work");
			}
		}

	}

	/**
	 * The console progress report.
	 *
	 * @param interval time between two progress lines
	 */
	public record Progress(@DefaultValue("3s") Duration interval) {

	}

}
