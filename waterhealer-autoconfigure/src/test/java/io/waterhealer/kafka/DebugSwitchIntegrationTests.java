package io.waterhealer.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.waterhealer.HealingListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * water-healer's {@code debug}: with the listener's switch on, every record's coordinates are logged as it is handed
 * out; with it off (the default), none are.
 */
@ExtendWith(OutputCaptureExtension.class)
class DebugSwitchIntegrationTests {

	@Test
	void theDebugSwitchLogsEveryRecordsCoordinates(CapturedOutput output) {
		String topic = KafkaTestSupport.uniqueName("debug");
		KafkaTestSupport.createTopic(topic, 1);
		KafkaTestSupport.sendValues(topic, 0, List.of("a", "b", "c"));
		Collector listener = new Collector();
		try (ConfigurableApplicationContext context = TestApplications.start(topic + "-group", listener,
				"debug.topic=" + topic, "waterhealer.listener.debug=true")) {
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.offsets.size() == 3);
		}
		assertThat(output).contains("@HealingListener 'debug' received " + topic + "-0@0")
			.contains(topic + "-0@1")
			.contains(topic + "-0@2");
	}

	@Test
	void withoutTheSwitchNothingIsLoggedPerRecord(CapturedOutput output) {
		String topic = KafkaTestSupport.uniqueName("quiet");
		KafkaTestSupport.createTopic(topic, 1);
		KafkaTestSupport.sendValues(topic, 0, List.of("a", "b", "c"));
		Collector listener = new Collector();
		try (ConfigurableApplicationContext context = TestApplications.start(topic + "-group", listener,
				"debug.topic=" + topic)) {
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.offsets.size() == 3);
		}
		assertThat(output).doesNotContain("received " + topic);
	}

	static class Collector {

		final Set<Long> offsets = ConcurrentHashMap.newKeySet();

		@HealingListener(id = "debug", topics = "${debug.topic}")
		void handle(ConsumerRecord<String, String> record) {
			this.offsets.add(record.offset());
		}

	}

}
