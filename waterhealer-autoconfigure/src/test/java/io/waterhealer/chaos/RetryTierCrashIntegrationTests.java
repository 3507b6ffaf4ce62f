package io.waterhealer.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.waterhealer.chaos.ProcessingLog.Produced;
import io.waterhealer.chaos.ProcessingLog.Verdict;
import io.waterhealer.kafka.KafkaTestSupport;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Retry tiers through SIGKILLs (issue 16): every record fails its first two attempts, so each goes through
 * {@code -retry-1s} and {@code -retry-3s} before it succeeds, and the consumer JVM is killed while records wait on the
 * tiers and started again each time. Every produced record must be processed successfully at least once (0 lost): a
 * record is completed on its topic only once its tier copy is on the broker, and a tier copy only once its next copy
 * is or it succeeded, so a kill at any moment leaves each record either committed past with a copy on a tier or to
 * be consumed again. The kill moments come from a seed that is printed; {@code -Dwaterhealer.chaos.seed} replays a
 * run.
 */
class RetryTierCrashIntegrationTests {

	static final int RECORDS = 200;

	static final int PARTITIONS = 2;

	static final int KEYS = 20;

	static final int KILLS = 4;

	static final List<String> TIERS = List.of("1s", "3s");

	@TempDir
	Path work;

	private final List<Process> consumers = new ArrayList<>();

	@AfterEach
	void stopConsumers() throws InterruptedException {
		for (Process consumer : this.consumers) {
			ChaosSupport.kill(consumer);
		}
	}

	@Test
	void noRecordIsLostWhenTheConsumerIsKilledWhileRecordsWaitOnTiers() throws Exception {
		long seed = Long.getLong("waterhealer.chaos.seed", System.nanoTime());
		System.out.println("RetryTierCrashIntegrationTests seed " + seed);
		Random random = new Random(seed);
		ChaosSupport cluster = new ChaosSupport(KafkaTestSupport.bootstrapServers());
		String topic = KafkaTestSupport.uniqueName("chaos-tiers");
		String group = topic + "-group";
		cluster.createTopic(topic, PARTITIONS);
		for (String tier : TIERS) {
			cluster.createTopic(topic + "-retry-" + tier, PARTITIONS);
		}
		Map<String, Produced> produced = cluster.produceKeyed(topic, 0, RECORDS, KEYS);
		ProcessingLog log = new ProcessingLog();
		List<Long> waitingAtKill = new ArrayList<>();
		for (int kill = 0; kill <= KILLS; kill++) {
			Path segment = log.newSegment(this.work, "consumer");
			Process consumer = cluster.startConsumer(topic, group, segment, this.work.resolve("consumer-" + kill + ".out"),
					"--chaos.fail-first=2", "--chaos.work-micros=2000", "--waterhealer.retry.max-attempts=1",
					"--waterhealer.retry.topics=" + String.join(",", TIERS), "--waterhealer.listener.ordering=unordered");
			this.consumers.add(consumer);
			if (kill == KILLS) {
				break;
			}
			// killed while it works and records wait on the tiers: it attempted something, and the tiers have a backlog
			await().atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(50))
				.failFast("consumer " + kill + " exited", () -> !consumer.isAlive())
				.until(() -> Files.exists(segment) && Files.size(segment) > 0 && waiting(cluster, topic, group) > 0);
			Thread.sleep(random.nextInt(1500));
			assertThat(consumer.isAlive()).as("consumer %d alive when it is killed", kill).isTrue();
			waitingAtKill.add(waiting(cluster, topic, group));
			ChaosSupport.kill(consumer);
			this.consumers.remove(consumer);
		}
		await().atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> log.distinctProcessed() == RECORDS);
		Verdict verdict = log.verify(produced, true);
		System.out.println("RetryTierCrashIntegrationTests: " + KILLS + " kills with " + waitingAtKill
				+ " records waiting on the tiers; " + verdict.distinct() + " of " + verdict.produced()
				+ " processed successfully, " + verdict.duplicates() + " duplicates, " + verdict.lost().size()
				+ " lost");
		assertThat(verdict.lost()).as("records never processed successfully").isEmpty();
		assertThat(verdict.mismatches()).isEmpty();
		assertThat(waitingAtKill).as("records waiting on the tiers at each kill").allMatch((waiting) -> waiting > 0);
		// the listener's topic committed to its end (the group's commits of the tier topics are beside it)
		Map<TopicPartition, Long> ends = cluster.endOffsets(topic, PARTITIONS);
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> cluster.committed(group).entrySet().containsAll(ends.entrySet()));
	}

	/** Records on the tier topics that the group has not committed past: parked, waiting for their due time. */
	private static long waiting(ChaosSupport cluster, String topic, String group) throws Exception {
		Map<TopicPartition, Long> committed = cluster.committed(group);
		long waiting = 0;
		for (String tier : TIERS) {
			for (Map.Entry<TopicPartition, Long> end : cluster.endOffsets(topic + "-retry-" + tier, PARTITIONS)
				.entrySet()) {
				waiting += end.getValue() - committed.getOrDefault(end.getKey(), 0L);
			}
		}
		return waiting;
	}

}
