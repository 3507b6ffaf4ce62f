package io.waterhealer.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample as a user runs it: no {@code spring.kafka.bootstrap-servers}, so it starts its embedded broker, and the
 * demo producer publishes payments that the pipeline parses, enriches (failing 10% of the attempts), stores and books,
 * and the batch step writes to the report. The test checks the outcome where it matters: in the store and the
 * report, and in the consumer groups' committed offsets, read from the broker with Kafka's own admin client; then
 * the endpoints the README names, over HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "sample.demo.records=" + SampleApplicationIntegrationTests.RECORDS, "sample.demo.rate=0",
				"sample.processing.failure-rate=0.1", "waterhealer.listener.commit-interval=200ms",
				"waterhealer.retry.max-interval=500ms" })
class SampleApplicationIntegrationTests {

	static final int RECORDS = 2000;

	@Autowired
	private EmbeddedKafkaBroker broker;

	@Autowired
	private PaymentStore store;

	@Autowired
	private PaymentListener listener;

	@Autowired
	private BookingReport report;

	@LocalServerPort
	private int port;

	@Value("${spring.kafka.bootstrap-servers}")
	private String bootstrapServers;

	private Admin admin;

	@BeforeEach
	void createAdmin() {
		this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers));
	}

	@AfterEach
	void closeAdmin() {
		this.admin.close();
	}

	@Test
	void demoPaymentsAreStoredInOrderBookedInBatchesAndCommittedUpToTheEndOfEveryPartition() throws Exception {
		assertThat(this.bootstrapServers).isEqualTo(this.broker.getBrokersAsString());
		await().atMost(Duration.ofSeconds(120))
			.untilAsserted(() -> assertThat(this.store.stored()).isEqualTo(RECORDS));
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			Map<TopicPartition, Long> ends = endOffsets("payments");
			assertThat(ends).hasSize(6);
			assertThat(ends.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(RECORDS);
			assertThat(committedOffsets("payments")).isEqualTo(ends);
		});
		assertThat(this.store.outOfOrder()).isZero();
		assertThat(this.store.duplicates()).isZero();
		assertThat(this.listener.healed()).isPositive();
		assertThat(this.listener.failedAttempts()).isGreaterThanOrEqualTo(this.listener.healed());

		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			assertThat(this.report.bookings()).isEqualTo(RECORDS);
			Map<TopicPartition, Long> ends = endOffsets("payments-booked");
			assertThat(ends.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(RECORDS);
			assertThat(committedOffsets("booking-report")).isEqualTo(ends);
		});
		assertThat(this.report.batches()).isLessThan(RECORDS);

		assertThat(get("/actuator/health")).contains("\"status\":\"UP\"");
		assertThat(get("/actuator/health/liveness")).contains("\"status\":\"UP\"");
		String prometheus = get("/actuator/prometheus");
		// A named stage counts every execution: parse runs again on each retry of a payment whose enrich failed.
		Map<String, Long> out = Map.of("parse", RECORDS + this.listener.failedAttempts(), "enrich", (long) RECORDS,
				"store", (long) RECORDS, "onPayment", (long) RECORDS);
		out.forEach((stage, count) -> assertThat(prometheus).contains("waterhealer_stage_records_out_total{listener="
				+ "\"payments\",stage=\"" + stage + "\",tier=\"main\",topic=\"payments\"} " + count + ".0"));
		assertThat(prometheus).contains("waterhealer_stage_errors_total{exception=\"TransientPaymentException\","
				+ "listener=\"payments\",stage=\"enrich\",tier=\"main\",topic=\"payments\"} "
				+ this.listener.failedAttempts() + ".0");
		// where each stage last was, never the values themselves (waterhealer.checkpoint.show-values is never)
		assertThat(get("/actuator/checkpoints")).contains("\"payments\"", "\"enrich\"", "\"store\"", "\"bookings\"",
				"\"topic\":\"payments\"")
			.doesNotContain("Booking[paymentId=pay-", "\"value\"");
		assertThat(get("/actuator/ledger")).contains("\"payments\"", "\"bookings\"", "\"topic\":\"payments\"");
		assertThat(get("/waterhealer/ledger.html")).contains("live ledger");
	}

	private String get(String path) throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path)).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(path).isEqualTo(200);
		return response.body();
	}

	private Map<TopicPartition, Long> committedOffsets(String group) throws Exception {
		return BrokerOffsets.committed(this.admin, group);
	}

	private Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
		return BrokerOffsets.end(this.admin, topic);
	}

}
