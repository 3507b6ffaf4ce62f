package io.waterhealer.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.waterhealer.health.BrokerProcess;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

import static org.awaitility.Awaitility.await;

/**
 * A Kafka cluster of {@link BrokerProcess} nodes on loopback, each a broker and a voter of the controller quorum,
 * with topics and the offsets topic replicated to every node and {@code min.insync.replicas} one less: the cluster
 * keeps accepting {@code acks=all} writes with one node down, which is what a leader kill and a rolling restart
 * test. Every node runs in its own JVM, so a test can kill any of them with SIGKILL.
 */
final class BrokerCluster implements AutoCloseable {

	private final List<BrokerProcess> nodes = new ArrayList<>();

	/**
	 * Formats {@code size} nodes under {@code directory} (not started).
	 * @param jvmOptions options of each node's JVM; the test machine runs the nodes and the consumers side by side
	 */
	BrokerCluster(Path directory, int size, List<String> jvmOptions) throws Exception {
		List<Integer> ports = new ArrayList<>();
		List<String> voters = new ArrayList<>();
		for (int id = 1; id <= size; id++) {
			ports.add(BrokerProcess.freePort());
			voters.add(id + "@localhost:" + BrokerProcess.freePort());
		}
		String clusterId = Uuid.randomUuid().toString();
		for (int id = 1; id <= size; id++) {
			this.nodes.add(BrokerProcess.clusterMember(directory.resolve("node-" + id), id, ports.get(id - 1),
					String.join(",", voters), clusterId, size, jvmOptions));
		}
	}

	/** Starts every node and waits until each answers and every one is registered. */
	void start() throws Exception {
		for (BrokerProcess node : this.nodes) {
			node.launch();
		}
		for (BrokerProcess node : this.nodes) {
			node.awaitUp();
		}
		await().atMost(Duration.ofSeconds(60))
			.ignoreExceptions()
			.until(() -> liveNodeIds().size() == this.nodes.size());
	}

	String bootstrapServers() {
		return this.nodes.stream().map(BrokerProcess::bootstrapServers).collect(Collectors.joining(","));
	}

	BrokerProcess node(int id) {
		return this.nodes.get(id - 1);
	}

	List<BrokerProcess> nodes() {
		return List.copyOf(this.nodes);
	}

	/** The ids of the nodes the cluster currently lists. */
	Set<Integer> liveNodeIds() throws Exception {
		try (Admin admin = admin()) {
			return admin.describeCluster()
				.nodes()
				.get(10, TimeUnit.SECONDS)
				.stream()
				.map(Node::id)
				.collect(Collectors.toSet());
		}
	}

	/** The leader of each partition of {@code topic}, -1 for a partition without one. */
	Map<Integer, Integer> leaders(String topic) throws Exception {
		return describe(topic).partitions()
			.stream()
			.collect(Collectors.toMap(TopicPartitionInfo::partition,
					(info) -> (info.leader() != null) ? info.leader().id() : -1));
	}

	/** The node that coordinates {@code group}. */
	int coordinator(String group) throws Exception {
		try (Admin admin = admin()) {
			return admin.describeConsumerGroups(List.of(group))
				.describedGroups()
				.get(group)
				.get(10, TimeUnit.SECONDS)
				.coordinator()
				.id();
		}
	}

	/**
	 * Waits until every partition of the topics has a leader and all the nodes in its ISR: a node brought back has
	 * caught up, so the next one may go down without the cluster falling below {@code min.insync.replicas}.
	 */
	void awaitFullIsr(Collection<String> topics, Duration atMost) {
		await().atMost(atMost).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
			for (String topic : topics) {
				for (TopicPartitionInfo partition : describe(topic).partitions()) {
					if (partition.leader() == null || partition.isr().size() < this.nodes.size()) {
						return false;
					}
				}
			}
			return true;
		});
	}

	private TopicDescription describe(String topic) throws Exception {
		try (Admin admin = admin()) {
			return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
		}
	}

	private Admin admin() {
		return new ChaosSupport(bootstrapServers()).admin();
	}

	@Override
	public void close() throws InterruptedException {
		for (BrokerProcess node : this.nodes) {
			node.kill();
		}
	}

}
