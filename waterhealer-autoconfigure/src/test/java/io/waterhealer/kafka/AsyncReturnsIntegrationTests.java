package io.waterhealer.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.waterhealer.HealingListener;
import io.waterhealer.Ordering;
import io.waterhealer.kafka.FailurePolicyIntegrationTests.Fixture;
import io.waterhealer.kafka.worker.CompletionTimeoutException;
import io.waterhealer.kafka.worker.DeadLetterPublisher;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.support.KafkaHeaders;

import static io.waterhealer.kafka.KafkaTestSupport.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Listener methods that complete their records later, against the broker: a {@code Mono} completes its record when
 * it emits (on a Reactor thread), and its error is retried and then goes to the policy; a future that is never
 * completed fails its attempt after the completion timeout, is retried, and goes to the policy as well, so that the
 * partition moves on instead of waiting for good.
 */
class AsyncReturnsIntegrationTests {

	@Test
	void aMonoCompletesItsRecordAndItsErrorIsRetriedThenDeadLettered() {
		Fixture fixture = new Fixture("mono", 20, 7);
		MonoListener listener = new MonoListener();
		try (ConfigurableApplicationContext context = fixture.start(listener,
				"waterhealer.failure.policy=dead-letter", "waterhealer.retry.max-attempts=3",
				"waterhealer.retry.initial-interval=20ms")) {
			await().atMost(Duration.ofSeconds(30)).until(() -> fixture.committed() == 20L);
			assertThat(listener.done).hasSize(19).doesNotContain(7L);
			assertThat(listener.completedOn).allMatch((thread) -> thread.startsWith("parallel-"));
			assertThat(listener.attempts.get()).isEqualTo(3);
			ConsumerRecord<byte[], byte[]> dead = fixture.readOne(fixture.topic + "-dlt");
			assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("7");
			assertThat(header(dead, KafkaHeaders.DLT_EXCEPTION_FQCN)).isEqualTo(IllegalStateException.class.getName());
			assertThat(header(dead, KafkaHeaders.DLT_EXCEPTION_MESSAGE)).contains("mono 7 failed");
		}
	}

	@Test
	void aFutureNeverCompletedFailsAfterTheTimeoutIsRetriedAndDeadLettered() {
		Fixture fixture = new Fixture("never", 20, 7);
		ForgetfulListener listener = new ForgetfulListener();
		try (ConfigurableApplicationContext context = fixture.start(listener,
				"waterhealer.failure.policy=dead-letter", "waterhealer.retry.max-attempts=2",
				"waterhealer.retry.initial-interval=20ms", "waterhealer.listener.completion-timeout=500ms")) {
			await().atMost(Duration.ofSeconds(30)).until(() -> fixture.committed() == 20L);
			assertThat(listener.done).hasSize(19).doesNotContain(7L);
			assertThat(listener.forgotten).hasSize(2);
			ConsumerRecord<byte[], byte[]> dead = fixture.readOne(fixture.topic + "-dlt");
			assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("7");
			assertThat(header(dead, KafkaHeaders.DLT_EXCEPTION_FQCN))
				.isEqualTo(CompletionTimeoutException.class.getName());
			assertThat(header(dead, KafkaHeaders.DLT_EXCEPTION_MESSAGE))
				.contains("@HealingListener 'policy' did not complete " + fixture.topic + "-0@7 within PT0.5S");
			assertThat(header(dead, DeadLetterPublisher.ATTEMPTS_HEADER)).isEqualTo("2");
			// completing the forgotten futures now changes nothing: the record is dead-lettered and committed past
			listener.forgotten.forEach((future) -> future.complete(null));
			assertThat(listener.done).doesNotContain(7L);
		}
	}

	@Test
	void theAnnotationsCompletionTimeoutOverridesTheProperty() {
		Fixture fixture = new Fixture("never-attr", 20, 7);
		AnnotatedForgetfulListener listener = new AnnotatedForgetfulListener();
		try (ConfigurableApplicationContext context = fixture.start(listener, "waterhealer.failure.policy=skip",
				"waterhealer.retry.max-attempts=1", "waterhealer.listener.completion-timeout=10m")) {
			await().atMost(Duration.ofSeconds(30)).until(() -> fixture.committed() == 20L);
			assertThat(listener.forgotten).hasSize(1);
		}
	}

	/** Completes every record on a Reactor thread; record 7's Mono always fails. */
	static class MonoListener {

		final Set<Long> done = ConcurrentHashMap.newKeySet();

		final List<String> completedOn = new CopyOnWriteArrayList<>();

		final AtomicInteger attempts = new AtomicInteger();

		@HealingListener(id = "policy", topics = "${policy.topic}", ordering = Ordering.UNORDERED)
		Mono<String> process(ConsumerRecord<String, String> record) {
			return Mono.delay(Duration.ofMillis(5)).map((tick) -> {
				this.completedOn.add(Thread.currentThread().getName());
				if (record.offset() == 7) {
					this.attempts.incrementAndGet();
					throw new IllegalStateException("mono " + record.offset() + " failed");
				}
				this.done.add(record.offset());
				return record.value();
			});
		}

	}

	/** Returns a future it never completes for record 7, as code that forgets a branch does. */
	static class ForgetfulListener {

		final Set<Long> done = ConcurrentHashMap.newKeySet();

		final List<CompletableFuture<Void>> forgotten = new CopyOnWriteArrayList<>();

		@HealingListener(id = "policy", topics = "${policy.topic}", ordering = Ordering.UNORDERED)
		CompletableFuture<Void> process(ConsumerRecord<String, String> record) {
			if (record.offset() == 7) {
				CompletableFuture<Void> never = new CompletableFuture<>();
				this.forgotten.add(never);
				return never;
			}
			return CompletableFuture.runAsync(() -> this.done.add(record.offset()));
		}

	}

	/** As {@link ForgetfulListener}, with its own timeout. */
	static class AnnotatedForgetfulListener {

		final List<CompletableFuture<Void>> forgotten = new CopyOnWriteArrayList<>();

		@HealingListener(id = "policy", topics = "${policy.topic}", ordering = Ordering.UNORDERED,
				completionTimeout = "300ms")
		CompletableFuture<Void> process(ConsumerRecord<String, String> record) {
			if (record.offset() == 7) {
				CompletableFuture<Void> never = new CompletableFuture<>();
				this.forgotten.add(never);
				return never;
			}
			return CompletableFuture.completedFuture(null);
		}

	}

}
