package io.waterhealer.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.waterhealer.HealingListener;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A new group (or one whose committed offsets expired) must not skip the records already in the topic without a
 * word: Kafka's own default {@code auto.offset.reset=latest} does exactly that, so waterhealer's listeners start at
 * the earliest record unless the application chose otherwise, and the start-up log says which reset applies.
 */
@ExtendWith(OutputCaptureExtension.class)
class OffsetResetIntegrationTests {

	@Test
	void aNewGroupProcessesTheRecordsProducedBeforeItStarted(CapturedOutput output) {
		String topic = KafkaTestSupport.uniqueName("reset-default");
		String group = KafkaTestSupport.uniqueName("reset-default-group");
		KafkaTestSupport.createTopic(topic, 1);
		KafkaTestSupport.sendValues(topic, 0, values(0, 10));
		Recorder recorder = new Recorder();
		try (ConfigurableApplicationContext context = TestApplications.startWithoutOffsetReset(group, recorder,
				"reset.topic=" + topic)) {
			await().atMost(Duration.ofSeconds(30)).until(() -> recorder.seen.size() == 10);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> KafkaTestSupport.committed(group, new TopicPartition(topic, 0)) == 10L);
		}
		assertThat(recorder.seen).containsExactlyInAnyOrderElementsOf(values(0, 10));
		assertThat(output).contains("@HealingListener 'resetRecorder' starts a partition without a committed offset "
				+ "at its earliest record (auto.offset.reset=earliest, waterhealer's default");
	}

	@Test
	void anExplicitLatestIsTheApplicationsChoice(CapturedOutput output) {
		String topic = KafkaTestSupport.uniqueName("reset-latest");
		String group = KafkaTestSupport.uniqueName("reset-latest-group");
		KafkaTestSupport.createTopic(topic, 1);
		KafkaTestSupport.sendValues(topic, 0, values(0, 10));
		Recorder recorder = new Recorder();
		try (ConfigurableApplicationContext context = TestApplications.startWithoutOffsetReset(group, recorder,
				"reset.topic=" + topic, "spring.kafka.consumer.auto-offset-reset=latest")) {
			ListenerView runtime = context.getBean(HealingListenerRegistrar.class).runtimes().get("resetRecorder");
			await().atMost(Duration.ofSeconds(30)).until(() -> !runtime.partitions().isEmpty());
			// the reset to the end happens at some fetch after the assignment: send markers until one arrives
			AtomicInteger markers = new AtomicInteger();
			await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
				KafkaTestSupport.sendValues(topic, 0, List.of("marker-" + markers.incrementAndGet()));
				return recorder.seen.stream().anyMatch((value) -> value.startsWith("marker-"));
			});
		}
		assertThat(recorder.seen).isNotEmpty().allMatch((value) -> value.startsWith("marker-"));
		assertThat(output).contains("@HealingListener 'resetRecorder' starts a partition without a committed offset "
				+ "at auto.offset.reset=latest (set by the application)");
	}

	private static List<String> values(int from, int to) {
		return IntStream.range(from, to).mapToObj(Integer::toString).toList();
	}

	static class Recorder {

		final Set<String> seen = ConcurrentHashMap.newKeySet();

		@HealingListener(id = "resetRecorder", topics = "${reset.topic}")
		void record(String value) {
			this.seen.add(value);
		}

	}

}
