package io.waterhealer.bench.peers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * The benchmark's broker: a single-node KRaft Kafka ({@code kafka.Kafka} from the test classpath) on loopback in its
 * own JVM, so that its CPU is not charged to any contender and no contender shares a JVM with it.
 */
final class BenchBroker implements AutoCloseable {

	private final Process process;

	private final String bootstrapServers;

	private BenchBroker(Process process, String bootstrapServers) {
		this.process = process;
		this.bootstrapServers = bootstrapServers;
	}

	static BenchBroker start(Path directory, String heap) throws IOException, InterruptedException {
		Files.createDirectories(directory);
		int port = freePort();
		int controllerPort = freePort();
		Path config = directory.resolve("server.properties");
		Files.writeString(config, String.join("\n", "process.roles=broker,controller", "node.id=1",
				"controller.quorum.voters=1@127.0.0.1:" + controllerPort,
				"listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
				"advertised.listeners=PLAINTEXT://127.0.0.1:" + port, "controller.listener.names=CONTROLLER",
				"listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
				"log.dirs=" + directory.resolve("logs"), "offsets.topic.replication.factor=1",
				"offsets.topic.num.partitions=1", "transaction.state.log.replication.factor=1",
				"transaction.state.log.min.isr=1", "group.initial.rebalance.delay.ms=0", "num.partitions=1",
				"auto.create.topics.enable=false", ""));
		Process format = java(heap, "kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c",
				config.toString())
			.redirectOutput(directory.resolve("format.log").toFile())
			.start();
		if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
			throw new IllegalStateException(
					"Formatting the broker's storage failed: " + Files.readString(directory.resolve("format.log")));
		}
		Process process = java(heap, "kafka.Kafka", config.toString())
			.redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("broker.log").toFile()))
			.start();
		BenchBroker broker = new BenchBroker(process, "127.0.0.1:" + port);
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
		while (!broker.ready(port)) {
			if (!process.isAlive() || System.nanoTime() > deadline) {
				broker.close();
				throw new IllegalStateException("The benchmark broker did not start; see "
						+ directory.resolve("broker.log"));
			}
			TimeUnit.MILLISECONDS.sleep(200);
		}
		return broker;
	}

	private boolean ready(int port) {
		// a TCP connection first, so that no AdminClient logs "could not be established" while the JVM starts
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
		}
		catch (IOException ex) {
			return false;
		}
		try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, this.bootstrapServers,
				AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
				3000))) {
			return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
		}
		catch (Exception ex) {
			return false;
		}
	}

	String bootstrapServers() {
		return this.bootstrapServers;
	}

	long pid() {
		return this.process.pid();
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
			this.process.destroyForcibly();
			this.process.waitFor(30, TimeUnit.SECONDS);
		}
	}

	static ProcessBuilder java(String heap, String mainClass, String... args) {
		List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xms" + heap, "-Xmx" + heap, "-cp",
				System.getProperty("java.class.path"), mainClass));
		command.addAll(List.of(args));
		return new ProcessBuilder(command).redirectErrorStream(true);
	}

	static String javaExecutable() {
		return Path.of(System.getProperty("java.home"), "bin", "java").toString();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
