package io.waterhealer.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.waterhealer.kafka.FailurePolicyIntegrationTests.Fixture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.support.KafkaHeaders;

import static io.waterhealer.kafka.KafkaTestSupport.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Kotlin {@code suspend fun} listener ({@link SuspendListener}, in src/test/kotlin) against the broker: each record
 * completes when the function returns, after it suspended and resumed off the worker thread; the one that throws is
 * retried and then dead-lettered with its exception.
 */
class SuspendListenerIntegrationTests {

	@Test
	void aSuspendFunCompletesItsRecordWhenItReturnsAndItsExceptionGoesToThePolicy() {
		Fixture fixture = new Fixture("suspend", 20, 7);
		SuspendListener listener = new SuspendListener();
		try (ConfigurableApplicationContext context = fixture.start(listener,
				"waterhealer.failure.policy=dead-letter", "waterhealer.retry.max-attempts=3",
				"waterhealer.retry.initial-interval=20ms")) {
			await().atMost(Duration.ofSeconds(30)).until(() -> fixture.committed() == 20L);
			assertThat(listener.done).hasSize(19).doesNotContain(7L);
			assertThat(listener.attempts.get()).isEqualTo(3);
			assertThat(listener.resumedOn).hasSize(22).noneMatch((thread) -> thread.startsWith("waterhealer-"));
			ConsumerRecord<byte[], byte[]> dead = fixture.readOne(fixture.topic + "-dlt");
			assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("7");
			assertThat(header(dead, KafkaHeaders.DLT_EXCEPTION_FQCN)).isEqualTo(IllegalStateException.class.getName());
			assertThat(header(dead, KafkaHeaders.DLT_EXCEPTION_MESSAGE)).contains("suspend 7 failed");
		}
	}

}
