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
import io.waterhealer.health.BrokerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.waterhealer.health.WaterhealerHealthOverHttp.reason;
import static io.waterhealer.health.WaterhealerHealthOverHttp.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Broker crash (issue 9, case 2): the only broker runs in its own process and is killed with SIGKILL while a consumer
 * JVM processes keyed records and a producer keeps sending; it is started again on the same port and log directory.
 * The consumer's {@code waterhealer} health, read over HTTP as Kubernetes would, must go DOWN during the outage and
 * UP after it, without the process exiting ({@code waterhealer.shutdown.delay} is longer than the outage); every
 * record must be processed at least once, in key order, and committed.
 */
class BrokerCrashIntegrationTests {

	static final int RECORDS = ChaosSupport.SOAK ? 30_000 : 3_000;

	static final int PARTITIONS = 3;

	static final int RATE = ChaosSupport.SOAK ? 500 : 250;

	@TempDir
	Path work;

	@Test
	void theConsumerRecoversFromABrokerKilledMidStreamAndLosesNothing() throws Exception {
		try (BrokerProcess broker = new BrokerProcess(this.work.resolve("broker"))) {
			broker.start();
			ChaosSupport cluster = new ChaosSupport(broker.bootstrapServers());
			String topic = "chaos-broker";
			String group = topic + "-group";
			cluster.createTopic(topic, PARTITIONS);
			CompletableFuture<Map<String, Produced>> producing = CompletableFuture.supplyAsync(() -> {
				try {
					return cluster.produceKeyed(topic, 0, RECORDS, 60, RATE);
				}
				catch (Exception ex) {
					throw new IllegalStateException("producing to " + topic + " failed", ex);
				}
			});
			ProcessingLog log = new ProcessingLog();
			int port = BrokerProcess.freePort();
			Path segment = log.newSegment(this.work, "consumer");
			Process consumer = cluster.startConsumer(topic, group, segment, this.work.resolve("consumer.out"),
					"--server.port=" + port, "--management.endpoints.web.exposure.include=health",
					"--management.endpoint.health.show-details=always", "--chaos.work-micros=2000",
					"--waterhealer.shutdown.enabled=true", "--waterhealer.shutdown.interval=500ms",
					"--waterhealer.shutdown.broker-timeout=3s", "--waterhealer.shutdown.delay=10m");
			List<String> statuses = new ArrayList<>();
			try {
				await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> "UP".equals(status(port)));
				await().atMost(Duration.ofMinutes(2))
					.pollInterval(Duration.ofMillis(50))
					.until(() -> log.distinctProcessed() >= RECORDS / 3);
				int atKill = log.distinctProcessed();
				broker.kill();
				long killed = System.nanoTime();
				await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> "DOWN".equals(status(port)));
				statuses.add("DOWN after " + millisSince(killed) + " ms (" + reason(port) + ")");
				broker.start();
				long restarted = System.nanoTime();
				await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> "UP".equals(status(port)));
				statuses.add("UP " + millisSince(restarted) + " ms after the broker was back");
				Map<String, Produced> produced = producing.get(5, TimeUnit.MINUTES);
				await().atMost(Duration.ofMinutes(3))
					.pollInterval(Duration.ofMillis(500))
					.until(() -> cluster.allCommitted(group, topic, PARTITIONS));
				assertThat(consumer.isAlive()).as("the consumer rode out the outage without exiting").isTrue();
				Verdict verdict = log.verify(produced);
				String figure = "broker crash: " + RECORDS + " records, broker SIGKILLed at " + atKill
						+ " distinct records processed and restarted; health " + String.join(", then ", statuses)
						+ "; " + verdict.summary();
				System.out.println(figure);
				Files.writeString(Path.of("target", "chaos-broker-crash" + (ChaosSupport.SOAK ? "-soak" : "") + ".txt"),
						figure + System.lineSeparator());
				assertThat(verdict.lost()).as("records never processed").isEmpty();
				assertThat(verdict.mismatches()).isEmpty();
				assertThat(verdict.orderViolations()).as("per-key order").isEmpty();
				assertThat(cluster.committed(group)).isEqualTo(cluster.endOffsets(topic, PARTITIONS));
			}
			finally {
				ChaosSupport.kill(consumer);
			}
		}
	}

	private static long millisSince(long nanos) {
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
	}




}
