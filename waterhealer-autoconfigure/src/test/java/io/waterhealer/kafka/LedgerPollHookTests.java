package io.waterhealer.kafka;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

import org.springframework.kafka.listener.BatchInterceptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

/**
 * Our poll hook takes the container's one batch-interceptor slot, so the application's interceptor is composed
 * behind it: every call must reach it, and what its {@code intercept} returns is what the listener gets.
 */
class LedgerPollHookTests {

	private static final TopicPartition PARTITION = new TopicPartition("orders", 0);

	private final ListenerRuntime runtime = mock(ListenerRuntime.class);

	@SuppressWarnings("unchecked")
	private final BatchInterceptor<Object, Object> application = mock(BatchInterceptor.class);

	private final LedgerPollHook hook = new LedgerPollHook(this.runtime, this.application);

	private final MockConsumer<Object, Object> consumer = new MockConsumer<>("earliest");

	private final ConsumerRecords<Object, Object> records = records(0, 1, 2, 3);

	@Test
	void beforeEveryPollTheLedgerRunsFirstAndThenTheApplicationsSetup() {
		this.hook.setupThreadState(this.consumer);
		InOrder order = inOrder(this.runtime, this.application);
		order.verify(this.runtime).beforePoll(this.consumer);
		order.verify(this.application).setupThreadState(this.consumer);
	}

	@Test
	void whatTheApplicationsInterceptReturnsIsWhatTheListenerGets() {
		ConsumerRecords<Object, Object> filtered = records(0, 2);
		when(this.application.intercept(this.records, this.consumer)).thenReturn(filtered);
		assertThat(this.hook.intercept(this.records, this.consumer)).isSameAs(filtered);
	}

	@Test
	void anInterceptThatDropsThePollIsPassedOn() {
		when(this.application.intercept(any(), any())).thenReturn(null);
		assertThat(this.hook.intercept(this.records, this.consumer)).isNull();
	}

	@Test
	void successFailureAndClearReachTheApplication() {
		IllegalStateException failure = new IllegalStateException("listener failed");
		this.hook.success(this.records, this.consumer);
		this.hook.failure(this.records, failure, this.consumer);
		this.hook.clearThreadState(this.consumer);
		verify(this.application).success(this.records, this.consumer);
		verify(this.application).failure(this.records, failure, this.consumer);
		verify(this.application).clearThreadState(this.consumer);
	}

	@Test
	void withoutAnApplicationInterceptorTheLedgerStillRunsBeforeEveryPollAndRecordsPassUnchanged() {
		LedgerPollHook alone = new LedgerPollHook(this.runtime, null);
		alone.setupThreadState(this.consumer);
		assertThat(alone.intercept(this.records, this.consumer)).isSameAs(this.records);
		alone.success(this.records, this.consumer);
		alone.failure(this.records, new IllegalStateException("listener failed"), this.consumer);
		alone.clearThreadState(this.consumer);
		verify(this.runtime).beforePoll(this.consumer);
		verifyNoInteractions(this.application);
	}

	private static ConsumerRecords<Object, Object> records(long... offsets) {
		List<ConsumerRecord<Object, Object>> list = new java.util.ArrayList<>();
		for (long offset : offsets) {
			list.add(new ConsumerRecord<>("orders", 0, offset, "key", "value-" + offset));
		}
		return new ConsumerRecords<>(Map.of(PARTITION, list), Map.of());
	}

}
