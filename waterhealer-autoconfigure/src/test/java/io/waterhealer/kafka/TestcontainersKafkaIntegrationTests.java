package io.waterhealer.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.waterhealer.HealingListener;
import io.waterhealer.Requirement;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.testcontainers.kafka.KafkaContainer;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

import static org.awaitility.Awaitility.await;

/**
 * The problem statement against a broker in a container (apache/kafka), for machines with Docker. Skipped with a
 * message where no Docker engine is available (a failure only with {@code -Dwaterhealer.require=docker}, which CI
 * never sets: its machines have no Docker); the embedded-broker tests cover the same behaviour everywhere. The test
 * starts its container itself, after that check, so that the skip is the test's and shows with its reason in the
 * reports (a class-level one would count as no test at all).
 */
class TestcontainersKafkaIntegrationTests {

	@Test
	void committedOffsetStopsAtTheFirstFailure() throws Exception {
		Requirement.DOCKER.assume(Requirement.dockerAvailable(), "the broker-in-a-container test");
		try (KafkaContainer kafka = new KafkaContainer("apache/kafka-native:4.1.1")) {
			kafka.start();
			committedOffsetStopsAtTheFirstFailure(kafka);
		}
	}

	private void committedOffsetStopsAtTheFirstFailure(KafkaContainer kafka) throws Exception {
		String topic = KafkaTestSupport.uniqueName("tc");
		String group = KafkaTestSupport.uniqueName("tc-group");
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers()))) {
			admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
			Properties producerConfig = new Properties();
			producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers());
			producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
			producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
			try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig)) {
				for (int value = 1; value <= 6; value++) {
					producer.send(new ProducerRecord<>(topic, 0, null, Integer.toString(value)));
				}
			}
			FailsAboveThree listener = new FailsAboveThree();
			try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
				.web(WebApplicationType.NONE)
				.initializers((ctx) -> ((GenericApplicationContext) ctx).registerBean("listener", FailsAboveThree.class,
						() -> listener))
				.properties("spring.kafka.bootstrap-servers=" + kafka.getBootstrapServers(),
						"spring.kafka.consumer.group-id=" + group, "spring.kafka.consumer.auto-offset-reset=earliest",
						"tc.topic=" + topic, "waterhealer.listener.commit-interval=100ms",
						"waterhealer.listener.drain-timeout=100ms")
				.run()) {
				await().atMost(Duration.ofSeconds(60)).until(() -> listener.done.size() == 3);
				// the commit may first be an earlier position: wait for the one that stops at the failure, then
				// check it stays there
				TopicPartition partition = new TopicPartition(topic, 0);
				await().atMost(Duration.ofSeconds(30)).until(() -> committedOffset(admin, group, partition) == 3L);
				await().during(Duration.ofSeconds(1))
					.atMost(Duration.ofSeconds(5))
					.until(() -> committedOffset(admin, group, partition) == 3L);
			}
		}
	}

	private static long committedOffset(Admin admin, String group, TopicPartition partition) throws Exception {
		OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(partition);
		return (offset != null) ? offset.offset() : -1;
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

	}

	static class FailsAboveThree {

		final Set<Long> done = ConcurrentHashMap.newKeySet();

		@HealingListener(id = "tc", topics = "${tc.topic}")
		void process(ConsumerRecord<String, String> record) {
			if (Integer.parseInt(record.value()) > 3) {
				throw new IllegalStateException("above three");
			}
			this.done.add(record.offset());
		}

	}

}
