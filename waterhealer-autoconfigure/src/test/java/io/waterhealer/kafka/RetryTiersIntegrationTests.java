package io.waterhealer.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import io.waterhealer.kafka.worker.RetryTierHeaders;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.kafka.test.utils.ContainerTestUtils;

import static io.waterhealer.kafka.KafkaTestSupport.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Retry tiers against a real broker: a record that used up its attempts waits on {@code -retry-1s}, then on
 * {@code -retry-2s}, while its topic's committed position moves on; what fails the last tier goes to the listener's
 * failure policy. The first test also measures how late each tier hands its records out (handler start minus the due
 * time in the record's header) and prints it.
 */
@ExtendWith(OutputCaptureExtension.class)
class RetryTiersIntegrationTests {

	private static final int RECORDS = 24;

	@Test
	void aRecordFailingTwiceWaitsOnBothTiersThenSucceedsWhileItsTopicIsCommittedPast(CapturedOutput output) {
		Fixture fixture = new Fixture("tiers", "1s", "2s");
		TieredListener listener = new TieredListener(2);
		try (ConfigurableApplicationContext context = fixture.start(listener, "waterhealer.failure.policy=halt",
				"waterhealer.retry.max-attempts=1", "waterhealer.retry.topics=1s,2s")) {
			// both containers in the group first: a rebalance while records are parked would park some twice
			awaitAssignment(context, "tiers", 1);
			awaitAssignment(context, "tiers-retry", 2);
			fixture.produce(RECORDS, Duration.ofMillis(40));
			// every record failed once and is parked: the main topic is committed past all of them meanwhile
			await().atMost(Duration.ofSeconds(30)).until(() -> fixture.committed(fixture.topic) == RECORDS);
			assertThat(listener.succeeded).hasSizeLessThan(RECORDS);
			await().atMost(Duration.ofSeconds(60)).until(() -> listener.succeeded.size() == RECORDS);
			// at least once: a rebalance (the tier container joining the group) may park a record twice
			for (String tier : List.of("-retry-1s", "-retry-2s")) {
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(fixture.committed(fixture.topic + tier)).as("committed " + tier)
						.isGreaterThanOrEqualTo(RECORDS)
						.isEqualTo(fixture.end(fixture.topic + tier)));
			}
		}
		for (ConsumerRecord<String, String> record : listener.succeeded.values()) {
			assertThat(record.topic()).isEqualTo(fixture.topic + "-retry-2s");
			assertThat(header(record, RetryTierHeaders.ORIGINAL_TOPIC)).isEqualTo(fixture.topic);
			assertThat(header(record, RetryTierHeaders.TIER)).isEqualTo("2s");
			assertThat(header(record, RetryTierHeaders.ATTEMPTS)).isEqualTo("2");
			assertThat(header(record, RetryTierHeaders.EXCEPTION))
				.isEqualTo(IllegalStateException.class.getName() + ": attempt 2 of " + record.key() + " fails");
			assertThat(header(record, "app-header")).isEqualTo("kept " + record.key());
			assertThat(Long.parseLong(header(record, RetryTierHeaders.ORIGINAL_OFFSET)))
				.isEqualTo(Long.parseLong(record.key().substring(4)));
		}
		assertThat(listener.lateness.get("1s")).hasSizeGreaterThanOrEqualTo(RECORDS);
		assertThat(listener.lateness.get("2s")).hasSizeGreaterThanOrEqualTo(RECORDS);
		for (String tier : List.of("1s", "2s")) {
			List<Long> late = new ArrayList<>(listener.lateness.get(tier));
			Collections.sort(late);
			System.out.printf("retry tier %s: handler start - due over %d records: min %d ms, median %d ms, max %d ms%n",
					tier, late.size(), late.get(0), late.get(late.size() / 2), late.get(late.size() - 1));
			assertThat(late.get(0)).as("never early").isGreaterThanOrEqualTo(0);
		}
		assertThat(output).contains("has ordering KEY and retry tiers");
	}

	@Test
	void aRecordFailingTheLastTierIsDeadLetteredToItsOwnTopicsDeadLetterTopic() {
		Fixture fixture = new Fixture("tiers-dlt", "1s");
		TieredListener listener = new TieredListener(Integer.MAX_VALUE);
		try (ConfigurableApplicationContext context = fixture.start(listener,
				"waterhealer.failure.policy=dead-letter", "waterhealer.retry.max-attempts=1",
				"waterhealer.retry.topics=1s")) {
			fixture.produce(1, Duration.ZERO);
			ConsumerRecord<byte[], byte[]> dead = KafkaTestSupport
				.readRaw(fixture.topic + "-dlt", 1, Duration.ofSeconds(30))
				.get(0);
			assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("value-0");
			assertThat(header(dead, RetryTierHeaders.ORIGINAL_TOPIC)).isEqualTo(fixture.topic);
			assertThat(header(dead, KafkaHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(fixture.topic + "-retry-1s");
			assertThat(header(dead, "app-header")).isEqualTo("kept key-0");
			await().atMost(Duration.ofSeconds(10)).until(() -> fixture.committed(fixture.topic + "-retry-1s") == 1);
			assertThat(listener.attempts.get("key-0")).hasValue(2);
		}
	}

	@Test
	void haltOnTheLastTierHoldsThatTiersPartitionWhileTheTopicMovesOn() {
		Fixture fixture = new Fixture("tiers-halt", "1s");
		TieredListener listener = new TieredListener(Integer.MAX_VALUE);
		try (ConfigurableApplicationContext context = fixture.start(listener, "waterhealer.failure.policy=halt",
				"waterhealer.retry.max-attempts=1", "waterhealer.retry.topics=1s")) {
			fixture.produce(1, Duration.ZERO);
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.attempts.get("key-0").get() >= 5);
			assertThat(fixture.committed(fixture.topic)).isEqualTo(1);
			assertThat(fixture.committed(fixture.topic + "-retry-1s")).isLessThanOrEqualTo(0);
			assertThat(listener.succeeded).isEmpty();
		}
	}

	private static void awaitAssignment(ConfigurableApplicationContext context, String id, int partitions) {
		MessageListenerContainer container = context.getBean(KafkaListenerEndpointRegistry.class)
			.getListenerContainer(id);
		assertThat(container).as(id).isNotNull();
		ContainerTestUtils.waitForAssignment(container, partitions);
	}

	/** A one-partition topic with its tier and dead-letter topics, and the listener's group. */
	static final class Fixture {

		final String topic;

		final String group;

		private final String[] tiers;

		Fixture(String name, String... tiers) {
			this.topic = KafkaTestSupport.uniqueName(name);
			this.group = this.topic + "-group";
			this.tiers = tiers;
		}

		ConfigurableApplicationContext start(Object listener, String... properties) {
			KafkaTestSupport.createTopic(this.topic, 1);
			KafkaTestSupport.createTopic(this.topic + "-dlt", 1);
			for (String tier : this.tiers) {
				KafkaTestSupport.createTopic(this.topic + "-retry-" + tier, 1);
			}
			List<String> all = new ArrayList<>(List.of(properties));
			all.add("tiers.topic=" + this.topic);
			return TestApplications.start(this.group, listener, all.toArray(String[]::new));
		}

		void produce(int count, Duration gap) {
			try (KafkaProducer<String, String> producer = KafkaTestSupport.producer()) {
				for (int i = 0; i < count; i++) {
					ProducerRecord<String, String> record = new ProducerRecord<>(this.topic, 0, "key-" + i,
							"value-" + i);
					record.headers().add("app-header", ("kept key-" + i).getBytes(StandardCharsets.UTF_8));
					producer.send(record);
					producer.flush();
					sleep(gap);
				}
			}
		}

		long end(String topic) {
			return KafkaTestSupport.endOffsets(topic, 1).get(new TopicPartition(topic, 0));
		}

		long committed(String topic) {
			return KafkaTestSupport.committed(this.group, new TopicPartition(topic, 0));
		}

		private static void sleep(Duration gap) {
			try {
				Thread.sleep(gap.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

	/** Fails each key's first {@code failures} attempts; notes how late each tier handed a record out. */
	static class TieredListener {

		final Map<String, ConsumerRecord<String, String>> succeeded = new ConcurrentHashMap<>();

		final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

		final Map<String, List<Long>> lateness = new ConcurrentHashMap<>();

		private final int failures;

		TieredListener(int failures) {
			this.failures = failures;
		}

		@HealingListener(id = "tiers", topics = "${tiers.topic}", ordering = Ordering.KEY)
		void process(ConsumerRecord<String, String> record) {
			long started = System.currentTimeMillis();
			String tier = RetryTierHeaders.text(record.headers(), RetryTierHeaders.TIER);
			if (tier != null) {
				long due = RetryTierHeaders.number(record.headers(), RetryTierHeaders.DUE, 0);
				this.lateness.computeIfAbsent(tier, (name) -> new CopyOnWriteArrayList<>()).add(started - due);
			}
			int attempt = this.attempts.computeIfAbsent(record.key(), (key) -> new AtomicInteger()).incrementAndGet();
			if (attempt <= this.failures) {
				throw new IllegalStateException("attempt " + attempt + " of " + record.key() + " fails");
			}
			this.succeeded.put(record.key(), record);
		}

	}

}
