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
import org.jspecify.annotations.Nullable;

import static org.awaitility.Awaitility.await;

/**
 * A single-node KRaft Kafka broker in its own JVM ({@code kafka.Kafka} from the test classpath), so that a test can
 * kill it with SIGKILL and start it again on the same port and log directory.
 */
public final class BrokerProcess implements AutoCloseable {

	private final Path directory;

	private final int port;

	private final Path config;

	private Process process;

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
		this.directory = Files.createDirectories(directory);
		this.port = freePort();
		int controllerPort = freePort();
		this.config = directory.resolve("server.properties");
		String protocol = (saslUsers != null) ? "SASL_PLAINTEXT" : "PLAINTEXT";
		List<String> lines = new java.util.ArrayList<>(List.of("process.roles=broker,controller", "node.id=1",
				"controller.quorum.voters=1@localhost:" + controllerPort,
				"listeners=" + protocol + "://localhost:" + this.port + ",CONTROLLER://localhost:" + controllerPort,
				"advertised.listeners=" + protocol + "://localhost:" + this.port, "controller.listener.names=CONTROLLER",
				"listener.security.protocol.map=" + protocol + ":" + protocol + ",CONTROLLER:PLAINTEXT",
				"inter.broker.listener.name=" + protocol,
				"log.dirs=" + directory.resolve("logs"), "offsets.topic.replication.factor=1",
				"offsets.topic.num.partitions=1", "transaction.state.log.replication.factor=1",
				"transaction.state.log.min.isr=1", "group.initial.rebalance.delay.ms=0", "num.partitions=1",
				"broker.session.timeout.ms=2000", "broker.heartbeat.interval.ms=500"));
		Map<String, Object> client = new java.util.HashMap<>();
		client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + this.port);
		if (saslUsers != null) {
			String admin = saslUsers.keySet().iterator().next();
			StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required "
					+ "username=\"" + admin + "\" password=\"" + saslUsers.get(admin) + "\"");
			saslUsers.forEach((user, password) -> jaas.append(" user_" + user + "=\"" + password + "\""));
			jaas.append(';');
			lines.addAll(List.of("sasl.enabled.mechanisms=PLAIN", "sasl.mechanism.inter.broker.protocol=PLAIN",
					"listener.name.sasl_plaintext.plain.sasl.jaas.config=" + jaas));
			client.putAll(saslClient(admin, saslUsers.get(admin)));
		}
		this.clientProperties = Map.copyOf(client);
		lines.add("");
		Files.writeString(this.config, String.join("\n", lines));
		Process format = java("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c",
				this.config.toString())
			.redirectOutput(directory.resolve("format.log").toFile())
			.start();
		if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
			throw new IllegalStateException("Formatting the broker's storage failed: "
					+ Files.readString(directory.resolve("format.log")));
		}
	}

	/**
	 * What a client needs to reach the broker: the bootstrap servers and, for SASL, an administrator's login.
	 * @return client properties
	 */
	public Map<String, Object> clientProperties() {
		return this.clientProperties;
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

	public void start() throws IOException {
		this.process = java("kafka.Kafka", this.config.toString())
			.redirectOutput(ProcessBuilder.Redirect.appendTo(this.directory.resolve("broker.log").toFile()))
			.start();
		await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
			Map<String, Object> config = new java.util.HashMap<>(this.clientProperties);
			config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
			config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
			try (Admin admin = Admin.create(config)) {
				return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
			}
		});
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
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx512m", "-cp",
				System.getProperty("java.class.path"), mainClass));
		command.addAll(List.of(args));
		return new ProcessBuilder(command).redirectErrorStream(true);
	}

	public static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
