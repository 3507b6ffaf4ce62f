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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.same;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

/**
 * The corners of composing the poll hook with the application's batch interceptor that {@link LedgerPollHookTests}
 * leaves out: exceptions, and the exact objects the application receives. Each of them is what the container's
 * error handling relies on: an exception out of {@code intercept} must reach {@link LedgerErrorHandler}, which seeks
 * the poll back, and a failing commit before the poll must not be hidden by the application's setup.
 */
class LedgerPollHookCompositionTests {

	private static final TopicPartition PARTITION = new TopicPartition("orders", 0);

	private final ListenerRuntime runtime = mock(ListenerRuntime.class);

	@SuppressWarnings("unchecked")
	private final BatchInterceptor<Object, Object> application = mock(BatchInterceptor.class);

	private final LedgerPollHook hook = new LedgerPollHook(this.runtime, this.application);

	private final MockConsumer<Object, Object> consumer = new MockConsumer<>("earliest");

	private final ConsumerRecords<Object, Object> records = new ConsumerRecords<>(
			Map.of(PARTITION, List.of(new ConsumerRecord<>("orders", 0, 0, "key", "value"))), Map.of());

	@Test
	void theApplicationsInterceptGetsThePollResultAndTheConsumerAsTheContainerPassedThem() {
		when(this.application.intercept(any(), any())).thenReturn(this.records);
		this.hook.intercept(this.records, this.consumer);
		verify(this.application).intercept(same(this.records), same(this.consumer));
	}

	@Test
	void anExceptionOfTheApplicationsInterceptReachesTheContainer() {
		IllegalStateException failure = new IllegalStateException("interceptor failed");
		when(this.application.intercept(any(), any())).thenThrow(failure);
		assertThatThrownBy(() -> this.hook.intercept(this.records, this.consumer)).isSameAs(failure);
	}

	@Test
	void aFailureBeforeThePollReachesTheContainerAndTheApplicationsSetupIsNotCalled() {
		IllegalStateException failure = new IllegalStateException("commit failed");
		doThrow(failure).when(this.runtime).beforePoll(this.consumer);
		assertThatThrownBy(() -> this.hook.setupThreadState(this.consumer)).isSameAs(failure);
		verifyNoInteractions(this.application);
	}

	@Test
	void anExceptionOfTheApplicationsSetupReachesTheContainerAfterTheLedgerRan() {
		IllegalStateException failure = new IllegalStateException("setup failed");
		doThrow(failure).when(this.application).setupThreadState(this.consumer);
		assertThatThrownBy(() -> this.hook.setupThreadState(this.consumer)).isSameAs(failure);
		InOrder order = inOrder(this.runtime, this.application);
		order.verify(this.runtime).beforePoll(this.consumer);
		order.verify(this.application).setupThreadState(this.consumer);
	}

	@Test
	void anExceptionOfTheApplicationsSuccessOrFailureCallbackReachesTheContainer() {
		IllegalStateException failure = new IllegalStateException("callback failed");
		doThrow(failure).when(this.application).success(this.records, this.consumer);
		doThrow(failure).when(this.application).failure(any(), any(), any());
		assertThatThrownBy(() -> this.hook.success(this.records, this.consumer)).isSameAs(failure);
		assertThatThrownBy(() -> this.hook.failure(this.records, new IllegalArgumentException(), this.consumer))
			.isSameAs(failure);
	}

	@Test
	void onlyTheSetupBeforeThePollReachesTheLedger() {
		this.hook.intercept(this.records, this.consumer);
		this.hook.success(this.records, this.consumer);
		this.hook.failure(this.records, new IllegalArgumentException(), this.consumer);
		this.hook.clearThreadState(this.consumer);
		verifyNoInteractions(this.runtime);
		assertThat(new LedgerPollHook(this.runtime, null).intercept(this.records, this.consumer))
			.isSameAs(this.records);
	}

}
