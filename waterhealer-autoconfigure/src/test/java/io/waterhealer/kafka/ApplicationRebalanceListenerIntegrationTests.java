package io.waterhealer.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.waterhealer.HealingListener;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The application's own {@link ConsumerAwareRebalanceListener} bean (which Boot sets on its listener container
 * factory) keeps being called on a {@code @HealingListener}'s container, composed with the ledger's: after the
 * ledger on revocation, so that it sees the position the ledger committed for the partition it gives up.
 */
class ApplicationRebalanceListenerIntegrationTests {

	@Test
	void theApplicationsRebalanceListenerIsCalledAndSeesTheCommitTheLedgerMadeOnRevocation() {
		String topic = KafkaTestSupport.uniqueName("app-rebalance");
		String group = KafkaTestSupport.uniqueName("app-rebalance-group");
		KafkaTestSupport.createTopic(topic, 1);
		KafkaTestSupport.sendValues(topic, 0, List.of("a", "b", "c", "d", "e"));
		TopicPartition partition = new TopicPartition(topic, 0);
		Counting listener = new Counting();
		try (ConfigurableApplicationContext context = TestApplications.start(group, listener,
				RebalanceListenerConfiguration.class, "rebalance.topic=" + topic,
				"waterhealer.listener.commit-interval=60s", "waterhealer.failure.policy=halt",
				"waterhealer.retry.max-attempts=-1")) {
			RecordingRebalanceListener rebalance = context.getBean(RecordingRebalanceListener.class);
			await().atMost(Duration.ofSeconds(30)).until(() -> rebalance.assigned.contains(partition));
			await().atMost(Duration.ofSeconds(30)).until(() -> listener.seen.size() == 4);
			context.close();
			assertThat(rebalance.revoked).containsExactly(partition);
			// "c" (offset 2) never succeeds, so only the ledger's commit on revocation puts 2 on the broker within the
			// 60 s interval, and it did so before the application's listener was called
			assertThat(rebalance.committedWhenRevoked.get(partition)).isEqualTo(2L);
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class RebalanceListenerConfiguration {

		@Bean
		RecordingRebalanceListener recordingRebalanceListener() {
			return new RecordingRebalanceListener();
		}

	}

	static final class RecordingRebalanceListener implements ConsumerAwareRebalanceListener {

		final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();

		final List<TopicPartition> revoked = new CopyOnWriteArrayList<>();

		final Map<TopicPartition, Long> committedWhenRevoked = new ConcurrentHashMap<>();

		@Override
		public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
			this.assigned.addAll(partitions);
		}

		@Override
		public void onPartitionsRevokedBeforeCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
			this.revoked.addAll(partitions);
			Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions),
					Duration.ofSeconds(10));
			committed.forEach((tp, offset) -> this.committedWhenRevoked.put(tp, (offset != null) ? offset.offset() : -1));
		}

	}

	static class Counting {

		final Set<String> seen = ConcurrentHashMap.newKeySet();

		@HealingListener(id = "appRebalance", topics = "${rebalance.topic}")
		void handle(String value) {
			if (value.equals("c")) {
				throw new IllegalStateException("c never succeeds");
			}
			this.seen.add(value);
		}

	}

}
