package io.waterhealer.observation;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.waterhealer.autoconfigure.WaterhealerProperties;
import io.waterhealer.kafka.worker.AttemptObserver;
import io.waterhealer.settings.ListenerSettings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.support.micrometer.KafkaListenerObservationConvention;
import org.springframework.kafka.support.micrometer.KafkaRecordReceiverContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where an attempt's observation is current, on a plain {@link ObservationRegistry} with a handler that notes which
 * thread opened and closed each scope: the scope belongs to the worker thread that opened it, whatever thread ends
 * the attempt.
 */
class ListenerObservationsTests {

	private final ObservationRegistry registry = ObservationRegistry.create();

	private final List<String> events = new CopyOnWriteArrayList<>();

	private final ListenerSettings settings = new WaterhealerProperties().toListenerDefaults();

	private final ConsumerRecord<Object, Object> record = new ConsumerRecord<>("orders", 0, 42L, "key", "value");

	ListenerObservationsTests() {
		this.registry.observationConfig().observationHandler(new ObservationHandler<>() {

			@Override
			public boolean supportsContext(Observation.Context context) {
				return true;
			}

			@Override
			public void onScopeOpened(Observation.Context context) {
				ListenerObservationsTests.this.events.add("open " + Thread.currentThread().getName());
			}

			@Override
			public void onScopeClosed(Observation.Context context) {
				ListenerObservationsTests.this.events.add("close " + Thread.currentThread().getName());
			}

			@Override
			public void onStop(Observation.Context context) {
				ListenerObservationsTests.this.events.add("stop");
			}

		});
	}

	private AttemptObserver observer() {
		return new ListenerObservations(this.registry, null).forListener(this.settings);
	}

	@Test
	void anAttemptIsCurrentOnItsThreadWithTheRecordsContextUntilItsScopeCloses() {
		AttemptObserver.Attempt attempt = observer().open(this.record, 1);
		Observation current = this.registry.getCurrentObservation();
		assertThat(current).isNotNull();
		KafkaRecordReceiverContext context = (KafkaRecordReceiverContext) current.getContext();
		assertThat(context.getRecord()).isSameAs(this.record);
		assertThat(context.getListenerId()).isEqualTo(this.settings.id());
		assertThat(context.getName()).isEqualTo("spring.kafka.listener");
		assertThat(context.getLowCardinalityKeyValue(ListenerObservations.LISTENER_KEY).getValue())
			.isEqualTo(this.settings.id());
		assertThat(context.getLowCardinalityKeyValue(ListenerObservations.ORDERING_KEY).getValue())
			.isEqualTo(this.settings.ordering().name());
		assertThat(context.getHighCardinalityKeyValue(ListenerObservations.ATTEMPT_KEY).getValue()).isEqualTo("1");
		attempt.closeScope();
		assertThat(this.registry.getCurrentObservation()).isNull();
		attempt.stop(null);
		assertThat(context.getLowCardinalityKeyValue(ListenerObservations.OUTCOME_KEY).getValue())
			.isEqualTo("success");
	}

	@Test
	void theNextAttemptOnTheSameThreadIsNotAChildOfTheLast() {
		AttemptObserver observer = observer();
		AttemptObserver.Attempt first = observer.open(this.record, 1);
		Observation firstObservation = this.registry.getCurrentObservation();
		first.closeScope();
		first.stop(null);
		AttemptObserver.Attempt next = observer.open(new ConsumerRecord<>("orders", 0, 43L, "key", "value"), 1);
		Observation second = this.registry.getCurrentObservation();
		next.stop(null);
		assertThat(second).isNotNull().isNotSameAs(firstObservation);
		assertThat(second.getContext().getParentObservation()).isNull();
	}

	@Test
	void stoppingOnTheOpeningThreadClosesItsScopeFirst() {
		AttemptObserver.Attempt attempt = observer().open(this.record, 1);
		attempt.stop(null);
		attempt.closeScope();
		String thread = Thread.currentThread().getName();
		assertThat(this.events).containsExactly("open " + thread, "close " + thread, "stop");
		assertThat(this.registry.getCurrentObservation()).isNull();
	}

	@Test
	void anotherThreadThatEndsTheAttemptLeavesTheOpenersScopeToTheOpener() {
		AttemptObserver.Attempt attempt = observer().open(this.record, 1);
		Observation opened = this.registry.getCurrentObservation();
		AtomicReference<Observation> currentThere = new AtomicReference<>();
		AtomicReference<Observation> afterThere = new AtomicReference<>();
		CompletableFuture.runAsync(() -> {
			attempt.within(() -> currentThere.set(this.registry.getCurrentObservation()));
			afterThere.set(this.registry.getCurrentObservation());
			attempt.stop(new IllegalStateException("failed later"));
		}).join();
		assertThat(currentThere.get()).isSameAs(opened);
		assertThat(afterThere.get()).isNull();
		// still open here until the opener closes it
		assertThat(this.registry.getCurrentObservation()).isSameAs(opened);
		String thread = Thread.currentThread().getName();
		assertThat(this.events).first().isEqualTo("open " + thread);
		assertThat(this.events).doesNotContain("close " + thread);
		attempt.closeScope();
		assertThat(this.registry.getCurrentObservation()).isNull();
		assertThat(this.events).last().isEqualTo("close " + thread);
		assertThat(opened.getContext().getError()).hasMessage("failed later");
		assertThat(opened.getContext().getLowCardinalityKeyValue(ListenerObservations.OUTCOME_KEY).getValue())
			.isEqualTo("failure");
	}

	/** The registry's current observation is per thread, not per registry: no test may leave one open. */
	@AfterEach
	void nothingStaysOpenOnThisThread() {
		assertThat(this.registry.getCurrentObservation()).isNull();
	}

	@Test
	void anAttemptStopsOnce() {
		AttemptObserver.Attempt attempt = observer().open(this.record, 2);
		attempt.stop(null);
		attempt.stop(new IllegalStateException("late"));
		assertThat(this.events).filteredOn("stop"::equals).hasSize(1);
	}

	@Test
	void theApplicationsConventionApplies() {
		KafkaListenerObservationConvention convention = new KafkaListenerObservationConvention() {

			@Override
			public String getName() {
				return "orders.received";
			}

			@Override
			public KeyValues getLowCardinalityKeyValues(KafkaRecordReceiverContext context) {
				return KeyValues.of(KeyValue.of("team", "payments"));
			}

		};
		AttemptObserver.Attempt attempt = new ListenerObservations(this.registry, convention)
			.forListener(this.settings)
			.open(this.record, 1);
		Observation current = this.registry.getCurrentObservation();
		attempt.stop(null);
		assertThat(current).isNotNull();
		assertThat(current.getContext().getName()).isEqualTo("orders.received");
		assertThat(current.getContext().getLowCardinalityKeyValue("team").getValue()).isEqualTo("payments");
		assertThat(current.getContext().getLowCardinalityKeyValue(ListenerObservations.LISTENER_KEY)).isNotNull();
	}

	@Test
	void aRegistryThatObservesNothingCostsNothing() {
		AttemptObserver.Attempt attempt = new ListenerObservations(ObservationRegistry.NOOP, null)
			.forListener(this.settings)
			.open(this.record, 1);
		assertThat(attempt).isSameAs(AttemptObserver.Attempt.NONE);
	}

}
