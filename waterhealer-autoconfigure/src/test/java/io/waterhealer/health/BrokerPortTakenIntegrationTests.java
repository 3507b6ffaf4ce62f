package io.waterhealer.health;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link BrokerProcess} picks its ports free and the broker binds them seconds later, when another process (a
 * parallel build, another broker) may have taken one. Taking the client port in that window must not fail the start:
 * the broker comes up on another port and {@link BrokerProcess#bootstrapServers()} names the one it bound.
 */
class BrokerPortTakenIntegrationTests {

	@TempDir
	Path work;

	@Test
	void aBrokerWhosePortWasTakenBeforeItStartsComesUpOnAnotherAndSaysWhich() throws Exception {
		try (BrokerProcess broker = new BrokerProcess(this.work.resolve("broker"))) {
			int chosen = port(broker.bootstrapServers());
			try (ServerSocket thief = new ServerSocket(chosen, 50, InetAddress.getByName("localhost"))) {
				broker.start();
				assertThat(port(broker.bootstrapServers())).isNotEqualTo(chosen);
				try (Admin admin = Admin.create(Map.copyOf(broker.clientProperties()))) {
					assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS))
						.singleElement()
						.satisfies((node) -> assertThat(node.port()).isEqualTo(port(broker.bootstrapServers())));
				}
			}
		}
	}

	private static int port(String bootstrapServers) {
		return Integer.parseInt(bootstrapServers.substring(bootstrapServers.lastIndexOf(':') + 1));
	}

}
