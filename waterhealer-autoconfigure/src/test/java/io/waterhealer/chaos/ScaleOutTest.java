package io.waterhealer.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * Scale-out (issue 9, case 3): three consumer JVMs in one group share a topic while records keep arriving; a third
 * of the way through one is killed with SIGKILL, two thirds of the way through a fourth joins. Every record must be
 * processed at least once, each JVM must see each key in order, and the group's committed offsets must reach the
 * end offsets.
 */
class ScaleOutTest {

	static final int RECORDS = ChaosSupport.SOAK ? 60_000 : 6_000;

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
		CompletableFuture<Map<String, Produced>> producing = CompletableFuture.supplyAsync(() -> {
			try {
				return cluster.produceKeyed(topic, 0, RECORDS, KEYS, RATE);
			}
			catch (Exception ex) {
				throw new IllegalStateException("producing to " + topic + " failed", ex);
			}
		});
		ProcessingLog log = new ProcessingLog();
		for (int i = 0; i < 3; i++) {
			start(cluster, topic, group, log);
		}
		await().atMost(Duration.ofMinutes(3))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> log.distinctProcessed() >= RECORDS / 3);
		Process victim = this.consumers.get(1);
		assertThat(victim.isAlive()).isTrue();
		ChaosSupport.kill(victim);
		this.consumers.remove(victim);
		int atKill = log.distinctProcessed();
		await().atMost(Duration.ofMinutes(3))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> log.distinctProcessed() >= RECORDS * 2 / 3);
		start(cluster, topic, group, log);
		int atJoin = log.distinctProcessed();
		Map<String, Produced> produced = producing.get(5, TimeUnit.MINUTES);
		await().atMost(Duration.ofMinutes(ChaosSupport.SOAK ? 10 : 3))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> cluster.allCommitted(group, topic, PARTITIONS));
		Verdict verdict = log.verify(produced, false);
		List<Integer> perInstance = verdict.segmentRecords().stream().map(java.util.Set::size).toList();

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

	private void start(ChaosSupport cluster, String topic, String group, ProcessingLog log) throws Exception {
		Path segment = log.newSegment(this.work, "instance");
		this.consumers.add(cluster.startConsumer(topic, group, segment, this.work.resolve(segment.getFileName() + ".out"),
				"--chaos.work-micros=2000", "--chaos.fail-percent=1", "--chaos.seed=" + this.consumers.size()));
	}

}
