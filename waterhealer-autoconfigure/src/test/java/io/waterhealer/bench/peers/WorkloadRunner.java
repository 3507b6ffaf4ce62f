package io.waterhealer.bench.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Runs one contender once on one workload against the benchmark broker and measures it the same way for every
 * contender: the child reports when its handler saw the first record; this side polls the group's committed offsets
 * with the AdminClient every 20 ms until every partition is committed to its end offset.
 */
final class WorkloadRunner implements AutoCloseable {

	private static final long POLL_MILLIS = 20;

	/** How long a run committed to the end may wait for the child's first-record line to be read. */
	private static final long FIRST_RECORD_GRACE_SECONDS = 5;

	private final String servers;

	private final BenchSettings settings;

	private final Path logs;

	private final Admin admin;

	WorkloadRunner(String servers, BenchSettings settings, Path logs) {
		this.servers = servers;
		this.settings = settings;
		this.logs = logs;
		this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers));
	}

	/** Creates the topic and fills it with 100-byte records, keyed over {@code keys} keys (unkeyed when 0). */
	void produce(String topic, int partitions, int records, int keys) throws Exception {
		this.admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
		Properties config = new Properties();
		config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, this.servers);
		config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
		config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
		config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
		config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
		byte[] value = new byte[100];
		try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config)) {
			for (int i = 0; i < records; i++) {
				producer.send((keys > 0) ? new ProducerRecord<>(topic, "key-" + (i % keys), value)
						: new ProducerRecord<>(topic, 0, null, value));
			}
			producer.flush();
		}
	}

	/** W1 and W2: consume the whole topic on a fresh group; committed and processed rates, CPU, RSS. */
	RunResult throughput(String workload, String topic, int records, int sleepMillis, Contender contender, int run)
			throws Exception {
		String group = groupName(workload, contender, run);
		Map<TopicPartition, Long> end = endOffsets(topic);
		Path log = this.logs.resolve(slug(workload + "-" + contender.label() + "-run" + run) + ".log");
		Path offsets = this.settings.verifyRecords()
				? this.logs.resolve(slug(workload + "-" + contender.label() + "-run" + run) + ".offsets") : null;
		Map<String, String> properties = properties(topic, group, end.size(), sleepMillis, -1, records,
				(offsets != null) ? offsets.toString() : "");
		try (ChildProcess child = ChildProcess.start(contender, this.settings, properties, log)) {
			String failure = awaitCommitted(child, group, end);
			long doneMicros = Probe.nowMicros();
			if (failure != null) {
				return RunResult.failed(workload, contender.label(), run, failure);
			}
			Map<String, Long> figures = child.stop();
			if (figures == null) {
				return RunResult.failed(workload, contender.label(), run, "no figures from the child (see " + log + ")");
			}
			if (figures.get("processed") < records) {
				return RunResult.failed(workload, contender.label(), run, "committed to the end but handled only "
						+ figures.get("processed") + " of " + records + " records: records were lost");
			}
			long first = figures.get("first");
			long last = figures.get("last");
			double committed = records / ((doneMicros - first) / 1e6);
			double processed = (last > 0) ? records / ((last - first) / 1e6) : 0;
			return new RunResult(workload, contender.label(), run, null, committed, processed,
					figures.get("processed"), (last > 0) ? (doneMicros - last) / 1000 : -1,
					figures.get("cpuMillis") / 1000.0, figures.get("peakRssKb") / 1024.0, -1, behindEnd(group, end),
					(offsets != null) ? unhandled(end, handledOffsets(offsets)) : -1);
		}
	}

	/**
	 * W3: offset {@code stuck} keeps failing while the rest complete; once all of them completed and a few commit
	 * intervals passed, the child is killed with SIGKILL and a new one (nothing failing) consumes to the end. The
	 * figure is how many of the records completed in the first life the second one processed again.
	 */
	RunResult restart(Contender contender, int run) throws Exception {
		int records = this.settings.w3Records();
		long stuck = this.settings.w3Stuck();
		String topic = slug("w3-" + contender.label() + "-" + run + "-" + System.nanoTime());
		produce(topic, 1, records, 0);
		String group = topic + "-group";
		Map<TopicPartition, Long> end = endOffsets(topic);
		Path first = this.logs.resolve(topic + "-first.offsets");
		Path second = this.logs.resolve(topic + "-second.offsets");
		// the killed consumer stays in the group until its session times out, and the second life waits for that:
		// the broker's minimum (6 s) for every contender instead of the 45 s default
		Map<String, String> firstLife = properties(topic, group, 1, 0, stuck, records - 1, first.toString());
		firstLife.put("bench.sessionTimeoutMillis", "6000");
		Map<String, String> secondLife = properties(topic, group, 1, 0, -1, Long.MAX_VALUE, second.toString());
		secondLife.put("bench.sessionTimeoutMillis", "6000");
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(this.settings.timeoutSeconds());
		try (ChildProcess child = ChildProcess.start(contender, this.settings, firstLife,
				this.logs.resolve(topic + "-first.log"))) {
			while (distinctOffsets(first).size() < records - 1) {
				if (!child.alive()) {
					return RunResult.failed("W3", contender.label(), run, "first life " + child.death());
				}
				if (System.nanoTime() > deadline) {
					return RunResult.failed("W3", contender.label(), run, "first life timed out with "
							+ distinctOffsets(first).size() + " of " + (records - 1) + " records completed");
				}
				TimeUnit.MILLISECONDS.sleep(50);
			}
			// let the last commits (and their metadata) land: ten commit intervals, at least 2 s
			TimeUnit.MILLISECONDS.sleep(Math.max(2000, 10L * this.settings.commitMillis()));
			child.kill();
		}
		long committedAtKill = committed(group).getOrDefault(new TopicPartition(topic, 0), 0L);
		try (ChildProcess child = ChildProcess.start(contender, this.settings, secondLife,
				this.logs.resolve(topic + "-second.log"))) {
			String failure = awaitCommitted(child, group, end);
			if (failure != null) {
				return RunResult.failed("W3", contender.label(), run, "second life " + failure);
			}
			Map<String, Long> figures = child.stop();
			Set<Long> again = distinctOffsets(second);
			if (!again.contains(stuck)) {
				return RunResult.failed("W3", contender.label(), run,
						"the stuck offset " + stuck + " was not processed after the restart");
			}
			long reprocessed = again.stream().filter((offset) -> offset > stuck).count();
			System.out.printf("    committed offset at the kill %d, re-processed %d of %d%n", committedAtKill,
					reprocessed, records - 1 - stuck);
			Set<Long> handled = new HashSet<>(distinctOffsets(first));
			handled.addAll(again);
			return new RunResult("W3", contender.label(), run, null, 0, 0, again.size(), 0,
					(figures != null) ? figures.get("cpuMillis") / 1000.0 : 0,
					(figures != null) ? figures.get("peakRssKb") / 1024.0 : 0, reprocessed, behindEnd(group, end),
					unhandled(end, Map.of(0, handled)));
		}
	}

	private Map<String, String> properties(String topic, String group, int partitions, int sleepMillis,
			long failOffset, long expected, String offsetLog) {
		Map<String, String> properties = new LinkedHashMap<>();
		properties.put("bench.bootstrap", this.servers);
		properties.put("bench.topic", topic);
		properties.put("bench.group", group);
		properties.put("bench.partitions", String.valueOf(partitions));
		properties.put("bench.sleepMillis", String.valueOf(sleepMillis));
		properties.put("bench.failOffset", String.valueOf(failOffset));
		properties.put("bench.expected", String.valueOf(expected));
		properties.put("bench.log", offsetLog);
		return properties;
	}

	/** Null when every partition is committed to its end, else why not (the child died or the time ran out). */
	private String awaitCommitted(ChildProcess child, String group, Map<TopicPartition, Long> end) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(this.settings.timeoutSeconds());
		while (true) {
			Map<TopicPartition, Long> committed = committed(group);
			if (committed.equals(end)) {
				// The child prints its first record before handling it, but this side reads that line on another
				// thread: a restart that handles one record and commits it at once can be committed before the line
				// is read (seen under load in W3 with metadata). Wait a little for it instead of failing the run.
				long grace = System.nanoTime() + TimeUnit.SECONDS.toNanos(FIRST_RECORD_GRACE_SECONDS);
				while (child.firstMicros() == 0 && System.nanoTime() < grace) {
					TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
				}
				return (child.firstMicros() > 0) ? null : "committed to the end without reporting a first record within "
						+ FIRST_RECORD_GRACE_SECONDS + " s";
			}
			if (!child.alive()) {
				return child.death();
			}
			if (System.nanoTime() > deadline) {
				long done = committed.values().stream().mapToLong(Long::longValue).sum();
				long all = end.values().stream().mapToLong(Long::longValue).sum();
				return String.format(java.util.Locale.ROOT, "timed out after %d s at %.1f%% committed",
						this.settings.timeoutSeconds(), 100.0 * done / Math.max(1, all));
			}
			TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
		}
	}

	Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
		int partitions = this.admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
		return this.admin
			.listOffsets(IntStream.range(0, partitions)
				.mapToObj((p) -> new TopicPartition(topic, p))
				.collect(Collectors.toMap(Function.identity(), (tp) -> OffsetSpec.latest())))
			.all()
			.get()
			.entrySet()
			.stream()
			.collect(Collectors.toMap(Map.Entry::getKey, (e) -> e.getValue().offset()));
	}

	Map<TopicPartition, Long> committed(String group) throws Exception {
		Map<TopicPartition, OffsetAndMetadata> offsets = this.admin.listConsumerGroupOffsets(group)
			.partitionsToOffsetAndMetadata()
			.get();
		return offsets.entrySet()
			.stream()
			.filter((e) -> e.getValue() != null)
			.collect(Collectors.toMap(Map.Entry::getKey, (e) -> e.getValue().offset()));
	}

	/** Records between the group's committed offsets and the end offsets, read from the broker now. */
	private long behindEnd(String group, Map<TopicPartition, Long> end) throws Exception {
		Map<TopicPartition, Long> committed = committed(group);
		return end.entrySet()
			.stream()
			.mapToLong((e) -> e.getValue() - committed.getOrDefault(e.getKey(), 0L))
			.sum();
	}

	/** Offsets below the end (the topics are new, so they start at 0) that are not in {@code handled}. */
	static long unhandled(Map<TopicPartition, Long> end, Map<Integer, Set<Long>> handled) {
		long missing = 0;
		for (Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
			Set<Long> seen = handled.getOrDefault(partition.getKey().partition(), Set.of());
			long endOffset = partition.getValue();
			missing += endOffset - seen.stream().filter((offset) -> offset >= 0 && offset < endOffset).count();
		}
		return missing;
	}

	/** Offsets per partition in a probe's log ({@code partition:offset} lines; an unfinished last line is left out). */
	static Map<Integer, Set<Long>> handledOffsets(Path log) throws IOException {
		Map<Integer, Set<Long>> handled = new HashMap<>();
		if (!Files.exists(log)) {
			return handled;
		}
		String text = new String(Files.readAllBytes(log), StandardCharsets.US_ASCII);
		for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
			int colon = line.indexOf(':');
			if (colon > 0) {
				handled.computeIfAbsent(Integer.parseInt(line.substring(0, colon)), (p) -> new HashSet<>())
					.add(Long.parseLong(line.substring(colon + 1)));
			}
		}
		return handled;
	}

	/** Offsets in a probe's log; a line still being written (no newline yet) is not counted. */
	static Set<Long> distinctOffsets(Path log) throws IOException {
		if (!Files.exists(log)) {
			return Set.of();
		}
		String text = new String(Files.readAllBytes(log), StandardCharsets.US_ASCII);
		Set<Long> offsets = new HashSet<>();
		int end = text.lastIndexOf('\n');
		for (String line : text.substring(0, end + 1).split("\n")) {
			int colon = line.indexOf(':');
			if (colon > 0) {
				offsets.add(Long.parseLong(line.substring(colon + 1)));
			}
		}
		return offsets;
	}

	private static String groupName(String workload, Contender contender, int run) {
		return slug(workload + "-" + contender.label() + "-" + run + "-" + System.nanoTime());
	}

	static String slug(String text) {
		return text.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
	}

	@Override
	public void close() {
		this.admin.close();
	}

}
