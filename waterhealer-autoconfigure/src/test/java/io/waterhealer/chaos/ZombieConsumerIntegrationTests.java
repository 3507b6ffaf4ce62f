package io.waterhealer.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.waterhealer.chaos.ProcessingLog.Produced;
import io.waterhealer.chaos.ProcessingLog.Verdict;
import io.waterhealer.kafka.KafkaTestSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A zombie consumer (issue 13, item 7.2): two consumer JVMs share a group; one is frozen with SIGSTOP (a long GC
 * pause, a suspended VM) with records in flight, for longer than {@code session.timeout.ms} (6 s) and
 * {@code max.poll.interval.ms} (10 s), so that the group gives its partitions to the other while records keep
 * arriving; then it is woken with SIGCONT. Its workers finish what they held when frozen, but nothing it commits
 * after waking may land over the new owner's work: the group's committed offsets, sampled every 100 ms with the
 * AdminClient throughout the run, must never go backwards, and must reach the end offsets. Nothing may be lost and
 * the woken consumer must either rejoin the group or exit; the figure says which. Both group protocols are tried:
 * the classic one and the consumer group protocol (KIP-848).
 */
class ZombieConsumerIntegrationTests {

	static final int RECORDS = ChaosSupport.SOAK ? 40_000 : 8_000;

	static final int RATE = ChaosSupport.SOAK ? 800 : 300;

	static final int PARTITIONS = 4;

	static final int KEYS = 100;

	@TempDir
	Path work;

	private final List<Process> consumers = new ArrayList<>();

	@AfterEach
	void stopConsumers() throws Exception {
		for (Process consumer : this.consumers) {
			if (consumer.isAlive()) {
				ChaosSupport.signal(consumer, "CONT");
			}
			ChaosSupport.kill(consumer);
		}
	}

	@Test
	void aConsumerWokenFromSigstopNeverCommitsOverItsSuccessor() throws Exception {
		run("classic", Duration.ofSeconds(15), RATE, false, List.of());
	}

	/**
	 * The successor dies (SIGKILL) while the zombie sleeps, so that the woken zombie gets every partition back,
	 * those it held when frozen included, and must resume them from what the successor committed rather than from
	 * what it remembers.
	 */
	@Test
	void aZombieThatGetsItsPartitionsBackResumesFromItsSuccessorsCommits() throws Exception {
		run("classic", Duration.ofSeconds(15), RATE, true, List.of());
	}

	/**
	 * The same with the consumer group protocol (KIP-848), where the broker owns the session timeout: the group's
	 * {@code consumer.session.timeout.ms} is set to the broker's minimum, 45 s, so the zombie sleeps 55 s and the run
	 * takes about 100 s: it is part of the soak only.
	 */
	@Test
	void aConsumerWokenFromSigstopNeverCommitsOverItsSuccessorWithTheConsumerGroupProtocol() throws Exception {
		assumeTrue(ChaosSupport.SOAK, "the consumer group protocol's 45 s session makes this a soak-only case");
		// records keep arriving until after the group has moved the zombie's partitions
		run("consumer", Duration.ofSeconds(55), RATE / 3, false, List.of("--spring.kafka.consumer.properties.group.protocol=consumer"));
	}

	private void run(String protocol, Duration frozen, int rate, boolean killSuccessor, List<String> extra) throws Exception {
		long started = System.nanoTime();
		String name = protocol + (killSuccessor ? "-successor-killed" : "");
		ChaosSupport cluster = new ChaosSupport(KafkaTestSupport.bootstrapServers());
		String topic = KafkaTestSupport.uniqueName("chaos-zombie-" + name);
		String group = topic + "-group";
		cluster.createTopic(topic, PARTITIONS);
		if ("consumer".equals(protocol)) {
			try (Admin admin = cluster.admin()) {
				admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group),
						List.of(new AlterConfigOp(new ConfigEntry("consumer.session.timeout.ms", "45000"),
								AlterConfigOp.OpType.SET))))
					.all()
					.get(15, TimeUnit.SECONDS);
			}
		}
		ProcessingLog log = new ProcessingLog();
		List<Path> outputs = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			Path segment = log.newSegment(this.work, "instance");
			outputs.add(output(name, segment));
			Files.deleteIfExists(output(name, segment));
			List<String> args = new ArrayList<>(List.of("--chaos.work-micros=20000", "--chaos.fail-percent=1",
					"--chaos.seed=" + i, "--spring.kafka.consumer.properties.max.poll.interval.ms=10000",
					"--logging.level.io.waterhealer=INFO"));
			args.addAll(extra);
			this.consumers.add(cluster.startConsumer(topic, group, segment, output(name, segment),
					args.toArray(String[]::new)));
		}
		awaitStable(cluster, group, 2);
		CompletableFuture<Map<String, Produced>> producing = CompletableFuture.supplyAsync(() -> {
			try {
				return cluster.produceKeyed(topic, 0, RECORDS, KEYS, rate);
			}
			catch (Exception ex) {
				throw new IllegalStateException("producing to " + topic + " failed", ex);
			}
		});
		Map<TopicPartition, Long> highest = new ConcurrentHashMap<>();
		List<String> backwards = java.util.Collections.synchronizedList(new ArrayList<>());
		AtomicInteger samples = new AtomicInteger();
		ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
		// every 50 ms, a quarter of the commit interval: a commit of the zombie would be seen before the new
		// owner's next commit covers it
		Admin admin = cluster.admin();
		sampler.scheduleWithFixedDelay(() -> {
			try {
				ChaosSupport.committedWithMetadata(admin, group).forEach((partition, committed) -> {
					long offset = committed.offset();
					Long before = highest.get(partition);
					if (before != null && before > offset) {
						backwards.add(partition + " committed " + offset + " after " + before);
					}
					highest.merge(partition, offset, Math::max);
				});
				samples.incrementAndGet();
			}
			catch (Exception ex) {
				// the next sample reads it
			}
		}, 0, 50, TimeUnit.MILLISECONDS);
		try {
			await().atMost(Duration.ofMinutes(2))
				.pollInterval(Duration.ofMillis(50))
				.until(() -> log.distinctProcessed() >= RECORDS / 4);
			Process zombie = this.consumers.get(0);
			Path zombieOutput = outputs.get(0);
			ChaosSupport.signal(zombie, "STOP");
			long stopped = System.nanoTime();
			int atStop = log.distinctProcessed();
			awaitStable(cluster, group, 1);
			long takenOver = millisSince(stopped);
			await().atMost(frozen.plusSeconds(5)).until(() -> millisSince(stopped) >= frozen.toMillis());
			String successor = "";
			if (killSuccessor) {
				Process next = this.consumers.get(1);
				ChaosSupport.kill(next);
				this.consumers.remove(next);
				successor = "; the successor was SIGKILLed just before the wake-up";
			}
			Map<TopicPartition, Long> committedAtWake = cluster.committed(group);
			long linesBeforeWaking = lines(zombieOutput).count();
			ChaosSupport.signal(zombie, "CONT");
			Map<String, Produced> produced = new HashMap<>(producing.get(5, TimeUnit.MINUTES));
			int members = killSuccessor ? 1 : 2;
			await().atMost(Duration.ofMinutes(2))
				.pollInterval(Duration.ofMillis(500))
				.ignoreExceptions()
				.until(() -> !zombie.isAlive() || cluster.stableWith(group, members));
			String fate = (zombie.isAlive() ? "rejoined the group and took partitions again"
					: "exited with status " + zombie.exitValue()) + successor;
			await().atMost(Duration.ofMinutes(2))
				.pollInterval(Duration.ofMillis(500))
				.until(() -> cluster.allCommitted(group, topic, PARTITIONS));
			// and stays there: a late commit of the zombie would show here and in the samples
			await().during(Duration.ofSeconds(2))
				.atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> cluster.allCommitted(group, topic, PARTITIONS));
			sampler.shutdown();
			sampler.awaitTermination(10, TimeUnit.SECONDS);
			Verdict verdict = log.verify(produced, false);
			String figure = "zombie consumer (" + protocol + " group protocol): " + RECORDS + " records, " + PARTITIONS
					+ " partitions, 2 JVMs, one SIGSTOPped at " + atStop + " distinct records for " + frozen.toSeconds() + " s (group moved its "
					+ "partitions after " + takenOver + " ms), then SIGCONT; it " + fate + ": " + verdict.summary()
					+ "; committed offsets went backwards " + backwards.size() + " times in " + samples.get()
					+ " samples; the zombie's commits refused after waking " + lines(zombieOutput).skip(linesBeforeWaking).filter((line) -> line.contains("could not commit")).count()
					+ "; committed at wake-up "
					+ committedAtWake + "; " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) + " s";
			System.out.println(figure);
			Files.writeString(Path.of("target", "chaos-zombie-" + name + (ChaosSupport.SOAK ? "-soak" : "") + ".txt"),
					figure + System.lineSeparator());
			assertThat(backwards).as("committed offsets that went backwards (a commit over the new owner's work)")
				.isEmpty();
			assertThat(verdict.lost()).as("records never processed").isEmpty();
			assertThat(verdict.mismatches()).isEmpty();
			assertThat(verdict.orderViolations()).as("per-key order within each instance").isEmpty();
			assertThat(cluster.committed(group)).isEqualTo(cluster.endOffsets(topic, PARTITIONS));
		}
		finally {
			sampler.shutdownNow();
			admin.close();
		}
	}

	private static Path output(String name, Path segment) {
		return Path.of("target", "chaos-zombie-" + name, segment.getFileName() + ".out");
	}

	private static java.util.stream.Stream<String> lines(Path output) throws java.io.IOException {
		return Files.readAllLines(output).stream();
	}

	private static void awaitStable(ChaosSupport cluster, String group, int members) {
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(200))
			.ignoreExceptions()
			.until(() -> cluster.stableWith(group, members));
	}

	private static long millisSince(long nanos) {
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
	}

}
