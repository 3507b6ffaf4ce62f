package io.waterhealer.kafka.worker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import io.waterhealer.FailurePolicy;
import io.waterhealer.Ordering;
import io.waterhealer.codec.CompletedOffsets;
import io.waterhealer.ledger.PartitionLedger;
import io.waterhealer.settings.BatchSettings;
import io.waterhealer.settings.FailureSettings;
import io.waterhealer.settings.ListenerSettings;
import io.waterhealer.settings.RetryBackOff;
import io.waterhealer.settings.RetryTiers;
import io.waterhealer.settings.RetryTiers.Tier;
import io.waterhealer.settings.SettingChecks;
import io.waterhealer.settings.SettingName;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.listener.MessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/**
 * The hand-off of a record that used up its attempts to the next retry tier, decided without a broker: Kafka's
 * {@link MockProducer} plays the tier's broker (it acknowledges when the test says, or fails the send) and its
 * {@link MockConsumer} holds the record's bytes as they are on the topic, which are what is published, not the
 * deserialized record the listener saw.
 */
class RetryTierHandOffTests {

	private static final TopicPartition PARTITION = new TopicPartition("orders", 0);

	private static final RetryTiers TIERS = SettingChecks.retryTiers(SettingName.property("waterhealer.retry.topics"),
			"10s,1m", RetryTiers.DEFAULT_SUFFIX);

	private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);

	private final PartitionLedger ledger = new PartitionLedger(PARTITION, 100, 1_000);

	private final AssignedPartition partition = new AssignedPartition("orders", this, this.ledger,
			mock(MessageListenerContainer.class), CompletedOffsets.none());

	private final RecordProcessor processor = mock(RecordProcessor.class);

	private final List<RecordTask> completed = new CopyOnWriteArrayList<>();

	private final MockProducer<byte[], byte[]> broker = new MockProducer<>(false, null, new ByteArraySerializer(),
			new ByteArraySerializer());

	private final MockConsumer<byte[], byte[]> topic = new MockConsumer<>("earliest");

	@AfterEach
	void stop() {
		this.scheduler.shutdownNow();
	}

	@Test
	void aRecordThatUsedUpItsAttemptsIsCompletedOnlyOnceTheFirstTierAcknowledgedItsOriginalBytes() {
		byte[] original = "{\"id\":7,\"unknown\":true}".getBytes(StandardCharsets.UTF_8);
		onTheTopic("orders", 7, original, new RecordHeaders().add("app", "kept".getBytes(StandardCharsets.UTF_8)));
		FailureHandler handler = handler(FailurePolicy.HALT, Map.of());
		long before = System.currentTimeMillis();
		// the listener saw a deserialized object that would not serialize back to the same bytes
		RecordTask task = task("orders", 7, new RecordHeaders());
		Thread failing = new Thread(() -> handler.failed(task, new IllegalStateException("boom")));
		failing.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.broker.history().size() == 1);
		assertThat(this.completed).as("not before the broker acknowledged").isEmpty();
		assertThat(this.ledger.isPending(7)).isTrue();
		this.broker.completeNext();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.completed.contains(task));
		ProducerRecord<byte[], byte[]> parked = this.broker.history().get(0);
		assertThat(parked.topic()).isEqualTo("orders-retry-10s");
		assertThat(parked.key()).isEqualTo("key-7".getBytes(StandardCharsets.UTF_8));
		assertThat(parked.value()).isEqualTo(original);
		assertThat(header(parked, "app")).isEqualTo("kept");
		assertThat(header(parked, RetryTierHeaders.ORIGINAL_TOPIC)).isEqualTo("orders");
		assertThat(header(parked, RetryTierHeaders.ORIGINAL_PARTITION)).isEqualTo("0");
		assertThat(header(parked, RetryTierHeaders.ORIGINAL_OFFSET)).isEqualTo("7");
		assertThat(header(parked, RetryTierHeaders.ATTEMPTS)).isEqualTo("1");
		assertThat(header(parked, RetryTierHeaders.TIER)).isEqualTo("10s");
		assertThat(header(parked, RetryTierHeaders.EXCEPTION)).isEqualTo("java.lang.IllegalStateException: boom");
		assertThat(Long.parseLong(header(parked, RetryTierHeaders.FIRST_FAILURE))).isBetween(before,
				System.currentTimeMillis());
		assertThat(Long.parseLong(header(parked, RetryTierHeaders.DUE)) - before).isBetween(10_000L, 11_000L);
		verify(this.processor, never()).process(task);
	}

	@Test
	void aPublishTheBrokerFailsKeepsTheRecordIncompleteAndIsTriedAgain() {
		// read once per publish attempt
		onTheTopic("orders", 7, "seven".getBytes(StandardCharsets.UTF_8), new RecordHeaders());
		onTheTopic("orders", 7, "seven".getBytes(StandardCharsets.UTF_8), new RecordHeaders());
		FailureHandler handler = handler(FailurePolicy.SKIP, Map.of());
		RecordTask task = task("orders", 7, new RecordHeaders());
		Thread failing = new Thread(() -> handler.failed(task, new IllegalStateException("boom")));
		failing.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.broker.history().size() == 1);
		this.broker.errorNext(new NotLeaderOrFollowerException("leader moved"));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.broker.history().size() == 2);
		assertThat(this.completed).isEmpty();
		assertThat(this.ledger.isPending(7)).isTrue();
		this.broker.completeNext();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.completed.contains(task));
		assertThat(this.broker.history()).extracting(ProducerRecord::topic)
			.containsExactly("orders-retry-10s", "orders-retry-10s");
	}

	@Test
	void aRecordOnATierGoesToTheNextWithItsOriginAndAttemptsCarriedOver() {
		RecordHeaders onTier = new RecordHeaders();
		onTier.add(RetryTierHeaders.ORIGINAL_TOPIC, "orders".getBytes(StandardCharsets.UTF_8));
		onTier.add(RetryTierHeaders.ORIGINAL_PARTITION, "3".getBytes(StandardCharsets.UTF_8));
		onTier.add(RetryTierHeaders.ORIGINAL_OFFSET, "70".getBytes(StandardCharsets.UTF_8));
		onTier.add(RetryTierHeaders.ATTEMPTS, "2".getBytes(StandardCharsets.UTF_8));
		onTier.add(RetryTierHeaders.FIRST_FAILURE, "1234".getBytes(StandardCharsets.UTF_8));
		onTier.add(RetryTierHeaders.TIER, "10s".getBytes(StandardCharsets.UTF_8));
		onTheTopic("orders-retry-10s", 7, "seven".getBytes(StandardCharsets.UTF_8), onTier);
		FailureHandler handler = handler(FailurePolicy.HALT, Map.of("orders-retry-10s", TIERS.tiers().get(0)));
		RecordTask task = task("orders-retry-10s", 7, onTier);
		Thread failing = new Thread(() -> handler.failed(task, new IllegalStateException("again")));
		failing.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.broker.history().size() == 1);
		this.broker.completeNext();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.completed.contains(task));
		ProducerRecord<byte[], byte[]> parked = this.broker.history().get(0);
		assertThat(parked.topic()).isEqualTo("orders-retry-1m");
		assertThat(header(parked, RetryTierHeaders.ORIGINAL_TOPIC)).isEqualTo("orders");
		assertThat(header(parked, RetryTierHeaders.ORIGINAL_PARTITION)).isEqualTo("3");
		assertThat(header(parked, RetryTierHeaders.ORIGINAL_OFFSET)).isEqualTo("70");
		assertThat(header(parked, RetryTierHeaders.ATTEMPTS)).isEqualTo("3");
		assertThat(header(parked, RetryTierHeaders.FIRST_FAILURE)).isEqualTo("1234");
		assertThat(header(parked, RetryTierHeaders.TIER)).isEqualTo("1m");
		assertThat(parked.headers().headers(RetryTierHeaders.TIER)).as("one of each").hasSize(1);
	}

	@Test
	void aRecordThatFailsTheLastTierGoesToTheFailurePolicy() {
		FailureHandler handler = handler(FailurePolicy.SKIP, Map.of("orders-retry-1m", TIERS.tiers().get(1)));
		RecordTask task = task("orders-retry-1m", 7, new RecordHeaders());
		handler.failed(task, new IllegalStateException("still"));
		assertThat(this.completed).containsExactly(task);
		assertThat(this.broker.history()).isEmpty();
	}

	@Test
	void aPoisonPillOrANonRetryableFailureSkipsTheTiers() {
		FailureHandler handler = handler(FailurePolicy.SKIP, Map.of());
		RecordTask poison = task("orders", 7, new RecordHeaders());
		handler.failed(poison, new PoisonPillException("cannot deserialize"));
		assertThat(this.completed).containsExactly(poison);
		assertThat(this.broker.history()).isEmpty();
	}

	private void onTheTopic(String topicName, long offset, byte[] value, Headers headers) {
		TopicPartition topicPartition = new TopicPartition(topicName, 0);
		this.topic.schedulePollTask(() -> this.topic.addRecord(new ConsumerRecord<>(topicName, 0, offset, 0L,
				TimestampType.CREATE_TIME, 5, value.length, ("key-" + offset).getBytes(StandardCharsets.UTF_8), value,
				headers, Optional.empty())));
		this.topic.updateBeginningOffsets(Map.of(topicPartition, 0L));
	}

	private FailureHandler handler(FailurePolicy policy, Map<String, Tier> tierOfTopic) {
		RetryTierPublisher publisher = new RetryTierPublisher(TIERS, tierOfTopic, new OriginalRecords(() -> this.topic, Duration.ofSeconds(30)),
				this.broker);
		FailureSettings failure = new FailureSettings(policy, 1,
				new RetryBackOff(Duration.ofMillis(1), 1, Duration.ofMillis(1)), List.of(), null, "-dlt", List.of())
			.withTiers(TIERS);
		ListenerSettings settings = new ListenerSettings("orders", 1, Ordering.UNORDERED, 1, 100, 1_000,
				Duration.ofSeconds(1), Duration.ofSeconds(1), 0, failure, false, BatchSettings.DEFAULT);
		return new FailureHandler(settings, "onOrder", null, publisher, this.scheduler, Runnable::run,
				this.completed::add);
	}

	private RecordTask task(String topicName, long offset, RecordHeaders headers) {
		this.ledger.handOut(offset);
		return new RecordTask(new ConsumerRecord<>(topicName, 0, offset, 0L, TimestampType.CREATE_TIME, 5, 5,
				"key-" + offset, new Object(), headers, Optional.empty()), this.partition, this.processor);
	}

	private static String header(ProducerRecord<byte[], byte[]> record, String name) {
		return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
	}

}
