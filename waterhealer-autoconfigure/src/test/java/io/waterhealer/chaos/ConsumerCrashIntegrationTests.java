package io.waterhealer.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.waterhealer.chaos.ProcessingLog.Produced;
import io.waterhealer.chaos.ProcessingLog.Verdict;
import io.waterhealer.codec.CommitMetadataCodec;
import io.waterhealer.codec.CompletedOffsets;
import io.waterhealer.kafka.KafkaTestSupport;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Consumer crash (issue 9, case 1): a consumer in its own JVM processes keyed records, 1 % of which fail once, and
 * is killed with SIGKILL at random moments and started again each time. Every record must be processed at least
 * once, each key's records in order, and the committed offsets must reach the end offsets. Duplicates are bounded by
 * the commit the broker held when the consumer died, offset and metadata read with the AdminClient at each kill: no
 * record below the committed offset or in the decoded completed set may run again, so at most the records processed
 * before the kill that neither covers. A baseline run without metadata shows that this bound is the metadata's doing:
 * it re-processes every record it had processed beyond the committed offset. The short run is part of {@code ./mvnw verify}; the soak, with the sizes, runs with
 * {@code -Dwaterhealer.soak=true}. The kill moments come from a seed that is printed; {@code -Dwaterhealer.chaos.seed}
 * replays a run.
 */
class ConsumerCrashIntegrationTests {

	static final int RECORDS = ChaosSupport.SOAK ? 100_000 : 8_000;

	static final int KILLS = ChaosSupport.SOAK ? 5 : 3;

	static final int PARTITIONS = 4;

	static final int KEYS = ChaosSupport.SOAK ? 1_000 : 100;

	static final int FAIL_PERCENT = 1;

	/** Records produced per second while the consumers are killed and restarted. */
	static final int RATE = ChaosSupport.SOAK ? 1_000 : 400;

	/** Records produced at most ahead of those processed: what arrives while a consumer is down. */
	static final int LEAD = ChaosSupport.SOAK ? 2_000 : 300;

	@TempDir
	Path work;

	private final List<Process> consumers = new ArrayList<>();

	@AfterEach
	void stopConsumers() throws InterruptedException {
		for (Process consumer : this.consumers) {
			ChaosSupport.kill(consumer);
		}
	}

	/**
	 * Produces at {@link #RATE}, never more than {@link #LEAD} records ahead of those processed, so that records
	 * keep arriving through every kill and restart.
	 */
	private static Map<String, Produced> produce(ChaosSupport cluster, String topic, int records,
			ProcessingLog log) {
		try {
			return cluster.produceKeyed(topic, 0, records, KEYS, RATE, () -> {
				try {
					return log.distinctProcessed() + LEAD;
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			});
		}
		catch (Exception ex) {
			throw new IllegalStateException("producing to " + topic + " failed: " + ex, ex);
		}
	}

	@Test
	void everyRecordIsProcessedInKeyOrderThroughRepeatedSigkills() throws Exception {
		long seed = Long.getLong("waterhealer.chaos.seed", System.nanoTime());
		Run run = run(seed, RECORDS, KILLS, null);
		Verdict verdict = run.verdict();
		assertThat(verdict.lost()).as("records never processed").isEmpty();
		assertThat(verdict.mismatches()).isEmpty();
		assertThat(verdict.orderViolations()).as("per-key order").isEmpty();
		assertThat(run.againThoughCovered())
			.as("records re-processed although the commit (offset or metadata) read at the kill covered them")
			.isEmpty();
		for (int restart = 0; restart < run.restarts().size(); restart++) {
			Restart after = run.restarts().get(restart);
			assertThat(after.again())
				.as("duplicates after kill %d: at most the records processed before it that the commit metadata "
						+ "did not cover (%s)", restart + 1, after)
				.isLessThanOrEqualTo(after.uncovered());
		}
		assertThat(run.restarts().stream().mapToLong(Restart::coveredByMetadata).sum())
			.as("records the commit metadata covered at the kills: without any the bound is only the committed "
					+ "offset's (%s)", run.restarts())
			.isPositive();
		assertThat(verdict.transientFailures()).as("transient failures injected").isPositive();
		assertThat(run.committedAtEnd()).isEqualTo(run.endOffsets());
	}

	/**
	 * The baseline of the bound above: the same scenario with {@code metadata-max-bytes=0} (two kills, half the
	 * records) re-processes every record it had processed at or beyond the committed offset, where the run with
	 * metadata re-processes at most those its metadata did not cover. The second kill comes while the restarted
	 * consumer catches up with the records produced while it was down, when many are processed beyond the commit;
	 * the baseline kills as soon as the threshold is reached, since that catch-up can be over within the random
	 * delay the run with metadata adds.
	 */
	@Test
	void withoutCommitMetadataARestartProcessesEveryRecordBeyondTheCommittedOffsetAgain() throws Exception {
		long seed = Long.getLong("waterhealer.chaos.seed", System.nanoTime());
		Run run = run(seed, RECORDS / 2, 2, "--waterhealer.listener.metadata-max-bytes=0");
		assertThat(run.verdict().lost()).as("records never processed").isEmpty();
		assertThat(run.againThoughCovered()).as("records re-processed below the committed offset").isEmpty();
		assertThat(run.restarts()).allSatisfy((restart) -> assertThat(restart.coveredByMetadata())
			.as("no metadata is written (%s)", restart)
			.isZero());
		Restart last = run.restarts().get(run.restarts().size() - 1);
		assertThat(last.uncovered()).as("records processed beyond the committed offset at the last kill (%s)",
				run.restarts()).isPositive();
		// the last consumer runs to the end, so every record from the committed offset on runs again
		assertThat(last.again()).as("without metadata every record processed beyond the committed offset runs "
				+ "again (%s)", last).isEqualTo(last.uncovered());
		assertThat(run.committedAtEnd()).isEqualTo(run.endOffsets());
	}

	/**
	 * Waits, for at most 20 s, until the group's commit of some partition carries completed offsets beyond its
	 * position; goes on regardless after that, leaving the verdict to the assertions.
	 */
	private static void awaitCompletedOffsetsInCommit(ChaosSupport cluster, String group, Process consumer) {
		try {
			await().atMost(Duration.ofSeconds(20))
				.pollInterval(Duration.ofMillis(20))
				.failFast("consumer exited", () -> !consumer.isAlive())
				.until(() -> cluster.committedWithMetadata(group)
					.values()
					.stream()
					.anyMatch((commit) -> !CommitMetadataCodec.decode(commit.offset(), commit.metadata()).isEmpty()));
		}
		catch (ConditionTimeoutException ex) {
			// measured as it is: the coverage assertion reports the restarts
		}
	}

	private static String tail(Path output) {
		try {
			String text = Files.readString(output);
			return text.substring(Math.max(0, text.length() - 4000));
		}
		catch (IOException ex) {
			return ex.toString();
		}
	}

	/**
	 * What one restart re-processed, measured against the commit read when its predecessor was killed.
	 * @param again records processed before the kill and again after it
	 * @param belowCommitted records processed before the kill below the committed offset
	 * @param coveredByMetadata records processed before the kill at or beyond the committed offset that the
	 * decoded commit metadata lists as completed
	 * @param uncovered records processed before the kill that neither covers: the most that may run again
	 */
	record Restart(long again, long belowCommitted, long coveredByMetadata, long uncovered) {
	}

	record Run(Verdict verdict, List<Restart> restarts, List<String> againThoughCovered,
			Map<TopicPartition, Long> committedAtEnd, Map<TopicPartition, Long> endOffsets) {
	}

	/**
	 * Runs the scenario: {@code kills} SIGKILLs of a consumer JVM, then one that runs to the end.
	 * @param setting an application argument for every consumer (the baseline: killed without a random delay), or
	 * {@code null}
	 */
	private Run run(long seed, int records, int kills, @Nullable String setting)
			throws Exception {
		Random random = new Random(seed);
		ChaosSupport cluster = new ChaosSupport(KafkaTestSupport.bootstrapServers());
		String topic = KafkaTestSupport.uniqueName("chaos-crash");
		String group = topic + "-group";
		cluster.createTopic(topic, PARTITIONS);

		// kill i once about (i + 1) / (kills + 1) of the records are processed, give or take a third of the spacing
		int spacing = records / (kills + 1);
		int[] killAt = new int[kills];
		for (int i = 0; i < kills; i++) {
			killAt[i] = (i + 1) * spacing + random.nextInt(2 * spacing / 3) - spacing / 3;
		}
		ProcessingLog log = new ProcessingLog();
		CompletableFuture<Map<String, Produced>> producing = CompletableFuture
			.supplyAsync(() -> produce(cluster, topic, records, log));
		List<Map<TopicPartition, OffsetAndMetadata>> committedAtKill = new ArrayList<>();
		List<String> killed = new ArrayList<>();
		for (int kill = 0; kill <= kills; kill++) {
			Path segment = log.newSegment(this.work, "consumer");
			List<String> args = new ArrayList<>(List.of("--chaos.fail-percent=" + FAIL_PERCENT, "--chaos.seed=" + seed,
					"--chaos.work-micros=2000", "--waterhealer.listener.max-in-flight=500",
					"--waterhealer.listener.max-span=20000"));
			if (setting != null) {
				args.add(setting);
			}
			Process consumer = cluster.startConsumer(topic, group, segment, this.work.resolve("consumer-" + kill + ".out"),
					args.toArray(String[]::new));
			this.consumers.add(consumer);
			if (kill == kills) {
				producing.get(10, TimeUnit.MINUTES);
				await().atMost(Duration.ofMinutes(ChaosSupport.SOAK ? 20 : 4))
					.pollInterval(Duration.ofMillis(500))
					.until(() -> cluster.allCommitted(group, topic, PARTITIONS));
				break;
			}
			int threshold = killAt[kill];
			Path output = this.work.resolve("consumer-" + kill + ".out");
			try {
				await().atMost(Duration.ofMinutes(ChaosSupport.SOAK ? 10 : 3))
					.pollInterval(Duration.ofMillis(20))
					.failFast("consumer " + kill + " exited", () -> !consumer.isAlive())
					.until(() -> log.distinctProcessed() >= threshold && Files.exists(segment)
							&& Files.size(segment) > 0);
			}
			catch (ConditionTimeoutException | TerminalFailureException ex) {
				throw new AssertionError("consumer " + kill + " did not reach " + threshold + " distinct records ("
						+ log.distinctProcessed() + "); its output ends: " + tail(output), ex);
			}
			if (setting == null) {
				// a random moment after the threshold: the kill must not line up with anything the consumer does
				Thread.sleep(random.nextInt(250));
				// and one while the commit carries completed offsets beyond its position, which is what this run
				// measures (on a loaded machine the consumer can be caught with nothing beyond its commit)
				awaitCompletedOffsetsInCommit(cluster, group, consumer);
			}
			assertThat(consumer.isAlive()).as("consumer %d alive when it is killed", kill).isTrue();
			ChaosSupport.kill(consumer);
			this.consumers.remove(consumer);
			// read right after the kill: a commit still in flight can only land later and cover more, never less
			Map<TopicPartition, OffsetAndMetadata> committed = cluster.committedWithMetadata(group);
			committedAtKill.add(committed);
			long committedRecords = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
			killed.add("kill " + (kill + 1) + " at " + log.distinctProcessed() + " distinct records, "
					+ committedRecords + " committed");
		}
		Verdict verdict = log.verify(producing.get());

		List<String> againThoughCovered = new ArrayList<>();
		List<Restart> restarts = new ArrayList<>();
		Set<String> before = new HashSet<>(verdict.segmentRecords().get(0));
		for (int segment = 1; segment < verdict.segmentRecords().size(); segment++) {
			Map<TopicPartition, OffsetAndMetadata> committed = committedAtKill.get(segment - 1);
			Map<TopicPartition, CompletedOffsets> completed = new HashMap<>();
			committed.forEach((partition, offset) -> completed.put(partition,
					CommitMetadataCodec.decode(offset.offset(), offset.metadata())));
			long below = 0;
			long covered = 0;
			for (String coordinates : before) {
				String[] fields = coordinates.split(" ");
				TopicPartition partition = new TopicPartition(fields[0], Integer.parseInt(fields[1]));
				long offset = Long.parseLong(fields[2]);
				OffsetAndMetadata commit = committed.get(partition);
				if (commit != null && offset < commit.offset()) {
					below++;
				}
				else if (completed.getOrDefault(partition, CompletedOffsets.none()).contains(offset)) {
					covered++;
				}
				else {
					continue;
				}
				if (verdict.segmentRecords().get(segment).contains(coordinates)) {
					againThoughCovered.add(coordinates + " after kill " + segment + " (committed " + commit + ")");
				}
			}
			long again = verdict.segmentRecords().get(segment).stream().filter(before::contains).count();
			restarts.add(new Restart(again, below, covered, before.size() - below - covered));
			before.addAll(verdict.segmentRecords().get(segment));
		}

		String figure = "consumer crash" + ((setting != null) ? " (" + setting + ")" : "") + ": seed " + seed + ", "
				+ records + " records, " + PARTITIONS + " partitions, " + KEYS + " keys, " + kills + " SIGKILLs ("
				+ String.join("; ", killed) + "): " + verdict.summary() + "; per restart " + restarts;
		System.out.println(figure);
		Files.writeString(Path.of("target", "chaos-consumer-crash" + ((setting != null) ? "-baseline" : "")
				+ (ChaosSupport.SOAK ? "-soak" : "") + ".txt"), figure + System.lineSeparator());
		return new Run(verdict, restarts, againThoughCovered, cluster.committed(group),
				cluster.endOffsets(topic, PARTITIONS));
	}

}
