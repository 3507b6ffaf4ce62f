package io.waterhealer.health;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.awaitility.core.TerminalFailureException;
import org.jspecify.annotations.Nullable;

import static org.awaitility.Awaitility.await;

/**
 * A KRaft Kafka broker in its own JVM ({@code kafka.Kafka} from the test classpath), so that a test can kill it with
 * SIGKILL and start it again on the same port and log directory: a single node that is its own controller, or
 * (through {@link #clusterMember}) one combined broker and controller of a multi-node cluster.
 */
public final class BrokerProcess implements AutoCloseable {

	/** How many times a single node's first start is tried, each on fresh ports, when a port was taken meanwhile. */
	static final int START_ATTEMPTS = 3;

	private final Path directory;

	/** The client port; a single node's first start moves it when another process bound it in the meantime. */
	private volatile int port;

	/** The controller port: moved with {@link #port} for a single node, fixed by the voters for a cluster member. */
	private int controllerPort;

	/** {@code controller.quorum.voters} of a cluster member, or {@code null} for a single node (its own voter). */
	private final @Nullable String voters;

	private final String protocol;

	private final int replicas;

	/** Configuration lines beyond the defaults: SASL settings and the caller's broker properties. */
	private final List<String> extraLines = new java.util.ArrayList<>();

	/** Whether the broker has answered once: from then on clients know its port, so a restart keeps it. */
	private boolean started;

	private final Path config;

	private final int nodeId;

	private final List<String> jvmOptions;

	private @Nullable Process process;

	private final Map<String, Object> clientProperties;

	public BrokerProcess(Path directory) throws IOException, InterruptedException {
		this(directory, null);
	}

	/**
	 * A broker whose client listener takes SASL/PLAIN (SASL_PLAINTEXT) with these users, or PLAINTEXT when none.
	 * @param directory the broker's configuration and log directory
	 * @param saslUsers user names and passwords, or {@code null} for a PLAINTEXT listener
	 */
	public BrokerProcess(Path directory, @Nullable Map<String, String> saslUsers)
			throws IOException, InterruptedException {
		this(directory, saslUsers, 1, freePort(), null, Uuid.randomUuid().toString(), 1, List.of("-Xmx512m"), Map.of());
	}

	/**
	 * A single PLAINTEXT node with these broker properties added to (or replacing) the defaults, such as
	 * {@code offset.metadata.max.bytes}.
	 * @param directory the broker's configuration and log directory
	 * @param brokerProperties broker configuration, name to value
	 * @return the broker, formatted but not started
	 */
	public static BrokerProcess withBrokerProperties(Path directory, Map<String, String> brokerProperties)
			throws IOException, InterruptedException {
		return new BrokerProcess(directory, null, 1, freePort(), null, Uuid.randomUuid().toString(), 1,
				List.of("-Xmx512m"), brokerProperties);
	}

	/**
	 * One node of a cluster whose nodes are all broker and controller: the controller quorum is {@code voters},
	 * topics and the internal topics are created with {@code replicas} replicas and {@code min.insync.replicas} one
	 * less (so that one node may be down), and a follower is dropped from the ISR after 10 s without fetching.
	 * @param directory the node's configuration and log directory
	 * @param nodeId the node's id, as in {@code voters}
	 * @param port the client listener's port
	 * @param voters {@code controller.quorum.voters}: {@code id@localhost:controllerPort} for each node, the
	 * controller port of this node taken from its own entry
	 * @param clusterId the id the storage of every node is formatted with
	 * @param replicas the replication factor of topics and internal topics
	 * @param jvmOptions options of the node's JVM, such as its heap
	 * @return the node, formatted but not started
	 */
	public static BrokerProcess clusterMember(Path directory, int nodeId, int port, String voters, String clusterId,
			int replicas, List<String> jvmOptions) throws IOException, InterruptedException {
		return new BrokerProcess(directory, null, nodeId, port, voters, clusterId, replicas, jvmOptions, Map.of());
	}

	private BrokerProcess(Path directory, @Nullable Map<String, String> saslUsers, int nodeId, int port,
			@Nullable String voters, String clusterId, int replicas, List<String> jvmOptions,
			Map<String, String> brokerProperties) throws IOException, InterruptedException {
		this.directory = Files.createDirectories(directory);
		this.port = port;
		this.nodeId = nodeId;
		this.voters = voters;
		this.replicas = replicas;
		this.jvmOptions = List.copyOf(jvmOptions);
		this.controllerPort = (voters != null) ? controllerPort(voters, nodeId) : freePort();
		this.config = directory.resolve("server.properties");
		this.protocol = (saslUsers != null) ? "SASL_PLAINTEXT" : "PLAINTEXT";
		Map<String, Object> client = new java.util.HashMap<>();
		if (saslUsers != null) {
			String admin = saslUsers.keySet().iterator().next();
			StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required "
					+ "username=\"" + admin + "\" password=\"" + saslUsers.get(admin) + "\"");
			saslUsers.forEach((user, password) -> jaas.append(" user_" + user + "=\"" + password + "\""));
			jaas.append(';');
			this.extraLines.addAll(List.of("sasl.enabled.mechanisms=PLAIN", "sasl.mechanism.inter.broker.protocol=PLAIN",
					"listener.name.sasl_plaintext.plain.sasl.jaas.config=" + jaas));
			client.putAll(saslClient(admin, saslUsers.get(admin)));
		}
		brokerProperties.forEach((name, value) -> this.extraLines.add(name + "=" + value));
		this.clientProperties = Map.copyOf(client);
		writeConfig();
		Process format = java("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", this.config.toString())
			.redirectOutput(directory.resolve("format.log").toFile())
			.start();
		if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
			throw new IllegalStateException("Formatting the broker's storage failed: "
					+ Files.readString(directory.resolve("format.log")));
		}
	}

	/** Writes server.properties for the current ports; later lines win, so the caller's properties replace defaults. */
	private void writeConfig() throws IOException {
		String quorum = (this.voters != null) ? this.voters : this.nodeId + "@localhost:" + this.controllerPort;
		List<String> lines = new java.util.ArrayList<>(List.of("process.roles=broker,controller",
				"node.id=" + this.nodeId, "controller.quorum.voters=" + quorum,
				"listeners=" + this.protocol + "://localhost:" + this.port + ",CONTROLLER://localhost:"
						+ this.controllerPort,
				"advertised.listeners=" + this.protocol + "://localhost:" + this.port,
				"controller.listener.names=CONTROLLER",
				"listener.security.protocol.map=" + this.protocol + ":" + this.protocol + ",CONTROLLER:PLAINTEXT",
				"inter.broker.listener.name=" + this.protocol, "log.dirs=" + this.directory.resolve("logs"),
				"offsets.topic.replication.factor=" + this.replicas, "offsets.topic.num.partitions=1",
				"transaction.state.log.replication.factor=" + this.replicas,
				"transaction.state.log.min.isr=" + Math.max(1, this.replicas - 1), "group.initial.rebalance.delay.ms=0",
				"num.partitions=1", "broker.session.timeout.ms=2000", "broker.heartbeat.interval.ms=500"));
		if (this.replicas > 1) {
			lines.addAll(List.of("default.replication.factor=" + this.replicas,
					"min.insync.replicas=" + (this.replicas - 1), "replica.lag.time.max.ms=10000"));
		}
		lines.addAll(this.extraLines);
		lines.add("");
		Files.writeString(this.config, String.join("\n", lines));
	}

	private static int controllerPort(String voters, int nodeId) {
		for (String voter : voters.split(",")) {
			if (voter.startsWith(nodeId + "@")) {
				return Integer.parseInt(voter.substring(voter.lastIndexOf(':') + 1));
			}
		}
		throw new IllegalArgumentException("controller.quorum.voters " + voters + " has no entry for node " + nodeId);
	}

	/**
	 * What a client needs to reach the broker: the bootstrap servers and, for SASL, an administrator's login.
	 * @return client properties
	 */
	public Map<String, Object> clientProperties() {
		Map<String, Object> client = new java.util.HashMap<>(this.clientProperties);
		client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
		return Map.copyOf(client);
	}

	/**
	 * Client properties of a SASL/PLAIN login.
	 * @param user the user name
	 * @param password the password
	 * @return the properties
	 */
	public static Map<String, Object> saslClient(String user, String password) {
		return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config",
				"org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
						+ "\" password=\"" + password + "\";");
	}

	public String bootstrapServers() {
		return "localhost:" + this.port;
	}

	public int nodeId() {
		return this.nodeId;
	}

	/**
	 * Starts the broker and waits until it answers a client. The ports were chosen free before the broker binds
	 * them, so another process may take one in between; a single node's first start then moves to fresh ports and
	 * tries again (at most {@link #START_ATTEMPTS} times). A restart keeps its ports, since clients know them, and a
	 * cluster member's controller port is in every node's voters, so those fail with the broker's log instead.
	 */
	public void start() throws IOException {
		for (int attempt = 1;; attempt++) {
			long logStart = Files.exists(brokerLog()) ? Files.size(brokerLog()) : 0;
			launch();
			try {
				awaitUp();
				this.started = true;
				return;
			}
			catch (TerminalFailureException ex) {
				String log = Files.readString(brokerLog()).substring((int) logStart);
				boolean portTaken = log.contains("Address already in use");
				if (!portTaken || this.started || this.voters != null || attempt == START_ATTEMPTS) {
					throw new IllegalStateException("broker " + this.nodeId + " on port " + this.port + " (controller "
							+ this.controllerPort + ") exited" + (portTaken ? ", a port taken by another process" : "")
							+ "; its log ends: " + log.substring(Math.max(0, log.length() - 3000)), ex);
				}
				this.port = freePort();
				this.controllerPort = freePort();
				writeConfig();
			}
		}
	}

	private Path brokerLog() {
		return this.directory.resolve("broker.log");
	}

	/**
	 * Starts the broker's JVM without waiting: a node of a cluster cannot answer before a majority of the controller
	 * quorum runs, so a cluster launches all its nodes first.
	 */
	public void launch() throws IOException {
		this.process = java(this.jvmOptions, "kafka.Kafka", this.config.toString())
			.redirectOutput(ProcessBuilder.Redirect.appendTo(brokerLog().toFile()))
			.start();
	}

	/**
	 * Waits until the broker answers a client (at most 60 s).
	 * @throws TerminalFailureException at once when the broker's JVM exits first
	 */
	public void awaitUp() {
		Process launched = this.process;
		await().atMost(Duration.ofSeconds(60))
			.ignoreExceptions()
			.failFast("broker " + this.nodeId + " exited; see " + brokerLog(),
					() -> launched == null || !launched.isAlive())
			.until(() -> {
				Map<String, Object> config = new java.util.HashMap<>(clientProperties());
				config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
				config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
				try (Admin admin = Admin.create(config)) {
					return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
				}
			});
	}

	/** Stops the broker with SIGTERM, a controlled shutdown that hands its leaderships over first. */
	public void stop() throws InterruptedException {
		if (this.process != null) {
			this.process.destroy();
			if (!this.process.waitFor(60, TimeUnit.SECONDS)) {
				throw new IllegalStateException("broker " + this.nodeId + " did not stop within 60 s of SIGTERM");
			}
			this.process = null;
		}
	}

	public boolean isAlive() {
		return this.process != null && this.process.isAlive();
	}

	public void kill() throws InterruptedException {
		if (this.process != null) {
			this.process.destroyForcibly();
			this.process.waitFor(30, TimeUnit.SECONDS);
			this.process = null;
		}
	}

	@Override
	public void close() throws InterruptedException {
		kill();
	}

	public static ProcessBuilder java(String mainClass, String... args) {
		return java(List.of("-Xmx512m"), mainClass, args);
	}

	private static ProcessBuilder java(List<String> jvmOptions, String mainClass, String... args) {
		List<String> command = new java.util.ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(jvmOptions);
		command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
		command.addAll(List.of(args));
		return new ProcessBuilder(command).redirectErrorStream(true);
	}

	public static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
