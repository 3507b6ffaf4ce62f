package io.waterhealer.kafka;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import io.waterhealer.health.BrokerProcess;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A broker whose {@code offset.metadata.max.bytes} (64 here) is below the listener's
 * {@code waterhealer.listener.metadata-max-bytes} (the default 4096) refuses a commit whose metadata is longer with
 * {@code OffsetMetadataTooLarge}. The listener must say so once and commit without metadata from then on: its
 * committed offset keeps moving while completions beyond it would still need long metadata.
 */
@ExtendWith(OutputCaptureExtension.class)
class BrokerRefusesMetadataIntegrationTests {

	static final int RECORDS = 1_000;

	/**
	 * From here every other record fails until released, so the completions beyond it need long metadata: 800
	 * offsets, more than 64 characters even as a bitmap.
	 */
	static final long TAIL = 200;

	@TempDir
	Path work;

	@Test
	void commitsGoOnWithoutMetadataOnceTheBrokerRefusesItAsTooLarge(CapturedOutput output) throws Exception {
		try (BrokerProcess broker = BrokerProcess.withBrokerProperties(this.work.resolve("broker"),
				Map.of("offset.metadata.max.bytes", "64"))) {
			broker.start();
			String topic = KafkaTestSupport.uniqueName("refused");
			String group = topic + "-group";
			TopicPartition partition = new TopicPartition(topic, 0);
			try (Admin admin = Admin.create(broker.clientProperties())) {
				admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
				produce(broker, topic);
				GatedListener listener = new GatedListener();
				try (ConfigurableApplicationContext context = start(broker, group, topic, listener)) {
					long others = LongStream.range(1, RECORDS).filter((o) -> !listener.gated(o)).count();
					await().atMost(Duration.ofSeconds(60))
						.failFast("the listener reads the broker " + broker.bootstrapServers() + ", not "
								+ context.getEnvironment().getProperty("spring.kafka.bootstrap-servers"),
								() -> !broker.bootstrapServers()
									.equals(context.getEnvironment().getProperty("spring.kafka.bootstrap-servers")))
						.until(() -> listener.completed.size() == others);
					await().atMost(Duration.ofSeconds(30))
						.until(() -> output.toString().contains("the broker refused commit metadata"));

					// offset 0 completes: the position moves to TAIL, with 100 alternating runs beyond it
					listener.headFailing = false;
					await().atMost(Duration.ofSeconds(30))
						.pollInterval(Duration.ofMillis(200))
						.failFast("a commit said the metadata is still too large",
								() -> countOf(output.toString(), "could not commit") > 20)
						.until(() -> committed(admin, group, partition) == TAIL);

					listener.tailFailing = false;
					await().atMost(Duration.ofSeconds(30))
						.pollInterval(Duration.ofMillis(200))
						.until(() -> committed(admin, group, partition) == RECORDS);
				}
			}
			assertThat(countOf(output.toString(), "the broker refused commit metadata"))
				.as("the refusal WARN, once").isEqualTo(1);
		}
	}

	/** As {@link TestApplications}, against this broker rather than the embedded one. */
	private static ConfigurableApplicationContext start(BrokerProcess broker, String group, String topic,
			GatedListener listener) {
		return new SpringApplicationBuilder(TestApplications.App.class).web(WebApplicationType.NONE)
			.initializers((context) -> ((GenericApplicationContext) context).registerBean("listener",
					GatedListener.class, () -> listener))
			.properties("spring.kafka.consumer.group-id=" + group, "spring.kafka.consumer.auto-offset-reset=earliest",
					"spring.main.banner-mode=off", "waterhealer.listener.commit-interval=100ms",
					"waterhealer.listener.drain-timeout=100ms", "waterhealer.retry.initial-interval=50ms",
					"waterhealer.retry.max-interval=200ms", "waterhealer.shutdown.enabled=false",
					"refused.topic=" + topic)
			// an argument, as the embedded broker's system property would win over a default property
			.run("--spring.kafka.bootstrap-servers=" + broker.bootstrapServers());
	}

	private static void produce(BrokerProcess broker, String topic) throws Exception {
		Map<String, Object> config = new HashMap<>(broker.clientProperties());
		config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
		config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
		try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
			for (int i = 0; i < RECORDS; i++) {
				producer.send(new ProducerRecord<>(topic, 0, null, String.valueOf(i)));
			}
			producer.flush();
		}
	}

	private static long committed(Admin admin, String group, TopicPartition partition) throws Exception {
		OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group)
			.partitionsToOffsetAndMetadata()
			.get(10, TimeUnit.SECONDS)
			.get(partition);
		return (committed != null) ? committed.offset() : -1;
	}

	private static int countOf(String text, String part) {
		int count = 0;
		for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
			count++;
		}
		return count;
	}

	/**
	 * Fails offset 0 while {@code headFailing}, and every other offset from {@link #TAIL} while {@code tailFailing}
	 * (HALT retries them without holding a worker).
	 */
	static class GatedListener {

		final Set<Long> completed = ConcurrentHashMap.newKeySet();

		volatile boolean headFailing = true;

		volatile boolean tailFailing = true;

		boolean gated(long offset) {
			return offset == 0 || (offset >= TAIL && (offset - TAIL) % 2 == 0);
		}

		@HealingListener(id = "refused", topics = "${refused.topic}", parallelism = "8", ordering = Ordering.UNORDERED)
		void process(ConsumerRecord<String, String> record) {
			long offset = record.offset();
			if ((offset == 0 && this.headFailing) || (offset != 0 && gated(offset) && this.tailFailing)) {
				throw new IllegalStateException("offset " + offset + " is held back");
			}
			if (!gated(offset)) {
				this.completed.add(offset);
			}
		}

	}

}
