package io.waterhealer.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.waterhealer.FailurePolicy;
import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import io.waterhealer.Stages;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.kafka.annotation.KafkaListenerConfigurer;
import org.springframework.kafka.config.KafkaListenerEndpointRegistrar;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.kafka.support.converter.StringJacksonJsonMessageConverter;
import org.springframework.messaging.Message;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.messaging.handler.annotation.Payload;
import org.springframework.messaging.handler.invocation.HandlerMethodArgumentResolver;

import static io.waterhealer.kafka.KafkaTestSupport.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A {@code @HealingListener} method is bound as a {@code @KafkaListener} method is (issue 15, item 1): the
 * spring-messaging annotations and types, Boot's {@code RecordMessageConverter} bean, Boot's validator and an
 * {@code Acknowledgment}, against the broker with a real Boot application.
 */
@ExtendWith(OutputCaptureExtension.class)
class ListenerBindingIntegrationTests {

	@Test
	void headersPayloadMessageAndTheRecordArriveAsWithKafkaListener() throws Exception {
		String topic = KafkaTestSupport.uniqueName("binding-headers");
		KafkaTestSupport.createTopic(topic, 1);
		HeaderListener listener = new HeaderListener();
		try (ConfigurableApplicationContext context = TestApplications.start(topic + "-group", listener,
				"binding.topic=" + topic)) {
			try (KafkaProducer<String, String> producer = KafkaTestSupport.producer()) {
				ProducerRecord<String, String> record = new ProducerRecord<>(topic, 0, 1234L, "k1", "v1");
				record.headers().add(new RecordHeader("x-tenant", "acme".getBytes(StandardCharsets.UTF_8)));
				producer.send(record).get(30, TimeUnit.SECONDS);
				producer.send(new ProducerRecord<>(topic, 0, "k2", null)).get(30, TimeUnit.SECONDS);
			}
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.seen.size() == 2 && listener.messages.size() == 1
					&& listener.tombstones.size() == 2);
			Map<String, Object> first = listener.seen.get(0);
			assertThat(first).containsEntry("payload", "v1")
				.containsEntry("key", "k1")
				.containsEntry("topic", topic)
				.containsEntry("partition", 0)
				.containsEntry("offset", 0L)
				.containsEntry("timestamp", 1234L)
				.containsEntry("group", topic + "-group")
				.containsEntry("tenant", "acme")
				.containsEntry("recordOffset", 0L)
				.containsEntry("kafkaHeader", "acme")
				.containsEntry("stages", true);
			@SuppressWarnings("unchecked")
			Map<String, Object> headers = (Map<String, Object>) first.get("headers");
			assertThat(headers).containsEntry(KafkaHeaders.RECEIVED_KEY, "k1")
				.containsEntry(KafkaHeaders.RECEIVED_TOPIC, topic)
				.containsKey("x-tenant");
			assertThat(listener.seen.get(1)).containsEntry("payload", "<tombstone>").containsEntry("key", "k2");
			assertThat(listener.messages.get(0).getPayload()).isEqualTo("v1");
			assertThat(listener.messages.get(0).getHeaders()).containsEntry(KafkaHeaders.OFFSET, 0L);
			assertThat(listener.tombstones).containsExactly("v1", "<null>");
			await().atMost(Duration.ofSeconds(30)).until(() -> committed(topic + "-group", topic) == 2L);
		}
	}

	@Test
	void aJsonConverterBeanConvertsValidatesAndPoisonPillsGoToTheDeadLetterTopic(CapturedOutput output)
			throws Exception {
		String topic = KafkaTestSupport.uniqueName("binding-json");
		KafkaTestSupport.createTopic(topic, 1);
		KafkaTestSupport.createTopic(topic + "-dlt", 1);
		OrderListener listener = new OrderListener();
		try (ConfigurableApplicationContext context = TestApplications.start(topic + "-group", listener,
				JsonConfiguration.class, "binding.topic=" + topic, "waterhealer.failure.policy=dead-letter",
				"waterhealer.retry.max-attempts=5", "logging.level.io.waterhealer.failures=WARN")) {
			try (KafkaProducer<String, String> producer = KafkaTestSupport.producer()) {
				int key = 0;
				for (String json : List.of("{\"id\":\"o1\",\"quantity\":2}", "{not json",
						"{\"id\":\"\",\"quantity\":0}", "{\"id\":\"o4\",\"quantity\":4}")) {
					producer.send(new ProducerRecord<>(topic, 0, "key-" + key++, json)).get(30, TimeUnit.SECONDS);
				}
			}
			await().atMost(Duration.ofSeconds(30)).until(() -> committed(topic + "-group", topic) == 4L);
			assertThat(listener.orders).containsExactly(new Order("o1", 2), new Order("o4", 4));
			assertThat(listener.keys).containsExactly("key-0", "key-3");
			List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestSupport.readRaw(topic + "-dlt", 2,
					Duration.ofSeconds(30));
			assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
			assertThat(header(dead.get(0), KafkaHeaders.DLT_EXCEPTION_MESSAGE)).contains("cannot convert")
				.contains("parameter 'order' of OrderListener.on()");
			assertThat(new String(dead.get(1).value(), StandardCharsets.UTF_8))
				.isEqualTo("{\"id\":\"\",\"quantity\":0}");
			assertThat(header(dead.get(1), KafkaHeaders.DLT_EXCEPTION_MESSAGE)).contains("invalid payload")
				.contains("quantity must be greater than 0 (was 0)")
				.contains("id must not be blank");
		}
		assertThat(output).contains("cannot be processed (poison pill)").contains("quantity must be greater than 0")
			.doesNotContain("retrying in");
	}

	@Test
	void anAcknowledgmentCompletesTheRecordFromAnyThreadAndANackRetriesIt() throws Exception {
		String topic = KafkaTestSupport.uniqueName("binding-ack");
		KafkaTestSupport.createTopic(topic, 1);
		AckListener listener = new AckListener();
		try (ConfigurableApplicationContext context = TestApplications.start(topic + "-group", listener,
				"binding.topic=" + topic)) {
			KafkaTestSupport.sendValues(topic, 0, List.of("a", "nack", "c"));
			await().atMost(Duration.ofSeconds(30)).until(() -> committed(topic + "-group", topic) == 3L);
			assertThat(listener.attempts).containsEntry("a", 1).containsEntry("nack", 2).containsEntry("c", 1);
			// nack(1500 ms) waits that long, not the listener's 50 ms back-off
			assertThat(listener.nackGapNanos.get()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(1500));
		}
	}

	@Test
	void theRegistrarsCustomArgumentResolversApplyAsForKafkaListener() throws Exception {
		String topic = KafkaTestSupport.uniqueName("binding-resolver");
		KafkaTestSupport.createTopic(topic, 1);
		TenantListener listener = new TenantListener();
		try (ConfigurableApplicationContext context = TestApplications.start(topic + "-group", listener,
				ResolverConfiguration.class, "binding.topic=" + topic)) {
			try (KafkaProducer<String, String> producer = KafkaTestSupport.producer()) {
				ProducerRecord<String, String> record = new ProducerRecord<>(topic, 0, "k", "v");
				record.headers().add(new RecordHeader("x-tenant", "acme".getBytes(StandardCharsets.UTF_8)));
				producer.send(record).get(30, TimeUnit.SECONDS);
			}
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.tenants.size() == 1);
			assertThat(listener.tenants).containsExactly(new Tenant("acme"));
		}
	}

	private static long committed(String group, String topic) {
		return KafkaTestSupport.committed(group, new TopicPartition(topic, 0));
	}

	static class HeaderListener {

		final List<Map<String, Object>> seen = new CopyOnWriteArrayList<>();

		final List<Message<String>> messages = new CopyOnWriteArrayList<>();

		final List<String> tombstones = new CopyOnWriteArrayList<>();

		@HealingListener(id = "headers", topics = "${binding.topic}", ordering = Ordering.PARTITION)
		void on(@Payload(required = false) @Nullable String value, @Header(KafkaHeaders.RECEIVED_KEY) String key,
				@Header(KafkaHeaders.RECEIVED_TOPIC) String topic, @Header(KafkaHeaders.RECEIVED_PARTITION) int partition,
				@Header(KafkaHeaders.OFFSET) long offset, @Header(KafkaHeaders.RECEIVED_TIMESTAMP) long timestamp,
				@Header(KafkaHeaders.GROUP_ID) String group,
				@Header(name = "x-tenant", required = false) @Nullable String tenant,
				@org.springframework.messaging.handler.annotation.Headers Map<String, Object> headers,
				ConsumerRecord<String, String> record, Headers kafkaHeaders, Stages stages) {
			Map<String, Object> seen = new ConcurrentHashMap<>();
			seen.put("payload", (value != null) ? value : "<tombstone>");
			seen.put("key", key);
			seen.put("topic", topic);
			seen.put("partition", partition);
			seen.put("offset", offset);
			seen.put("timestamp", timestamp);
			seen.put("group", group);
			if (tenant != null) {
				seen.put("tenant", tenant);
			}
			seen.put("headers", headers);
			seen.put("recordOffset", record.offset());
			var tenantHeader = kafkaHeaders.lastHeader("x-tenant");
			if (tenantHeader != null) {
				seen.put("kafkaHeader", new String(tenantHeader.value(), StandardCharsets.UTF_8));
			}
			seen.put("stages", stages != null);
			this.seen.add(seen);
		}

		/** A {@code Message<String>} cannot hold a tombstone (as with {@code @KafkaListener}): skipped here. */
		@HealingListener(id = "messages", topics = "${binding.topic}", groupId = "${binding.topic}-messages",
				failurePolicy = FailurePolicy.SKIP)
		void onMessage(Message<String> message) {
			this.messages.add(message);
		}

		@HealingListener(id = "tombstones", topics = "${binding.topic}", groupId = "${binding.topic}-tombstones",
				ordering = Ordering.PARTITION)
		void onMaybe(@Nullable String value) {
			this.tombstones.add((value != null) ? value : "<null>");
		}

	}

	record Order(@NotBlank String id, @Positive int quantity) {
	}

	static class OrderListener {

		final List<Order> orders = new CopyOnWriteArrayList<>();

		final List<String> keys = new CopyOnWriteArrayList<>();

		@HealingListener(id = "orders", topics = "${binding.topic}", ordering = Ordering.PARTITION)
		CompletableFuture<Void> on(@Payload @Valid Order order, @Header(KafkaHeaders.RECEIVED_KEY) String key) {
			this.orders.add(order);
			this.keys.add(key);
			return CompletableFuture.completedFuture(null);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class JsonConfiguration {

		@Bean
		StringJacksonJsonMessageConverter jsonConverter() {
			return new StringJacksonJsonMessageConverter();
		}

	}

	record Tenant(String name) {
	}

	static class TenantListener {

		final List<Tenant> tenants = new CopyOnWriteArrayList<>();

		@HealingListener(id = "tenants", topics = "${binding.topic}")
		void on(String value, Tenant tenant) {
			this.tenants.add(tenant);
		}

	}

	/** An application's configurer, as it would write it for {@code @KafkaListener} methods. */
	@Configuration(proxyBeanMethods = false)
	static class ResolverConfiguration implements KafkaListenerConfigurer {

		@Override
		public void configureKafkaListeners(KafkaListenerEndpointRegistrar registrar) {
			registrar.setCustomMethodArgumentResolvers(new HandlerMethodArgumentResolver() {

				@Override
				public boolean supportsParameter(MethodParameter parameter) {
					return Tenant.class.equals(parameter.getParameterType());
				}

				@Override
				public Object resolveArgument(MethodParameter parameter, Message<?> message) {
					Object header = message.getHeaders().get("x-tenant");
					return new Tenant(new String((byte[]) header, StandardCharsets.UTF_8));
				}

			});
		}

	}

	static class AckListener {

		final Map<String, Integer> attempts = new ConcurrentHashMap<>();

		private final AtomicInteger nacks = new AtomicInteger();

		private volatile long nackedAt;

		final AtomicLong nackGapNanos = new AtomicLong();

		@HealingListener(id = "acks", topics = "${binding.topic}", ordering = Ordering.UNORDERED)
		void on(String value, Acknowledgment acknowledgment) {
			this.attempts.merge(value, 1, Integer::sum);
			if (value.equals("nack") && this.nacks.getAndIncrement() == 0) {
				this.nackedAt = System.nanoTime();
				acknowledgment.nack(Duration.ofMillis(1500));
				return;
			}
			if (value.equals("nack")) {
				this.nackGapNanos.set(System.nanoTime() - this.nackedAt);
			}
			CompletableFuture.runAsync(acknowledgment::acknowledge,
					CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
		}

	}

}
