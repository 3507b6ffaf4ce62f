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

	public BrokerProcess(Path directory) throws IOException, InterruptedException {
		this.directory = Files.createDirectories(directory);
		this.port = freePort();
		int controllerPort = freePort();
		this.config = directory.resolve("server.properties");
		Files.writeString(this.config, String.join("\n", "process.roles=broker,controller", "node.id=1",
				"controller.quorum.voters=1@localhost:" + controllerPort,
				"listeners=PLAINTEXT://localhost:" + this.port + ",CONTROLLER://localhost:" + controllerPort,
				"advertised.listeners=PLAINTEXT://localhost:" + this.port, "controller.listener.names=CONTROLLER",
				"listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
				"log.dirs=" + directory.resolve("logs"), "offsets.topic.replication.factor=1",
				"offsets.topic.num.partitions=1", "transaction.state.log.replication.factor=1",
				"transaction.state.log.min.isr=1", "group.initial.rebalance.delay.ms=0", "num.partitions=1",
				"broker.session.timeout.ms=2000", "broker.heartbeat.interval.ms=500", ""));
		Process format = java("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c",
				this.config.toString())
			.redirectOutput(directory.resolve("format.log").toFile())
			.start();
		if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
			throw new IllegalStateException("Formatting the broker's storage failed: "
					+ Files.readString(directory.resolve("format.log")));
		}
	}

	public String bootstrapServers() {
		return "localhost:" + this.port;
	}

	public void start() throws IOException {
		this.process = java("kafka.Kafka", this.config.toString())
			.redirectOutput(ProcessBuilder.Redirect.appendTo(this.directory.resolve("broker.log").toFile()))
			.start();
		await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
			try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
					AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
					3000))) {
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
