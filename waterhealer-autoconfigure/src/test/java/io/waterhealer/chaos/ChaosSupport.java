package io.waterhealer.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.waterhealer.chaos.ProcessingLog.Produced;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

import static org.awaitility.Awaitility.await;

/**
 * What the chaos tests share: a cluster seen through Kafka's own clients (topics, keyed records, committed and end
 * offsets), and consumer JVMs of {@link ChaosConsumerApplication}.
 */
final class ChaosSupport {

	/** Whether the long soak runs: {@code -Dwaterhealer.soak=true}. */
	static final boolean SOAK = Boolean.getBoolean("waterhealer.soak");

	private final String bootstrapServers;

	private final Map<String, Object> clientProperties;

	ChaosSupport(String bootstrapServers) {
		this(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
	}

	/** A cluster reached with these client properties (bootstrap servers and security settings). */
	ChaosSupport(Map<String, Object> clientProperties) {
		this.bootstrapServers = (String) clientProperties.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
		this.clientProperties = clientProperties;
	}

	String bootstrapServers() {
		return this.bootstrapServers;
	}

	Admin admin() {
		Map<String, Object> config = new HashMap<>(this.clientProperties);
		config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
		config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
		return Admin.create(config);
	}

	void createTopic(String topic, int partitions) throws Exception {
		createTopic(topic, partitions, 1);
	}

	/**
	 * Create a topic and wait until every partition has a leader with its replicas in sync and answers an end-offset
	 * query: a produce racing the creation can get a "not leader" answer for a batch the broker appended, after which
	 * the idempotent producer's retries fail with {@code OutOfOrderSequenceException} until the delivery timeout (seen
	 * in CI: {@code ConsumerCrashIntegrationTests} failing on "Expiring 1 record(s) ... 120000 ms has passed").
	 */
	void createTopic(String topic, int partitions, int replicas) throws Exception {
		try (Admin admin = admin()) {
			admin.createTopics(List.of(new NewTopic(topic, partitions, (short) replicas)))
				.all()
				.get(30, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
				TopicDescription description = admin.describeTopics(List.of(topic))
					.allTopicNames()
					.get(10, TimeUnit.SECONDS)
					.get(topic);
				if (description.partitions().size() != partitions || !description.partitions()
					.stream()
					.allMatch((partition) -> partition.leader() != null && partition.isr().size() == replicas)) {
					return false;
				}
				Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
				IntStream.range(0, partitions)
					.forEach((partition) -> latest.put(new TopicPartition(topic, partition), OffsetSpec.latest()));
				return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).size() == partitions;
			});
		}
	}

	KafkaProducer<String, String> producer() {
		Map<String, Object> config = new HashMap<>(this.clientProperties);
		config.putAll(Map.of(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
				ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class, ProducerConfig.LINGER_MS_CONFIG,
				5, ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
				ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE));
		return new KafkaProducer<>(config);
	}

	/**
	 * Sends {@code count} records over {@code keys} keys, record i with key {@code key-(i % keys)} and as value its
	 * place in that key's sequence; the producer's partitioner spreads the keys over the partitions.
	 * @return each record's coordinates ({@code topic partition offset}) with its key and value
	 */
	Map<String, Produced> produceKeyed(String topic, int from, int count, int keys) throws Exception {
		return produceKeyed(topic, from, count, keys, 0);
	}

	/**
	 * As {@link #produceKeyed(String, int, int, int)}, at most {@code perSecond} records a second (0: no limit), so
	 * that consumers are killed and started while records keep arriving.
	 */
	Map<String, Produced> produceKeyed(String topic, int from, int count, int keys, int perSecond) throws Exception {
		return produceKeyed(topic, from, count, keys, perSecond, () -> Long.MAX_VALUE);
	}

	/**
	 * As {@link #produceKeyed(String, int, int, int, int)}, sending record {@code from + n} only once {@code allowed}
	 * answers more than {@code n}: a test that kills consumers keeps the records arriving while each consumer runs,
	 * however slowly the consumer JVMs start on a loaded machine (a rate alone can finish before the first consumer
	 * is up, which then processes and commits everything before it can be killed in the middle).
	 */
	Map<String, Produced> produceKeyed(String topic, int from, int count, int keys, int perSecond,
			LongSupplier allowed) throws Exception {
		Map<String, Produced> produced = new HashMap<>();
		long start = System.nanoTime();
		try (KafkaProducer<String, String> producer = producer()) {
			List<Future<RecordMetadata>> sent = new ArrayList<>(count);
			List<Produced> records = new ArrayList<>(count);
			// asked again only when used up: the answer may read files, and records are sent one by one
			long allowance = allowed.getAsLong();
			for (int i = from; i < from + count; i++) {
				while (i - from >= allowance) {
					// pacing the producer behind the consumers' progress
					Thread.sleep(5);
					allowance = allowed.getAsLong();
				}
				Produced record = new Produced("key-" + (i % keys), i / keys);
				records.add(record);
				sent.add(producer.send(new ProducerRecord<>(topic, record.key(), String.valueOf(record.sequence()))));
				if (perSecond > 0) {
					long due = start + (i - from + 1) * 1_000_000_000L / perSecond;
					long ahead = due - System.nanoTime();
					if (ahead > 1_000_000) {
						// pacing the producer, not waiting for a condition
						Thread.sleep(ahead / 1_000_000);
					}
				}
			}
			producer.flush();
			for (int i = 0; i < sent.size(); i++) {
				RecordMetadata metadata = sent.get(i).get(60, TimeUnit.SECONDS);
				produced.put(topic + " " + metadata.partition() + " " + metadata.offset(), records.get(i));
			}
		}
		return produced;
	}

	/** The group's committed offsets, by partition, as the broker has them; absent when none. */
	Map<TopicPartition, Long> committed(String group) throws Exception {
		Map<TopicPartition, Long> result = new HashMap<>();
		committedWithMetadata(group).forEach((partition, offset) -> result.put(partition, offset.offset()));
		return result;
	}

	/** The group's committed offsets with their metadata, by partition; absent when none. */
	Map<TopicPartition, OffsetAndMetadata> committedWithMetadata(String group) throws Exception {
		try (Admin admin = admin()) {
			return committedWithMetadata(admin, group);
		}
	}

	/** As {@link #committedWithMetadata(String)} through an admin client the caller keeps, to sample often. */
	static Map<TopicPartition, OffsetAndMetadata> committedWithMetadata(Admin admin, String group) throws Exception {
		Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
			.partitionsToOffsetAndMetadata()
			.get(15, TimeUnit.SECONDS);
		Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
		offsets.forEach((partition, offset) -> {
			if (offset != null) {
				result.put(partition, offset);
			}
		});
		return result;
	}

	/** The topic's end offsets, as the broker has them. */
	Map<TopicPartition, Long> endOffsets(String topic, int partitions) throws Exception {
		try (Admin admin = admin()) {
			Map<TopicPartition, OffsetSpec> request = IntStream.range(0, partitions)
				.mapToObj((p) -> new TopicPartition(topic, p))
				.collect(Collectors.toMap(Function.identity(), (tp) -> OffsetSpec.latest()));
			return admin.listOffsets(request)
				.all()
				.get(15, TimeUnit.SECONDS)
				.entrySet()
				.stream()
				.collect(Collectors.toMap(Map.Entry::getKey, (e) -> e.getValue().offset()));
		}
	}

	/** Whether the group is stable with {@code members} members, each with partitions assigned. */
	boolean stableWith(String group, int members) throws Exception {
		try (Admin admin = admin()) {
			ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group))
				.describedGroups()
				.get(group)
				.get(15, TimeUnit.SECONDS);
			return description.groupState() == GroupState.STABLE && description.members().size() == members
					&& description.members()
						.stream()
						.allMatch((member) -> !member.assignment().topicPartitions().isEmpty());
		}
	}

	/** Whether the group has committed every partition up to its end offset. */
	boolean allCommitted(String group, String topic, int partitions) throws Exception {
		return committed(group).equals(endOffsets(topic, partitions));
	}

	/**
	 * Starts a consumer JVM of {@link ChaosConsumerApplication}.
	 * @param output where its console goes
	 * @param args application arguments ({@code --name=value}) that replace or add to the suite's defaults; a
	 * {@code --server.port} turns the web server on
	 */
	Process startConsumer(String topic, String group, Path log, Path output, String... args) throws IOException {
		Map<String, String> settings = new LinkedHashMap<>();
		settings.put("spring.kafka.bootstrap-servers", this.bootstrapServers);
		settings.put("spring.kafka.consumer.group-id", group);
		settings.put("spring.kafka.consumer.auto-offset-reset", "earliest");
		// a killed member is noticed after 6 s (the broker's minimum) rather than Kafka's default 45 s
		settings.put("spring.kafka.consumer.properties.session.timeout.ms", "6000");
		settings.put("spring.kafka.consumer.properties.heartbeat.interval.ms", "1000");
		settings.put("spring.kafka.consumer.properties.reconnect.backoff.max.ms", "1000");
		settings.put("spring.main.banner-mode", "off");
		settings.put("spring.main.web-application-type", "none");
		settings.put("logging.level.root", "WARN");
		settings.put("logging.level.io.waterhealer.failures", "OFF");
		settings.put("logging.level.io.waterhealer.kafka.worker.RecordProcessor", "OFF");
		settings.put("chaos.topic", topic);
		settings.put("chaos.log", log.toString());
		settings.put("waterhealer.listener.commit-interval", "200ms");
		settings.put("waterhealer.retry.initial-interval", "20ms");
		settings.put("waterhealer.retry.max-interval", "200ms");
		settings.put("waterhealer.shutdown.enabled", "false");
		String protocol = System.getProperty("waterhealer.chaos.group-protocol");
		if (protocol != null) {
			// -Dwaterhealer.chaos.group-protocol=consumer runs the suite's consumers on KIP-848's protocol
			settings.put("spring.kafka.consumer.properties.group.protocol", protocol);
		}
		for (String arg : args) {
			int equals = arg.indexOf('=');
			settings.put(arg.substring(2, equals), arg.substring(equals + 1));
		}
		if ("consumer".equalsIgnoreCase(settings.get("spring.kafka.consumer.properties.group.protocol"))) {
			// the consumer group protocol (KIP-848) takes these from the broker; the client refuses them
			settings.remove("spring.kafka.consumer.properties.session.timeout.ms");
			settings.remove("spring.kafka.consumer.properties.heartbeat.interval.ms");
		}
		if (settings.containsKey("server.port")) {
			settings.put("spring.main.web-application-type", "servlet");
		}
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
				"-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
				ChaosConsumerApplication.class.getName()));
		settings.forEach((name, value) -> command.add("--" + name + "=" + value));
		Files.createDirectories(output.getParent());
		return new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
			.start();
	}

	/**
	 * Sends a signal with {@code kill}, e.g. {@code STOP} to freeze a JVM as a long GC pause or a paused VM would,
	 * {@code CONT} to wake it.
	 */
	static void signal(Process process, String signal) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start();
		if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
			throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
		}
	}

	static void kill(Process process) throws InterruptedException {
		process.destroyForcibly();
		if (!process.waitFor(30, TimeUnit.SECONDS)) {
			throw new IllegalStateException("process " + process.pid() + " survived SIGKILL for 30 s");
		}
	}

}
