package io.waterhealer.sample;

import java.util.List;

import io.waterhealer.HealingListener;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * The batch step, in its own consumer group ({@code booking-report}): reads the bookings the payments pipeline publishes and writes them to the report 200 at a time, or
 * whatever arrived within half a second. A batch holds records of one partition; it completes (and becomes
 * committable) when the method returns, and if it throws every booking of it is retried on its own, so one bad
 * booking cannot hold back the others.
 */
@Component
public class BookingReportListener {

	private final JsonMapper jsonMapper;

	private final BookingReport report;

	public BookingReportListener(JsonMapper jsonMapper, BookingReport report) {
		this.jsonMapper = jsonMapper;
		this.report = report;
	}

	/**
	 * Write one batch of bookings to the report.
	 * @param batch the records' values, {@link Booking}s as JSON, in offset order
	 * @return what the batch changed; waterhealer keeps it as the checkpoint of the {@code onBookings} stage
	 */
	@HealingListener(id = "bookings", topics = "${sample.bookings-topic}", groupId = "booking-report", batchSize = "200",
			batchTimeout = "500ms")
	public BookingReport.Summary onBookings(List<String> batch) {
		List<Booking> bookings = batch.stream().map((json) -> this.jsonMapper.readValue(json, Booking.class)).toList();
		return this.report.add(bookings);
	}

}
