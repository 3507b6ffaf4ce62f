package io.waterhealer.chaos;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.jayway.jsonpath.JsonPath;
import io.waterhealer.chaos.ProcessingLog.Produced;
import io.waterhealer.chaos.ProcessingLog.Verdict;
import io.waterhealer.codec.CommitMetadataCodec;
import io.waterhealer.codec.CompletedOffsets;
import io.waterhealer.health.BrokerProcess;
import io.waterhealer.kafka.KafkaTestSupport;
import io.waterhealer.metrics.WaterhealerMeter;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Commit metadata at its limit (issue 13, item 7.3): on one partition, offset 0 and every tenth offset after it fail
 * until a release file appears, so the committed position stays at 0 while tens of thousands of records complete
 * around the stuck ones. With the default 4096 characters of metadata the completed offsets beyond the position no
 * longer fit: commits must go on regardless (the metadata read back with the AdminClient grows, then the
 * {@code waterhealer.commit.metadata.truncated} counter keeps moving), the WARN must say how many offsets are
 * recorded, and after a SIGKILL, the release and a restart, exactly the completed records the committed metadata
 * does not cover (decoded with {@link CommitMetadataCodec#decode}) must be processed again, and no other.
 */
class MetadataLimitIntegrationTests {

	static final int RECORDS = ChaosSupport.SOAK ? 100_000 : 40_000;

	static final int RATE = ChaosSupport.SOAK ? 4_000 : 2_000;

	static final int STUCK_EVERY = 10;

	private static final Pattern WARNING = Pattern
		.compile("do not fit in (\\d+) characters of commit metadata; only the first (\\d+) offsets are recorded");

	@TempDir
	Path work;

	private Process consumer;

	@AfterEach
	void stopConsumer() throws InterruptedException {
		if (this.consumer != null) {
			ChaosSupport.kill(this.consumer);
		}
	}

	@Test
	void commitsGoOnPastTheMetadataLimitAndARestartRepeatsOnlyWhatItLeftOut() throws Exception {
		long started = System.nanoTime();
		ChaosSupport cluster = new ChaosSupport(KafkaTestSupport.bootstrapServers());
		String topic = KafkaTestSupport.uniqueName("chaos-metadata");
		String group = topic + "-group";
		TopicPartition partition = new TopicPartition(topic, 0);
		cluster.createTopic(topic, 1);
		Path release = this.work.resolve("release");
		ProcessingLog log = new ProcessingLog();
		int port = BrokerProcess.freePort();
		Path output = Path.of("target", "chaos-metadata-limit", "consumer-0.out");
		// the WARN is looked for in this run's output only
		Files.deleteIfExists(output);
		this.consumer = start(cluster, topic, group, log, release, output, port);
		await().atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofMillis(200))
			.ignoreExceptions()
			.until(() -> cluster.stableWith(group, 1));
		Map<String, Produced> produced = cluster.produceKeyed(topic, 0, RECORDS / 4, 100);
		// a quarter in: the completions still fit, the metadata records all of them
		await().atMost(Duration.ofMinutes(1))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> completedBeyond(cluster, group, partition) >= RECORDS / 4 * 8 / 10);
		OffsetAndMetadata early = cluster.committedWithMetadata(group).get(partition);
		// the rest arrives while the consumer works, so that it commits past the limit for a while
		CompletableFuture<Map<String, Produced>> rest = CompletableFuture.supplyAsync(() -> {
			try {
				return cluster.produceKeyed(topic, RECORDS / 4, RECORDS - RECORDS / 4, 100, RATE);
			}
			catch (Exception ex) {
				throw new IllegalStateException("producing to " + topic + " failed", ex);
			}
		});
		Matcher warning = WARNING.matcher("");
		await().atMost(Duration.ofMinutes(1))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> warning.reset(Files.readString(output)).find());
		long recorded = Long.parseLong(warning.group(2));
		double truncatedAtWarning = truncatedCommits(port);
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> truncatedCommits(port) > truncatedAtWarning);
		produced.putAll(rest.get(5, TimeUnit.MINUTES));
		int stuck = (RECORDS + STUCK_EVERY - 1) / STUCK_EVERY;
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> log.distinctProcessed() == RECORDS - stuck);
		// the last completions are committed: the truncated counter stops once nothing changes any more
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(new StopsMoving(port));
		double truncated = truncatedCommits(port);
		ChaosSupport.kill(this.consumer);
		OffsetAndMetadata committed = cluster.committedWithMetadata(group).get(partition);
		CompletedOffsets covered = CommitMetadataCodec.decode(committed.offset(), committed.metadata());

		Files.createFile(release);
		this.consumer = start(cluster, topic, group, log, release, Path.of("target", "chaos-metadata-limit", "consumer-1.out"), 0);
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> cluster.allCommitted(group, topic, 1));
		Verdict verdict = log.verify(produced);
		Set<String> first = verdict.segmentRecords().get(0);
		Set<String> again = new HashSet<>(verdict.segmentRecords().get(1));
		again.retainAll(first);
		Set<String> notCovered = new HashSet<>();
		long completedInRecordedWindow = 0;
		// in offset order, as the consumer asks: CompletedOffsets keeps a cursor and does not look behind its end
		List<String> inOrder = first.stream()
			.sorted(Comparator.comparingLong(MetadataLimitIntegrationTests::offsetOf))
			.toList();
		for (String coordinates : inOrder) {
			long offset = offsetOf(coordinates);
			if (!covered.contains(offset)) {
				notCovered.add(coordinates);
			}
			if (offset < committed.offset() + recorded) {
				completedInRecordedWindow++;
			}
		}

		String figure = "metadata limit: " + RECORDS + " records on one partition, every " + STUCK_EVERY + "th stuck "
				+ "(offset 0 first), " + first.size() + " completed beyond committed offset " + committed.offset()
				+ "; metadata " + committed.metadata().length() + " characters ("
				+ committed.metadata().substring(0, 5) + "), WARN: only the first " + recorded
				+ " offsets recorded, covering " + covered.count() + " completed records; " + (long) truncated
				+ " truncated commits; after SIGKILL and restart " + again.size() + " re-processed ("
				+ notCovered.size() + " completed but not covered); " + verdict.summary() + " (UNORDERED); "
				+ TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) + " s";
		System.out.println(figure);
		Files.writeString(Path.of("target", "chaos-metadata-limit" + (ChaosSupport.SOAK ? "-soak" : "") + ".txt"),
				figure + System.lineSeparator());
		assertThat(early.offset()).as("the stuck record holds the position").isZero();
		assertThat(CommitMetadataCodec.decode(early.offset(), early.metadata()).count())
			.as("completions recorded a quarter in, before the limit")
			.isGreaterThanOrEqualTo(RECORDS / 4 * 8 / 10);
		assertThat(committed.offset()).as("the stuck record still holds the position").isZero();
		assertThat(first).as("completions beyond the stuck record").hasSizeGreaterThan(10_000);
		assertThat(committed.metadata()).as("metadata at the limit").hasSizeLessThanOrEqualTo(4096);
		assertThat(recorded).as("offsets recorded").isLessThan(RECORDS);
		assertThat(covered.count())
			.as("the committed metadata holds every completion within the offsets the WARN says it records")
			.isEqualTo(completedInRecordedWindow);
		assertThat(covered.end()).isLessThanOrEqualTo(committed.offset() + recorded);
		assertThat(again).as("re-processed after the restart: exactly the completions the metadata left out")
			.isEqualTo(notCovered);
		assertThat(verdict.lost()).as("records never processed").isEmpty();
		assertThat(verdict.mismatches()).isEmpty();
		assertThat(cluster.committed(group)).isEqualTo(cluster.endOffsets(topic, 1));
	}

	private static long offsetOf(String coordinates) {
		return Long.parseLong(coordinates.substring(coordinates.lastIndexOf(' ') + 1));
	}

	private Process start(ChaosSupport cluster, String topic, String group, ProcessingLog log, Path release,
			Path output, int port) throws Exception {
		Path segment = log.newSegment(this.work, "consumer");
		List<String> args = new java.util.ArrayList<>(List.of("--chaos.stuck-every=" + STUCK_EVERY,
				"--chaos.release=" + release, "--waterhealer.listener.ordering=UNORDERED",
				"--waterhealer.listener.max-in-flight=" + (2 * RECORDS),
				"--waterhealer.listener.max-span=" + (2 * RECORDS), "--waterhealer.retry.initial-interval=1s",
				"--waterhealer.retry.max-interval=5s", "--logging.level.io.waterhealer.kafka.LedgerCommitter=WARN"));
		if (port > 0) {
			args.addAll(List.of("--server.port=" + port,
					"--management.endpoints.web.exposure.include=metrics"));
		}
		return cluster.startConsumer(topic, group, segment, output, args.toArray(String[]::new));
	}

	private static long completedBeyond(ChaosSupport cluster, String group, TopicPartition partition) throws Exception {
		OffsetAndMetadata offset = cluster.committedWithMetadata(group).get(partition);
		return (offset != null) ? CommitMetadataCodec.decode(offset.offset(), offset.metadata()).count() : 0;
	}

	/** The consumer's {@code waterhealer.commit.metadata.truncated} counter, read over HTTP from its actuator. */
	static double truncatedCommits(int port) throws Exception {
		String body = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/metrics/"
					+ WaterhealerMeter.METADATA_TRUNCATED.meterName()))
				.timeout(Duration.ofSeconds(5))
				.build(), HttpResponse.BodyHandlers.ofString())
			.body();
		Number value = JsonPath.read(body, "$.measurements[0].value");
		return value.doubleValue();
	}

	/** True once the truncated counter reads the same twice in a row. */
	private static final class StopsMoving implements java.util.concurrent.Callable<Boolean> {

		private final int port;

		private double last = -1;

		StopsMoving(int port) {
			this.port = port;
		}

		@Override
		public Boolean call() throws Exception {
			double now = truncatedCommits(this.port);
			boolean same = now == this.last;
			this.last = now;
			return same;
		}

	}

}
