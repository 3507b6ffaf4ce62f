package io.waterhealer.health;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.internals.KafkaFutureImpl;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * Whether the cluster answers, as the health monitor asks it: an admin client (a Mockito mock of Kafka's
 * {@link Admin}, handed in through the probe's factory seam) describes the cluster; only an answer with a node counts.
 */
class BrokerProbeTests {

	private static final Duration TIMEOUT = Duration.ofMillis(100);

	private final Admin admin = mock(Admin.class);

	private final AtomicInteger created = new AtomicInteger();

	private final BrokerProbe.AdminProbe probe = new BrokerProbe.AdminProbe(Map.of(), (config) -> {
		this.created.incrementAndGet();
		return this.admin;
	});

	@Test
	void aClusterThatDescribesANodeIsReachable() {
		answer(KafkaFuture.completedFuture(List.of(new Node(1, "localhost", 9092))));
		assertThat(this.probe.reachable(TIMEOUT)).isTrue();
	}

	@Test
	void aClusterThatDescribesNoNodeIsNotReachable() {
		answer(KafkaFuture.completedFuture(List.of()));
		assertThat(this.probe.reachable(TIMEOUT)).isFalse();
	}

	@Test
	void aDescribeThatFailsIsNotReachable() {
		KafkaFutureImpl<Collection<Node>> failed = new KafkaFutureImpl<>();
		failed.completeExceptionally(new TimeoutException("Timed out waiting for a node assignment"));
		answer(failed);
		assertThat(this.probe.reachable(TIMEOUT)).isFalse();
	}

	@Test
	void aDescribeThatNeverAnswersIsNotReachableOnceItsTimeoutPassed() {
		answer(new KafkaFutureImpl<>());
		assertThat(this.probe.reachable(TIMEOUT)).isFalse();
	}

	@Test
	void anAdminClientThatCannotBeCreatedIsNotReachableAndIsCreatedAgainOnTheNextProbe() {
		BrokerProbe.AdminProbe failing = new BrokerProbe.AdminProbe(Map.of(), (config) -> {
			if (this.created.incrementAndGet() == 1) {
				throw new KafkaException("Failed to create new KafkaAdminClient");
			}
			return this.admin;
		});
		answer(KafkaFuture.completedFuture(List.of(new Node(1, "localhost", 9092))));
		assertThat(failing.reachable(TIMEOUT)).isFalse();
		assertThat(failing.reachable(TIMEOUT)).isTrue();
		assertThat(this.created).hasValue(2);
	}

	@Test
	void oneAdminClientServesEveryProbeUntilTheProbeIsClosed() {
		answer(KafkaFuture.completedFuture(List.of(new Node(1, "localhost", 9092))));
		this.probe.reachable(TIMEOUT);
		this.probe.reachable(TIMEOUT);
		assertThat(this.created).hasValue(1);
		this.probe.close();
		verify(this.admin).close(any(Duration.class));
		this.probe.reachable(TIMEOUT);
		assertThat(this.created).hasValue(2);
	}

	@Test
	void aClusterNobodyListensForIsNotReachable() {
		try (BrokerProbe real = BrokerProbe.admin(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1"))) {
			assertThat(real.reachable(Duration.ofMillis(500))).isFalse();
		}
	}

	@Test
	void withoutAWayToReachTheClusterTheProbeAlwaysAnswers() {
		assertThat(BrokerProbe.NONE.reachable(TIMEOUT)).isTrue();
	}

	private void answer(KafkaFuture<Collection<Node>> nodes) {
		DescribeClusterResult result = mock(DescribeClusterResult.class);
		when(result.nodes()).thenReturn(nodes);
		when(this.admin.describeCluster(any(DescribeClusterOptions.class))).thenReturn(result);
	}

}
