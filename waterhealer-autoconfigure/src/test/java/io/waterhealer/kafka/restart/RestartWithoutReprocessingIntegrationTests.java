package io.waterhealer.kafka.restart;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.waterhealer.codec.CommitMetadataCodec;
import io.waterhealer.kafka.KafkaTestSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The restart case: offset 5 keeps failing while offsets 6..10,000 complete; the consumer's JVM is killed with
 * SIGKILL and started again. Thanks to the commit metadata, at most 100 of those 9,995 completed records may be
 * processed again. The same run with metadata switched off shows what water-healer and spring-kafka do: all 9,995.
 */
class RestartWithoutReprocessingIntegrationTests {

	static final int RECORDS = 10_001;

	static final long STUCK = 5;

	@TempDir
	Path work;

	@Test
	void aRestartSkipsTheRecordsCompletedBeyondTheStuckOffset() throws Exception {
		long reprocessed = run("with-metadata", 4096);
		long baseline = run("without-metadata", 0);
		String figure = "restart after SIGKILL: re-processed " + reprocessed + " of 9995 completed records with commit "
				+ "metadata, " + baseline + " without";
		System.out.println(figure);
		Files.writeString(Path.of("target", "restart-reprocessing.txt"), figure + System.lineSeparator());
		assertThat(baseline).isEqualTo(9_995);
		assertThat(reprocessed).isLessThanOrEqualTo(100);
	}

	private long run(String name, int metadataMaxBytes) throws Exception {
		String topic = KafkaTestSupport.uniqueName("restart-" + name);
		String group = topic + "-group";
		KafkaTestSupport.createTopic(topic, 1);
		try (KafkaProducer<String, String> producer = KafkaTestSupport.producer()) {
			for (int i = 0; i < RECORDS; i++) {
				producer.send(new ProducerRecord<>(topic, 0, null, "record-" + i));
			}
			producer.flush();
		}
		TopicPartition partition = new TopicPartition(topic, 0);
		Path firstLog = this.work.resolve(name + "-first.log");
		Path secondLog = this.work.resolve(name + "-second.log");

		Process first = startConsumer(topic, group, firstLog, STUCK, metadataMaxBytes);
		try {
			await().atMost(Duration.ofSeconds(90)).until(() -> distinctOffsets(firstLog).size() == RECORDS - 1);
			await().atMost(Duration.ofSeconds(30)).until(() -> committedCompleted(group, partition,
					metadataMaxBytes) >= ((metadataMaxBytes > 0) ? RECORDS - 1 - STUCK : 0));
		}
		finally {
			first.destroyForcibly();
			assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
		}
		assertThat(KafkaTestSupport.committed(group, partition)).isEqualTo(STUCK);

		Process second = startConsumer(topic, group, secondLog, -1, metadataMaxBytes);
		try {
			await().atMost(Duration.ofSeconds(90))
				.until(() -> KafkaTestSupport.committed(group, partition) == (long) RECORDS);
		}
		finally {
			second.destroy();
			second.waitFor(30, TimeUnit.SECONDS);
		}
		List<Long> again = distinctOffsets(secondLog);
		assertThat(again).contains(STUCK);
		return again.stream().filter((offset) -> offset > STUCK).count();
	}

	/** Offsets the broker's commit metadata says are complete beyond the committed position. */
	private static long committedCompleted(String group, TopicPartition partition, int metadataMaxBytes)
			throws Exception {
		if (metadataMaxBytes == 0) {
			return KafkaTestSupport.committed(group, partition) == STUCK ? 0 : -1;
		}
		try (Admin admin = KafkaTestSupport.admin()) {
			OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group)
				.partitionsToOffsetAndMetadata()
				.get()
				.get(partition);
			if (committed == null || committed.offset() != STUCK) {
				return -1;
			}
			return CommitMetadataCodec.decode(committed.offset(), committed.metadata()).count();
		}
	}

	private Process startConsumer(String topic, String group, Path log, long failOffset, int metadataMaxBytes)
			throws IOException {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
				RestartConsumerApplication.class.getName(),
				"--spring.kafka.bootstrap-servers=" + KafkaTestSupport.bootstrapServers(),
				"--spring.kafka.consumer.group-id=" + group, "--spring.kafka.consumer.auto-offset-reset=earliest",
				"--spring.main.banner-mode=off", "--logging.level.root=WARN",
				"--logging.level.io.waterhealer.failures=OFF", "--restart.topic=" + topic,
				"--restart.output=" + log, "--restart.fail-offset=" + failOffset,
				"--waterhealer.listener.commit-interval=200ms", "--waterhealer.retry.initial-interval=50ms",
				"--waterhealer.retry.max-interval=200ms",
				"--waterhealer.listener.metadata-max-bytes=" + metadataMaxBytes));
		File output = this.work.resolve(log.getFileName() + ".out").toFile();
		return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output).start();
	}

	private static List<Long> distinctOffsets(Path log) throws IOException {
		if (!Files.exists(log)) {
			return List.of();
		}
		return Files.readAllLines(log).stream().filter((line) -> !line.isBlank()).map(Long::valueOf).distinct().toList();
	}

}
