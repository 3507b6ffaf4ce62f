package io.waterhealer.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import io.waterhealer.codec.CommitMetadataCodec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A committed offset moved by another tool while the metadata string is kept: MirrorMaker 2's checkpoint sync
 * ({@code RemoteClusterUtils.translateOffsets} on failover) and an operator's {@code alterConsumerGroupOffsets} both
 * write a new offset with the old metadata. The metadata describes offsets relative to the offset it was written
 * for, so read against the moved offset it would name records that were never processed; the new owner must
 * process every record from the moved offset instead.
 */
@ExtendWith(OutputCaptureExtension.class)
class MovedCommittedOffsetIntegrationTests {

	static final int RECORDS = 1_501;

	static final long STUCK = 1_000;

	static final long MOVED_TO = 950;

	@Test
	void metadataKeptAcrossAnOffsetRewriteIsIgnoredAndEveryRecordFromTheNewOffsetIsProcessed(CapturedOutput output)
			throws Exception {
		String topic = KafkaTestSupport.uniqueName("moved");
		String group = topic + "-group";
		KafkaTestSupport.createTopic(topic, 1);
		KafkaTestSupport.sendValues(topic, 0, IntStream.range(0, RECORDS).mapToObj(String::valueOf).toList());
		TopicPartition partition = new TopicPartition(topic, 0);

		StuckListener first = new StuckListener(STUCK);
		try (ConfigurableApplicationContext context = TestApplications.start(group, first, "moved.topic=" + topic)) {
			await().atMost(Duration.ofSeconds(60)).until(() -> completedBeyondStuck(group, partition) == RECORDS - 1 - STUCK);
		}
		OffsetAndMetadata stopped = KafkaTestSupport.committedWithMetadata(group, partition);
		assertThat(stopped.offset()).isEqualTo(STUCK);
		assertThat(CommitMetadataCodec.decode(STUCK, stopped.metadata()).count()).isEqualTo(RECORDS - 1 - STUCK);

		try (Admin admin = KafkaTestSupport.admin()) {
			await().atMost(Duration.ofSeconds(30))
				.ignoreExceptions()
				.until(() -> admin
					.alterConsumerGroupOffsets(group,
							Map.of(partition, new OffsetAndMetadata(MOVED_TO, stopped.metadata())))
					.all()
					.get(10, TimeUnit.SECONDS) == null);
		}
		assertThat(KafkaTestSupport.committedWithMetadata(group, partition))
			.isEqualTo(new OffsetAndMetadata(MOVED_TO, stopped.metadata()));

		StuckListener second = new StuckListener(-1);
		try (ConfigurableApplicationContext context = TestApplications.start(group, second, "moved.topic=" + topic)) {
			await().atMost(Duration.ofSeconds(60))
				.until(() -> KafkaTestSupport.committed(group, partition) == (long) RECORDS);
		}
		List<Long> skipped = LongStream.range(MOVED_TO, RECORDS).filter((o) -> !second.seen.contains(o)).boxed().toList();
		assertThat(skipped.size()).as("offsets from %d never handed to the handler after the rewrite, first ones %s",
				MOVED_TO, skipped.subList(0, Math.min(5, skipped.size()))).isZero();
		assertThat(output).contains("committed offset of " + partition + " was moved").contains("processed again");
	}

	/** Offsets the broker's commit metadata says are complete beyond {@link #STUCK}, or -1 before it is there. */
	private static long completedBeyondStuck(String group, TopicPartition partition) throws Exception {
		OffsetAndMetadata committed = KafkaTestSupport.committedWithMetadata(group, partition);
		if (committed == null || committed.offset() != STUCK) {
			return -1;
		}
		return CommitMetadataCodec.decode(committed.offset(), committed.metadata()).count();
	}

	/** Fails {@code stuck} every time (the default policy, HALT, keeps retrying it); records every offset seen. */
	static class StuckListener {

		final Set<Long> seen = ConcurrentHashMap.newKeySet();

		private final long stuck;

		StuckListener(long stuck) {
			this.stuck = stuck;
		}

		@HealingListener(id = "moved", topics = "${moved.topic}", parallelism = "8", ordering = Ordering.UNORDERED)
		void process(ConsumerRecord<String, String> record) {
			if (record.offset() == this.stuck) {
				throw new IllegalStateException("offset " + this.stuck + " keeps failing");
			}
			this.seen.add(record.offset());
		}

	}

}
