package io.waterhealer.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
 * Consumer crash (issue 9, case 1): a consumer in its own JVM processes keyed records, 1 % of which fail once, and
 * is killed with SIGKILL at random moments and started again each time. Every record must be processed at least
 * once, each key's records in order, and the committed offsets must reach the end offsets; duplicates are counted
 * and must all lie at or beyond the position committed when the consumer died (they were in flight or completed
 * after the last commit). The short run is part of {@code ./mvnw verify}; the soak, with the sizes, runs with
 * {@code -Dwaterhealer.soak=true}. The kill moments come from a seed that is printed; {@code -Dwaterhealer.chaos.seed}
 * replays a run.
 */
class ConsumerCrashTest {

	static final int RECORDS = ChaosSupport.SOAK ? 100_000 : 8_000;

	static final int KILLS = ChaosSupport.SOAK ? 5 : 3;

	static final int PARTITIONS = 4;

	static final int KEYS = ChaosSupport.SOAK ? 1_000 : 100;

	static final int FAIL_PERCENT = 1;

	/** Records produced per second while the consumers are killed and restarted. */
	static final int RATE = ChaosSupport.SOAK ? 1_000 : 400;

	@TempDir
	Path work;

	private final List<Process> consumers = new ArrayList<>();

	@AfterEach
	void stopConsumers() throws InterruptedException {
		for (Process consumer : this.consumers) {
			ChaosSupport.kill(consumer);
		}
	}

	private static Map<String, Produced> produce(ChaosSupport cluster, String topic) {
		try {
			return cluster.produceKeyed(topic, 0, RECORDS, KEYS, RATE);
		}
		catch (Exception ex) {
			throw new IllegalStateException("producing to " + topic + " failed", ex);
		}
	}

	@Test
	void everyRecordIsProcessedInKeyOrderThroughRepeatedSigkills() throws Exception {
		long seed = Long.getLong("waterhealer.chaos.seed", System.nanoTime());
		Random random = new Random(seed);
		ChaosSupport cluster = new ChaosSupport(KafkaTestSupport.bootstrapServers());
		String topic = KafkaTestSupport.uniqueName("chaos-crash");
		String group = topic + "-group";
		cluster.createTopic(topic, PARTITIONS);
		CompletableFuture<Map<String, Produced>> producing = CompletableFuture
			.supplyAsync(() -> produce(cluster, topic));

		// kill i once about (i + 1) / (KILLS + 1) of the records are processed, give or take a third of the spacing
		int spacing = RECORDS / (KILLS + 1);
		int[] killAt = new int[KILLS];
		for (int i = 0; i < KILLS; i++) {
			killAt[i] = (i + 1) * spacing + random.nextInt(2 * spacing / 3) - spacing / 3;
		}
		ProcessingLog log = new ProcessingLog();
		List<Map<TopicPartition, Long>> committedAtKill = new ArrayList<>();
		List<String> kills = new ArrayList<>();
		List<Long> uncommittedAtKill = new ArrayList<>();
		for (int kill = 0; kill <= KILLS; kill++) {
			Path segment = log.newSegment(this.work, "consumer");
			Process consumer = cluster.startConsumer(topic, group, segment, this.work.resolve("consumer-" + kill + ".out"),
					"--chaos.fail-percent=" + FAIL_PERCENT, "--chaos.seed=" + seed,
					"--chaos.work-micros=2000", "--waterhealer.listener.max-in-flight=500",
					"--waterhealer.listener.max-span=20000");
			this.consumers.add(consumer);
			if (kill == KILLS) {
				producing.get(10, TimeUnit.MINUTES);
				await().atMost(Duration.ofMinutes(ChaosSupport.SOAK ? 20 : 4))
					.pollInterval(Duration.ofMillis(500))
					.until(() -> cluster.allCommitted(group, topic, PARTITIONS));
				break;
			}
			int threshold = killAt[kill];
			await().atMost(Duration.ofMinutes(ChaosSupport.SOAK ? 10 : 3))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> log.distinctProcessed() >= threshold && Files.exists(segment)
						&& Files.size(segment) > 0);
			// a random moment after the threshold: the kill must not line up with anything the consumer does
			Thread.sleep(random.nextInt(250));
			assertThat(consumer.isAlive()).as("consumer %d alive when it is killed", kill).isTrue();
			ChaosSupport.kill(consumer);
			this.consumers.remove(consumer);
			Map<TopicPartition, Long> committed = cluster.committed(group);
			committedAtKill.add(committed);
			// offsets start at 0 and the producer is not transactional: the committed offset is the record count
			long committedRecords = committed.values().stream().mapToLong(Long::longValue).sum();
			int processed = log.distinctProcessed();
			uncommittedAtKill.add(processed - committedRecords);
			kills.add("kill " + (kill + 1) + " at " + processed + " distinct records, " + committedRecords
					+ " committed");
		}
		Verdict verdict = log.verify(producing.get());

		List<String> belowCommitted = new ArrayList<>();
		List<Long> duplicatesPerRestart = new ArrayList<>();
		Set<String> before = new HashSet<>(verdict.segmentRecords().get(0));
		for (int segment = 1; segment < verdict.segmentRecords().size(); segment++) {
			Map<TopicPartition, Long> committed = committedAtKill.get(segment - 1);
			long again = 0;
			for (String coordinates : verdict.segmentRecords().get(segment)) {
				if (before.contains(coordinates)) {
					again++;
					String[] fields = coordinates.split(" ");
					TopicPartition partition = new TopicPartition(fields[0], Integer.parseInt(fields[1]));
					if (Long.parseLong(fields[2]) < committed.getOrDefault(partition, 0L)) {
						belowCommitted.add(coordinates + " re-processed below the committed " + committed.get(partition));
					}
				}
			}
			duplicatesPerRestart.add(again);
			before.addAll(verdict.segmentRecords().get(segment));
		}

		String figure = "consumer crash: seed " + seed + ", " + RECORDS + " records, " + PARTITIONS + " partitions, "
				+ KEYS + " keys, " + KILLS + " SIGKILLs (" + String.join("; ", kills) + "): " + verdict.summary()
				+ "; duplicates per restart " + duplicatesPerRestart + " (processed but uncommitted at each kill "
				+ uncommittedAtKill + ")";
		System.out.println(figure);
		Files.writeString(Path.of("target", "chaos-consumer-crash" + (ChaosSupport.SOAK ? "-soak" : "") + ".txt"),
				figure + System.lineSeparator());
		assertThat(verdict.lost()).as("records never processed").isEmpty();
		assertThat(verdict.mismatches()).isEmpty();
		assertThat(verdict.orderViolations()).as("per-key order").isEmpty();
		assertThat(belowCommitted).as("records re-processed although committed").isEmpty();
		for (int restart = 0; restart < duplicatesPerRestart.size(); restart++) {
			assertThat(duplicatesPerRestart.get(restart))
				.as("duplicates after kill %d: at most the records processed but not committed when it died",
						restart + 1)
				.isLessThanOrEqualTo(uncommittedAtKill.get(restart));
		}
		assertThat(verdict.transientFailures()).as("transient failures injected").isPositive();
		assertThat(cluster.committed(group)).isEqualTo(cluster.endOffsets(topic, PARTITIONS));
	}

}
