package io.waterhealer.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import io.waterhealer.HealingListener;
import io.waterhealer.codec.CommitMetadataCodec;
import io.waterhealer.codec.CompletedOffsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A partition given up (the application stops, or a rebalance moves the partition to another instance) is committed
 * at that moment, with the offsets completed beyond its position in the metadata, however long the commit interval:
 * the next owner starts from that commit. With a 60 s interval and offset 5 failing for good, nothing but the commit
 * on giving the partition up can put {@code 5} and the completed 6..9 on the broker within these tests' bounds.
 */
class CommitOnRevokeIntegrationTests {

	@Test
	void stoppingTheApplicationCommitsThePositionAndTheOffsetsCompletedBeyondIt() throws Exception {
		String topic = KafkaTestSupport.uniqueName("revoke-stop");
		String group = KafkaTestSupport.uniqueName("revoke-stop-group");
		KafkaTestSupport.createTopic(topic, 1);
		KafkaTestSupport.sendValues(topic, 0, values());
		TopicPartition partition = new TopicPartition(topic, 0);
		StuckAtFive listener = new StuckAtFive();
		try (ConfigurableApplicationContext context = start(group, listener, topic)) {
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.completed().size() == 9);
			assertThat(KafkaTestSupport.committedWithMetadata(group, partition))
				.as("nothing committed before the interval")
				.isNull();
		}
		// the context is closed: its containers stopped and gave their partitions up
		OffsetAndMetadata committed = KafkaTestSupport.committedWithMetadata(group, partition);
		assertThat(committed).isNotNull();
		assertThat(committed.offset()).isEqualTo(5);
		CompletedOffsets beyond = CommitMetadataCodec.decode(committed.offset(), committed.metadata());
		assertThat(beyond.count()).isEqualTo(4);
		assertThat(IntStream.range(6, 10)).allMatch(beyond::contains);
	}

	@Test
	void aPartitionMovedToAnotherInstanceIsCommittedOnRevocationSoItsNewOwnerSkipsWhatWasDone() throws Exception {
		String topic = KafkaTestSupport.uniqueName("revoke-move");
		String group = KafkaTestSupport.uniqueName("revoke-move-group");
		KafkaTestSupport.createTopic(topic, 2);
		KafkaTestSupport.sendValues(topic, 0, values());
		KafkaTestSupport.sendValues(topic, 1, values());
		StuckAtFive first = new StuckAtFive();
		StuckAtFive second = new StuckAtFive();
		try (ConfigurableApplicationContext one = start(group, first, topic)) {
			await().atMost(Duration.ofSeconds(30)).until(() -> first.completed().size() == 18);
			try (ConfigurableApplicationContext two = start(group, second, topic)) {
				// the second instance takes one partition; the first keeps running
				await().atMost(Duration.ofSeconds(30)).until(() -> !second.attempted.isEmpty());
				Set<Integer> moved = second.partitionsAttempted();
				assertThat(moved).hasSize(1);
				TopicPartition movedPartition = new TopicPartition(topic, moved.iterator().next());
				OffsetAndMetadata committed = KafkaTestSupport.committedWithMetadata(group, movedPartition);
				assertThat(committed).isNotNull();
				assertThat(committed.offset()).isEqualTo(5);
				// the new owner starts at 5 and skips 6..9, completed by the first instance before the rebalance
				await().during(Duration.ofSeconds(1))
					.atMost(Duration.ofSeconds(5))
					.until(() -> second.attempted.keySet().stream().allMatch((coordinates) -> coordinates.endsWith("@5")));
				assertThat(second.completed()).isEmpty();
			}
		}
	}

	private static ConfigurableApplicationContext start(String group, StuckAtFive listener, String topic) {
		return TestApplications.start(group, listener, "revoke.topic=" + topic,
				"waterhealer.listener.commit-interval=60s", "waterhealer.failure.policy=halt",
				"waterhealer.retry.max-attempts=-1", "waterhealer.retry.initial-interval=200ms",
				"waterhealer.retry.max-interval=200ms");
	}

	private static List<String> values() {
		return IntStream.range(0, 10).mapToObj(Integer::toString).toList();
	}

	/** Offset 5 of every partition fails for good; the others complete. */
	static class StuckAtFive {

		final Map<String, Boolean> attempted = new ConcurrentHashMap<>();

		final Map<String, Boolean> done = new ConcurrentHashMap<>();

		@HealingListener(id = "stuckAtFive", topics = "${revoke.topic}")
		void handle(ConsumerRecord<String, String> record) {
			String coordinates = record.topic() + "-" + record.partition() + "@" + record.offset();
			this.attempted.put(coordinates, Boolean.TRUE);
			if (record.offset() == 5) {
				throw new IllegalStateException("offset 5 never succeeds");
			}
			this.done.put(coordinates, Boolean.TRUE);
		}

		Set<String> completed() {
			return this.done.keySet();
		}

		Set<Integer> partitionsAttempted() {
			Set<Integer> partitions = ConcurrentHashMap.newKeySet();
			this.attempted.keySet()
				.forEach((coordinates) -> partitions.add(Integer.parseInt(
						coordinates.substring(coordinates.lastIndexOf('-') + 1, coordinates.indexOf('@')))));
			return partitions;
		}

	}

}
