package io.waterhealer.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;

import com.jayway.jsonpath.JsonPath;
import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import io.waterhealer.health.ListenerHealthMonitor;
import io.waterhealer.kafka.HealingListenerRegistrar;
import io.waterhealer.kafka.KafkaTestSupport;
import io.waterhealer.kafka.ListenerView;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.kafka.listener.MessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator's pause and resume over real HTTP against a real broker. Partition 0 of a two-partition topic is
 * paused with {@code POST /actuator/healinglisteners/control}; records sent to both partitions afterwards are
 * processed on partition 1 only, the read and the health details say who paused partition 0, and its committed
 * offset stays where it was (read with Kafka's own admin client) until it is resumed. The pause survives the
 * container's restart, which revokes and re-assigns every partition: the first poll after the re-assignment returns
 * partition 0's records before the container could pause it, and they must be sought back, not processed.
 */
class HealingListenersEndpointIntegrationTests {

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private static final int RECORDS = 20;

	@Test
	void aPausedPartitionProcessesNothingUntilResumedWhileTheOtherGoesOn() throws Exception {
		String topic = KafkaTestSupport.uniqueName("control-pause");
		KafkaTestSupport.createTopic(topic, 2);
		Processed processed = new Processed();
		try (ConfigurableApplicationContext context = start(topic, processed)) {
			awaitAssigned(context, 2);
			String read = send(context, "GET", "/actuator/healinglisteners", null).body();
			assertThat(JsonPath.<Boolean>read(read, "$.writable")).isTrue();
			assertThat(JsonPath.<String>read(read, "$.listeners.control.state")).isEqualTo("running");
			assertThat(JsonPath.<String>read(read, "$.listeners.control.ordering")).isEqualTo("KEY");
			assertThat(JsonPath.<Integer>read(read, "$.listeners.control.parallelism")).isEqualTo(4);

			HttpResponse<String> paused = send(context, "POST", "/actuator/healinglisteners/control",
					"{\"action\":\"pause\",\"partition\":\"" + topic + "-0\"}");
			assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
			assertThat(JsonPath.<List<String>>read(paused.body(), "$.partitions[0].pausedBy")).containsExactly("operator");
			assertThat(JsonPath.<List<String>>read(paused.body(), "$.partitions[1].pausedBy")).isEmpty();

			sendBoth(topic);
			await().atMost(Duration.ofSeconds(30)).until(() -> processed.count(1) == RECORDS
					&& committed(topic, 1) == RECORDS);
			assertThat(processed.count(0)).as("records of the paused partition processed").isZero();
			assertThat(committed(topic, 0)).isLessThanOrEqualTo(0);
			ListenerHealthMonitor monitor = context.getBean(ListenerHealthMonitor.class);
			monitor.check();
			assertThat(monitor.verdict().up()).as(monitor.verdict().describe()).isTrue();
			String health = send(context, "GET", "/actuator/health/waterhealer", null).body();
			assertThat(JsonPath.<String>read(health,
					"$.details.listeners.control.partitions['" + topic + "-0'].pausedBy")).isEqualTo("operator");

			HttpResponse<String> resumed = send(context, "POST", "/actuator/healinglisteners/control",
					"{\"action\":\"resume\",\"partition\":\"" + topic + "-0\"}");
			assertThat(resumed.statusCode()).as(resumed.body()).isEqualTo(200);
			await().atMost(Duration.ofSeconds(30)).until(() -> committed(topic, 0) == RECORDS);
			assertThat(processed.count(0)).isEqualTo(RECORDS);
		}
	}

	@Test
	void anOperatorsPauseOutlivesAContainerRestartAndTheRecordsTheFirstPollFetchedAreNotProcessed() throws Exception {
		String topic = KafkaTestSupport.uniqueName("control-restart");
		KafkaTestSupport.createTopic(topic, 2);
		Processed processed = new Processed();
		try (ConfigurableApplicationContext context = start(topic, processed)) {
			awaitAssigned(context, 2);
			ListenerView view = context.getBean(HealingListenerRegistrar.class).runtimes().get("control");
			view.pause(new TopicPartition(topic, 0));
			MessageListenerContainer container = view.container();
			assertThat(container).isNotNull();
			container.stop();
			sendBoth(topic);
			container.start();
			await().atMost(Duration.ofSeconds(30)).until(() -> processed.count(1) == RECORDS
					&& committed(topic, 1) == RECORDS);
			assertThat(processed.count(0)).as("records of the paused partition processed after the restart").isZero();
			assertThat(committed(topic, 0)).isLessThanOrEqualTo(0);
			String read = send(context, "GET", "/actuator/healinglisteners/control", null).body();
			assertThat(JsonPath.<List<String>>read(read, "$.partitions[0].pausedBy")).contains("operator");

			view.resume(new TopicPartition(topic, 0));
			await().atMost(Duration.ofSeconds(30)).until(() -> committed(topic, 0) == RECORDS);
			assertThat(processed.count(0)).isEqualTo(RECORDS);
		}
	}

	@Test
	void aListenerPausedAsAWholeRefusesToResumeOnePartitionAndBadRequestsSayWhatIsWrong() throws Exception {
		String topic = KafkaTestSupport.uniqueName("control-refusals");
		KafkaTestSupport.createTopic(topic, 2);
		Processed processed = new Processed();
		try (ConfigurableApplicationContext context = start(topic, processed)) {
			awaitAssigned(context, 2);
			String path = "/actuator/healinglisteners/control";
			HttpResponse<String> paused = send(context, "POST", path, "{\"action\":\"pause\"}");
			assertThat(paused.statusCode()).isEqualTo(200);
			assertThat(JsonPath.<String>read(paused.body(), "$.state")).isEqualTo("paused");
			assertThat(JsonPath.<String>read(paused.body(), "$.pausedBy")).isEqualTo("operator");
			assertThat(JsonPath.<List<String>>read(paused.body(), "$.partitions[*].pausedBy[0]"))
				.containsExactly("operator", "operator");

			HttpResponse<String> conflict = send(context, "POST", path,
					"{\"action\":\"resume\",\"partition\":\"" + topic + "-1\"}");
			assertThat(conflict.statusCode()).isEqualTo(409);
			assertThat(conflict.body()).contains("paused as a whole");
			assertRefused(send(context, "POST", path, "{\"action\":\"stop\"}"), 400, "write \\\"pause\\\" or");
			assertRefused(send(context, "POST", path, "{}"), 400, "exactly one of");
			assertRefused(send(context, "POST", path, "{\"action\":\"pause\",\"parallelism\":3}"), 400,
					"exactly one of");
			assertRefused(send(context, "POST", path, "{\"action\":\"pause\",\"partition\":\"three\"}"), 400,
					"such as \\\"orders-3\\\"");
			assertRefused(send(context, "POST", path, "{\"action\":\"pause\",\"partition\":\"" + topic + "-7\"}"),
					404, "is not assigned");
			assertRefused(send(context, "POST", "/actuator/healinglisteners/nosuch", "{\"action\":\"pause\"}"), 404,
					"no @HealingListener 'nosuch'");
			assertThat(send(context, "GET", "/actuator/healinglisteners/nosuch", null).statusCode()).isEqualTo(404);

			sendBoth(topic);
			HttpResponse<String> resumed = send(context, "POST", path, "{\"action\":\"resume\"}");
			assertThat(JsonPath.<String>read(resumed.body(), "$.state")).isEqualTo("running");
			await().atMost(Duration.ofSeconds(30))
				.until(() -> committed(topic, 0) == RECORDS && committed(topic, 1) == RECORDS);
		}
	}

	@Test
	void parallelismAndRateChangeLiveAndTheReadShowsThemWithTheRetrySettings() throws Exception {
		String topic = KafkaTestSupport.uniqueName("control-live");
		KafkaTestSupport.createTopic(topic, 2);
		Processed processed = new Processed();
		try (ConfigurableApplicationContext context = start(topic, processed)) {
			awaitAssigned(context, 2);
			String path = "/actuator/healinglisteners/control";
			HttpResponse<String> before = send(context, "GET", path, null);
			assertThat(JsonPath.<Integer>read(before.body(), "$.parallelism")).isEqualTo(4);
			assertThat(JsonPath.<String>read(before.body(), "$.rate")).isEqualTo("unlimited");
			assertThat(JsonPath.<String>read(before.body(), "$.retry.policy")).isEqualTo("HALT");
			assertThat(JsonPath.<List<String>>read(before.body(), "$.retry.tiers")).isEmpty();

			HttpResponse<String> wider = send(context, "POST", path, "{\"parallelism\":12}");
			assertThat(wider.statusCode()).as(wider.body()).isEqualTo(200);
			assertThat(JsonPath.<Integer>read(wider.body(), "$.parallelism")).isEqualTo(12);
			ListenerView view = context.getBean(HealingListenerRegistrar.class).runtimes().get("control");
			assertThat(view.parallelism()).isEqualTo(12);

			HttpResponse<String> limited = send(context, "POST", path, "{\"rate\":\"20/s\"}");
			assertThat(limited.statusCode()).as(limited.body()).isEqualTo(200);
			assertThat(JsonPath.<String>read(limited.body(), "$.rate")).isEqualTo("20/s");
			// 40 records at 20/s take about two seconds once the first burst (100 ms of the rate) is spent
			long start = System.nanoTime();
			sendBoth(topic);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> committed(topic, 0) == RECORDS && committed(topic, 1) == RECORDS);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(1500));

			assertRefused(send(context, "POST", path, "{\"parallelism\":0}"), 400, "parallelism");
			assertRefused(send(context, "POST", path, "{\"rate\":\"fast\"}"), 400, "N/s");
			assertThat(view.parallelism()).isEqualTo(12);
			assertThat(view.rate()).isEqualTo("20/s");
		}
	}

	private static void assertRefused(HttpResponse<String> response, int status, String message) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.body()).contains(message);
	}

	private static void sendBoth(String topic) {
		List<String> values = IntStream.range(0, RECORDS).mapToObj(String::valueOf).toList();
		KafkaTestSupport.sendValues(topic, 0, values);
		KafkaTestSupport.sendValues(topic, 1, values);
	}

	private static void awaitAssigned(ConfigurableApplicationContext context, int partitions) {
		ListenerView view = context.getBean(HealingListenerRegistrar.class).runtimes().get("control");
		await().atMost(Duration.ofSeconds(30)).until(() -> view.partitions().size() == partitions);
	}

	private static long committed(String topic, int partition) {
		return KafkaTestSupport.committed(topic + "-group", new TopicPartition(topic, partition));
	}

	static ConfigurableApplicationContext start(String topic, Processed processed, String... extra) {
		return new SpringApplicationBuilder(App.class).web(WebApplicationType.SERVLET)
			.initializers((context) -> ((GenericApplicationContext) context).registerBean("processed",
					Processed.class, () -> processed))
			.properties("spring.kafka.bootstrap-servers=" + KafkaTestSupport.bootstrapServers(),
					"spring.kafka.consumer.group-id=" + topic + "-group",
					"spring.kafka.consumer.auto-offset-reset=earliest", "spring.main.banner-mode=off", "server.port=0",
					"waterhealer.shutdown.enabled=false", "waterhealer.listener.commit-interval=100ms",
					"waterhealer.listener.drain-timeout=500ms", "management.endpoint.health.show-details=always",
					"management.endpoints.web.exposure.include=health,healinglisteners",
					"management.endpoint.healinglisteners.access=unrestricted", "control.topic=" + topic)
			.properties(extra)
			.run();
	}

	static HttpResponse<String> send(ConfigurableApplicationContext context, String method, String path,
			String body) throws Exception {
		URI uri = URI.create(
				"http://localhost:" + context.getEnvironment().getRequiredProperty("local.server.port") + path);
		HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
		if ("POST".equals(method)) {
			request.header("Content-Type", "application/json")
				.POST((body != null) ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody());
		}
		return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

	}

	/** The partitions of the records the listener processed. */
	static class Processed {

		final Queue<Integer> partitions = new ConcurrentLinkedQueue<>();

		long count(int partition) {
			return this.partitions.stream().filter((p) -> p == partition).count();
		}

		@HealingListener(id = "control", topics = "${control.topic}", parallelism = "4", ordering = Ordering.KEY)
		void process(ConsumerRecord<String, String> record) {
			this.partitions.add(record.partition());
		}

	}

}
