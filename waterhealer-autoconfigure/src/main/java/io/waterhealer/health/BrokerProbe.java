package io.waterhealer.health;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaException;
import org.jspecify.annotations.Nullable;

/**
 * Tells whether the Kafka cluster answers, with an admin client of the application's own connection settings
 * (security settings included): the dependency the listeners cannot work without.
 */
public interface BrokerProbe extends AutoCloseable {

	/** A probe for applications without a way to reach the cluster: always reachable. */
	BrokerProbe NONE = (timeout) -> true;

	/**
	 * Ask the cluster to describe itself.
	 * @param timeout how long to wait for the answer
	 * @return whether it answered with at least one node
	 */
	boolean reachable(Duration timeout);

	@Override
	default void close() {
	}

	/**
	 * A probe that uses an admin client with the given configuration.
	 * @param adminConfig the admin client configuration, e.g. from Spring's {@code KafkaAdmin}
	 * @return the probe
	 */
	static BrokerProbe admin(Map<String, Object> adminConfig) {
		return new AdminProbe(adminConfig);
	}

	/** Describes the cluster with a long-lived admin client. */
	final class AdminProbe implements BrokerProbe {

		private final Map<String, Object> config;

		/** {@link Admin#create(Map)} but in tests, which hand in an admin client whose answers they choose. */
		private final Function<Map<String, Object>, Admin> adminFactory;

		private @Nullable Admin admin;

		AdminProbe(Map<String, Object> config) {
			this(config, Admin::create);
		}

		AdminProbe(Map<String, Object> config, Function<Map<String, Object>, Admin> adminFactory) {
			this.config = config;
			this.adminFactory = adminFactory;
		}

		@Override
		public synchronized boolean reachable(Duration timeout) {
			try {
				if (this.admin == null) {
					this.admin = this.adminFactory.apply(this.config);
				}
				return !this.admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
					.nodes()
					.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)
					.isEmpty();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return true;
			}
			catch (ExecutionException | TimeoutException | KafkaException ex) {
				return false;
			}
		}

		@Override
		public synchronized void close() {
			if (this.admin != null) {
				this.admin.close(Duration.ofSeconds(5));
				this.admin = null;
			}
		}

	}

}
