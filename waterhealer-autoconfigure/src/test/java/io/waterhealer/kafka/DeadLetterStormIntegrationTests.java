package io.waterhealer.kafka;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import io.waterhealer.health.HealthVerdict;
import io.waterhealer.health.ListenerHealthMonitor;
import io.waterhealer.kafka.worker.DeadLetterPublisher;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.support.KafkaHeaders;

import static io.waterhealer.kafka.KafkaTestSupport.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The configuration mistake of issue 15 against a real broker: a method taking {@code Integer} while Boot's default
 * {@code StringDeserializer} gives {@code String}, so every one of 20,000 records is a
 * {@code PoisonPillException$WrongValueType}. Without the guard DEAD_LETTER empties the topic into its dead-letter
 * topic and commits past all of it; with it, exactly the threshold of records reach the policy, the rest stay
 * uncommitted, and health says why.
 */
@ExtendWith(OutputCaptureExtension.class)
class DeadLetterStormIntegrationTests {

	private static final int RECORDS = 20_000;

	private static final int THRESHOLD = 100;

	private static final String WRONG_VALUE_TYPE = "io.waterhealer.kafka.worker.PoisonPillException$WrongValueType";

	@Test
	void aTopicOfMistypedRecordsDeadLettersTheThresholdNotTheTopic() {
		String topic = produce("storm-dlt");
		String group = topic + "-group";
		long started = System.nanoTime();
		try (ConfigurableApplicationContext context = TestApplications.start(group, new IntListener(),
				"waterhealer.failure.policy=dead-letter", "storm.topic=" + topic,
				"waterhealer.failure.storm-threshold=" + THRESHOLD)) {
			String reason = awaitDown(context);
			long downAfterMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
			List<ConsumerRecord<byte[], byte[]>> dead = readDeadLetters(topic + "-dlt", THRESHOLD);
			assertThat(dead).hasSize(THRESHOLD);
			assertThat(reason).contains("dead-letter storm: the last " + THRESHOLD + " records failed with "
					+ WRONG_VALUE_TYPE + " and went to policy DEAD_LETTER")
				.contains("POST /actuator/waterhealer/storm")
				.contains("(listener 'storm')");
			// the poison pill wraps the conversion's failure, which is the root cause
			assertThat(header(dead.get(0), DeadLetterPublisher.ROOT_CAUSE_HEADER))
				.startsWith("java.lang.NumberFormatException: For input string: \"order-");
			Set<Long> offsets = new HashSet<>();
			dead.forEach((record) -> offsets
				.add(ByteBuffer.wrap(record.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_OFFSET).value()).getLong()));
			long firstNotDeadLettered = firstMissing(offsets);
			await().atMost(Duration.ofSeconds(10)).until(() -> committed(group, topic) == firstNotDeadLettered);
			System.out.println("storm DEAD_LETTER: " + dead.size() + " of " + RECORDS + " dead-lettered, committed "
					+ firstNotDeadLettered + ", DOWN after " + downAfterMillis + " ms: " + reason);
		}
	}

	@Test
	void aTopicOfMistypedRecordsSkipsTheThresholdNotTheTopic(CapturedOutput output) {
		String topic = produce("storm-skip");
		String group = topic + "-group";
		try (ConfigurableApplicationContext context = TestApplications.start(group, new IntListener(),
				"waterhealer.failure.policy=skip", "storm.topic=" + topic,
				"waterhealer.failure.storm-threshold=" + THRESHOLD)) {
			String reason = awaitDown(context);
			assertThat(reason).contains("the last " + THRESHOLD + " records failed with " + WRONG_VALUE_TYPE
					+ " and went to policy SKIP");
			Set<Long> skipped = new HashSet<>();
			await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10)).until(() -> {
				skipped.addAll(skippedOffsets(output.toString(), topic));
				return skipped.size() == THRESHOLD;
			});
			long firstNotSkipped = firstMissing(skipped);
			await().atMost(Duration.ofSeconds(10)).until(() -> committed(group, topic) == firstNotSkipped);
		}
	}

	@Test
	void offTheGuardLetsEveryRecordGoToThePolicy() {
		String topic = produce("storm-off");
		String group = topic + "-group";
		try (ConfigurableApplicationContext context = TestApplications.start(group, new IntListener(),
				"waterhealer.failure.policy=skip", "storm.topic=" + topic, "waterhealer.failure.storm-threshold=0",
				"logging.level.io.waterhealer.failures=off")) {
			await().atMost(Duration.ofSeconds(60)).until(() -> committed(group, topic) == RECORDS);
			ListenerHealthMonitor monitor = context.getBean(ListenerHealthMonitor.class);
			monitor.check();
			assertThat(monitor.verdict().up()).isTrue();
		}
	}

	private static String produce(String name) {
		String topic = KafkaTestSupport.uniqueName(name);
		KafkaTestSupport.createTopic(topic, 1);
		KafkaTestSupport.createTopic(topic + "-dlt", 1);
		try (KafkaProducer<String, String> producer = KafkaTestSupport.producer()) {
			for (int i = 0; i < RECORDS; i++) {
				// not a number: a numeric String would be converted to Integer, as for @KafkaListener
				producer.send(new ProducerRecord<>(topic, 0, "key-" + i, "order-" + i));
			}
			producer.flush();
		}
		return topic;
	}

	private static String awaitDown(ConfigurableApplicationContext context) {
		ListenerHealthMonitor monitor = context.getBean(ListenerHealthMonitor.class);
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			monitor.check();
			return !monitor.verdict().up();
		});
		HealthVerdict verdict = monitor.verdict();
		assertThat(verdict.listenerId()).isEqualTo("storm");
		return verdict.describe();
	}

	private static long committed(String group, String topic) {
		return KafkaTestSupport.committed(group, new TopicPartition(topic, 0));
	}

	private static long firstMissing(Set<Long> offsets) {
		long offset = 0;
		while (offsets.contains(offset)) {
			offset++;
		}
		return offset;
	}

	private static Set<Long> skippedOffsets(String output, String topic) {
		Set<Long> offsets = new HashSet<>();
		Matcher matcher = Pattern.compile("topic=" + Pattern.quote(topic) + " partition=0 offset=(\\d+) .*policy SKIP")
			.matcher(output);
		while (matcher.find()) {
			offsets.add(Long.parseLong(matcher.group(1)));
		}
		return offsets;
	}

	/**
	 * Every dead letter there is, read until none came for a second after the expected count (or the end was
	 * reached), so that one too many would be seen.
	 */
	private static List<ConsumerRecord<byte[], byte[]>> readDeadLetters(String topic, int expected) {
		List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
		try (KafkaConsumer<byte[], byte[]> consumer = KafkaTestSupport.rawConsumer(topic)) {
			await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(20)).until(() -> {
				consumer.poll(Duration.ofMillis(100)).forEach(found::add);
				return found.size() >= expected;
			});
		}
		return found;
	}

	/** Takes {@code Integer}, while the application left Boot's default {@code StringDeserializer} in place. */
	static class IntListener {

		@HealingListener(id = "storm", topics = "${storm.topic}", ordering = Ordering.UNORDERED)
		void process(Integer value) {
			throw new AssertionError("a String value was handed over as Integer: " + value);
		}

	}

}
