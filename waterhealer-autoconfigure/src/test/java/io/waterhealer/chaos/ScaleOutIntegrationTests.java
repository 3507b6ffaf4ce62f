package io.waterhealer.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.waterhealer.chaos.ProcessingLog.Produced;
import io.waterhealer.chaos.ProcessingLog.Verdict;
import io.waterhealer.kafka.KafkaTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scale-out (issue 9, case 3): three consumer JVMs in one group share a topic while records keep arriving; a quarter
 * of the way through one is killed with SIGKILL; once the group has noticed, a fourth joins and the second half of
 * the records is produced. Every record must be
 * processed at least once, each JVM must see each key in order, and the group's committed offsets must reach the
 * end offsets.
 */
class ScaleOutIntegrationTests {

	static final int RECORDS = ChaosSupport.SOAK ? 60_000 : 8_000;

	static final int PARTITIONS = 6;

	static final int KEYS = 120;

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

	@Test
	void nothingIsLostWhenAnInstanceIsKilledAndAnotherAdded() throws Exception {
		ChaosSupport cluster = new ChaosSupport(KafkaTestSupport.bootstrapServers());
		String topic = KafkaTestSupport.uniqueName("chaos-scale");
		String group = topic + "-group";
		cluster.createTopic(topic, PARTITIONS);
		ProcessingLog log = new ProcessingLog();
		for (int i = 0; i < 3; i++) {
			start(cluster, topic, group, log);
		}
		// records flow once the three share the partitions, so that each has work before the faults
		awaitStable(cluster, group, 3);
		CompletableFuture<Map<String, Produced>> firstHalf = produce(cluster, topic, 0);
		await().atMost(Duration.ofMinutes(3))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> log.distinctProcessed() >= RECORDS / 4);
		Process victim = this.consumers.get(1);
		assertThat(victim.isAlive()).isTrue();
		ChaosSupport.kill(victim);
		this.consumers.remove(victim);
		int atKill = log.distinctProcessed();
		// the group notices the dead member after its session timeout, the two others take its partitions
		awaitStable(cluster, group, 2);
		start(cluster, topic, group, log);
		awaitStable(cluster, group, 3);
		int atJoin = log.distinctProcessed();
		// the second half continues each key's sequence, so it must not start before the first half is sent
		Map<String, Produced> produced = new HashMap<>(firstHalf.get(5, TimeUnit.MINUTES));
		produced.putAll(produce(cluster, topic, RECORDS / 2).get(5, TimeUnit.MINUTES));
		await().atMost(Duration.ofMinutes(ChaosSupport.SOAK ? 10 : 3))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> cluster.allCommitted(group, topic, PARTITIONS));
		Verdict verdict = log.verify(produced, false);
		List<Integer> perInstance = verdict.segmentRecords().stream().map(Set::size).toList();

		String figure = "scale-out: " + RECORDS + " records, " + PARTITIONS + " partitions, 3 JVMs, one killed at "
				+ atKill + " distinct records, one added at " + atJoin + ": " + verdict.summary()
				+ "; records per instance " + perInstance;
		System.out.println(figure);
		Files.writeString(Path.of("target", "chaos-scale-out" + (ChaosSupport.SOAK ? "-soak" : "") + ".txt"),
				figure + System.lineSeparator());
		assertThat(verdict.lost()).as("records never processed").isEmpty();
		assertThat(verdict.mismatches()).isEmpty();
		assertThat(verdict.orderViolations()).as("per-key order within each instance").isEmpty();
		assertThat(perInstance).as("every instance, the added one included, did work").allMatch((n) -> n > 0);
		assertThat(cluster.committed(group)).isEqualTo(cluster.endOffsets(topic, PARTITIONS));
	}

	private static void awaitStable(ChaosSupport cluster, String group, int members) {
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(200))
			.ignoreExceptions()
			.until(() -> cluster.stableWith(group, members));
	}

	private static CompletableFuture<Map<String, Produced>> produce(ChaosSupport cluster, String topic, int from) {
		return CompletableFuture.supplyAsync(() -> {
			try {
				return cluster.produceKeyed(topic, from, RECORDS / 2, KEYS, RATE);
			}
			catch (Exception ex) {
				throw new IllegalStateException("producing to " + topic + " failed", ex);
			}
		});
	}

	private void start(ChaosSupport cluster, String topic, String group, ProcessingLog log) throws Exception {
		Path segment = log.newSegment(this.work, "instance");
		this.consumers.add(cluster.startConsumer(topic, group, segment,
				Path.of("target", "chaos-scale-out", segment.getFileName() + ".out"),
				"--chaos.work-micros=2000", "--chaos.fail-percent=1", "--chaos.seed=" + this.consumers.size()));
	}

}
