package io.waterhealer.kafka;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import io.waterhealer.codec.CommitMetadataCodec;
import io.waterhealer.codec.CompletedOffsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Commit metadata too short for what was completed: with {@code waterhealer.listener.metadata-max-bytes=64} and every
 * fourth record from offset 5 failing, the completed offsets beyond the committed position do not fit. The commit
 * keeps the first ones, counts the commit on {@code waterhealer.commit.metadata.truncated}, says in a WARN how many
 * completed records were left out, and a restart processes exactly those again. (The 4096-character default at scale
 * is {@code chaos/MetadataLimitIntegrationTests}'s, in a separate JVM; this one is small and in-JVM.)
 */
@ExtendWith(OutputCaptureExtension.class)
class MetadataTruncationIntegrationTests {

	static final int RECORDS = 800;

	static final long FIRST_FAILING = 5;

	private static final Pattern TRUNCATION = Pattern.compile("the offsets completed beyond (\\S+)@(\\d+) do not fit "
			+ "in 64 characters of commit metadata; only the first (\\d+) offsets are recorded, of (\\d+) up to the "
			+ "newest record: (\\d+) of the (\\d+) completed records beyond the committed offset are left out");

	static boolean failing(long offset) {
		return offset >= FIRST_FAILING && (offset - FIRST_FAILING) % 4 == 0;
	}

	@Test
	void truncatedMetadataIsCountedAndReportedAndARestartProcessesWhatItLeftOut(CapturedOutput output)
			throws Exception {
		String topic = KafkaTestSupport.uniqueName("truncated");
		String group = topic + "-group";
		KafkaTestSupport.createTopic(topic, 1);
		KafkaTestSupport.sendValues(topic, 0, IntStream.range(0, RECORDS).mapToObj(String::valueOf).toList());
		TopicPartition partition = new TopicPartition(topic, 0);
		long completedBeyond = LongStream.range(FIRST_FAILING, RECORDS).filter((o) -> !failing(o)).count();

		FailingListener first = new FailingListener(true);
		// the first commit with something to say comes 5 s in, once every record that can complete has: the WARN
		// (once per assignment) then describes the final state, which the commit on shutdown repeats
		try (ConfigurableApplicationContext context = TestApplications.start(group, first, "truncated.topic=" + topic,
				"waterhealer.listener.metadata-max-bytes=64", "waterhealer.listener.commit-interval=5s")) {
			await().atMost(Duration.ofSeconds(60)).until(() -> first.completed.size() == FIRST_FAILING + completedBeyond);
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			await().atMost(Duration.ofSeconds(30))
				.alias("waterhealer.commit.metadata.truncated of " + topic + " registered")
				.until(() -> meters.find("waterhealer.commit.metadata.truncated").tag("topic", topic).counter() != null);
			Counter truncated = meters.get("waterhealer.commit.metadata.truncated").tag("topic", topic).counter();
			assertThat(truncated.count()).as("truncated commits while running: the first and only one").isEqualTo(1);
		}
		OffsetAndMetadata stopped = KafkaTestSupport.committedWithMetadata(group, partition);
		assertThat(stopped.offset()).isEqualTo(FIRST_FAILING);
		assertThat(stopped.metadata().length()).isLessThanOrEqualTo(64);
		CompletedOffsets covered = CommitMetadataCodec.decode(stopped.offset(), stopped.metadata());
		assertThat(covered.count()).as("completed offsets the metadata kept").isPositive().isLessThan(completedBeyond);


		Matcher warn = TRUNCATION.matcher(output.getOut() + output.getErr());
		assertThat(warn.find()).as("the truncation WARN in %s", output).isTrue();
		assertThat(warn.group(1)).isEqualTo(partition.toString());
		assertThat(Long.parseLong(warn.group(2))).isEqualTo(FIRST_FAILING);
		assertThat(Long.parseLong(warn.group(4))).as("offsets up to the newest record").isEqualTo(RECORDS - FIRST_FAILING);
		assertThat(Long.parseLong(warn.group(6))).as("completed beyond the committed offset").isEqualTo(completedBeyond);
		long leftOut = Long.parseLong(warn.group(5));
		assertThat(leftOut).as("left out, by the WARN").isEqualTo(completedBeyond - covered.count());
		assertThat(warn.find()).as("the WARN is reported once per assignment").isFalse();

		FailingListener second = new FailingListener(false);
		try (ConfigurableApplicationContext context = TestApplications.start(group, second, "truncated.topic=" + topic,
				"waterhealer.listener.metadata-max-bytes=64")) {
			await().atMost(Duration.ofSeconds(60))
				.until(() -> KafkaTestSupport.committed(group, partition) == (long) RECORDS);
		}
		long again = second.completed.stream().filter((o) -> o >= FIRST_FAILING && !failing(o)).count();
		assertThat(second.completed.stream().filter(covered::contains)).as("records the metadata covered").isEmpty();
		assertThat(again).as("completed records processed again after the restart: those the metadata left out")
			.isEqualTo(leftOut);
	}

	/** Fails every fourth record from offset 5 while {@code failing} (HALT keeps retrying them). */
	static class FailingListener {

		final Set<Long> completed = ConcurrentHashMap.newKeySet();

		private final boolean failing;

		FailingListener(boolean failing) {
			this.failing = failing;
		}

		@HealingListener(id = "truncated", topics = "${truncated.topic}", parallelism = "8",
				ordering = Ordering.UNORDERED)
		void process(ConsumerRecord<String, String> record) {
			if (this.failing && failing(record.offset())) {
				throw new IllegalStateException("offset " + record.offset() + " keeps failing");
			}
			this.completed.add(record.offset());
		}

	}

}
