package io.waterhealer.sample;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample as a user runs it: no {@code spring.kafka.bootstrap-servers}, so it starts its embedded broker, and the
 * demo producer publishes payments that the listener stores. The test checks the outcome where it matters: in the
 * store, and in the consumer group's committed offsets, read from the broker with Kafka's own admin client.
 */
@SpringBootTest(properties = { "sample.demo.records=" + SampleApplicationTests.RECORDS, "sample.demo.rate=0",
		"sample.processing.failure-rate=0.1", "waterhealer.listener.commit-interval=200ms",
		"waterhealer.retry.max-interval=500ms" })
class SampleApplicationTests {

	static final int RECORDS = 2000;

	@Autowired
	private EmbeddedKafkaBroker broker;

	@Autowired
	private PaymentStore store;

	@Autowired
	private PaymentListener listener;

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
	void demoPaymentsAreStoredInOrderAndCommittedUpToTheEndOfEveryPartition() {
		assertThat(this.bootstrapServers).isEqualTo(this.broker.getBrokersAsString());
		await().atMost(Duration.ofSeconds(90))
			.untilAsserted(() -> assertThat(this.store.stored()).isEqualTo(RECORDS));
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			Map<TopicPartition, Long> ends = endOffsets();
			assertThat(ends).hasSize(6);
			assertThat(ends.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(RECORDS);
			assertThat(committedOffsets()).isEqualTo(ends);
		});
		assertThat(this.store.outOfOrder()).isZero();
		assertThat(this.store.duplicates()).isZero();
		assertThat(this.listener.healed()).isPositive();
		assertThat(this.listener.failedAttempts()).isGreaterThanOrEqualTo(this.listener.healed());
	}

	private Map<TopicPartition, Long> committedOffsets() throws Exception {
		Map<TopicPartition, OffsetAndMetadata> offsets = this.admin.listConsumerGroupOffsets("payments")
			.partitionsToOffsetAndMetadata()
			.get(10, TimeUnit.SECONDS);
		return offsets.entrySet()
			.stream()
			.filter((entry) -> entry.getValue() != null)
			.collect(Collectors.toMap(Map.Entry::getKey, (entry) -> entry.getValue().offset()));
	}

	private Map<TopicPartition, Long> endOffsets() throws Exception {
		List<TopicPartition> partitions = this.admin.describeTopics(List.of("payments"))
			.allTopicNames()
			.get(10, TimeUnit.SECONDS)
			.get("payments")
			.partitions()
			.stream()
			.map((info) -> new TopicPartition("payments", info.partition()))
			.toList();
		Map<TopicPartition, OffsetSpec> latest = partitions.stream()
			.collect(Collectors.toMap(Function.identity(), (partition) -> OffsetSpec.latest()));
		return this.admin.listOffsets(latest)
			.all()
			.get(10, TimeUnit.SECONDS)
			.entrySet()
			.stream()
			.collect(Collectors.toMap(Map.Entry::getKey, (entry) -> entry.getValue().offset()));
	}

}
