package io.waterhealer.observation;

import java.util.function.Supplier;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.waterhealer.kafka.worker.AttemptObserver;
import io.waterhealer.settings.ListenerSettings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;

import org.springframework.kafka.support.micrometer.KafkaListenerObservation;
import org.springframework.kafka.support.micrometer.KafkaListenerObservation.DefaultKafkaListenerObservationConvention;
import org.springframework.kafka.support.micrometer.KafkaListenerObservationConvention;
import org.springframework.kafka.support.micrometer.KafkaRecordReceiverContext;

/**
 * Observes every attempt at a record as spring-kafka observes a {@code @KafkaListener} call: a
 * {@link KafkaListenerObservation#LISTENER_OBSERVATION} with a {@link KafkaRecordReceiverContext}, whose propagator
 * reads the trace the producer wrote into the record's headers, so the attempt's span is a child of it. It is opened
 * on the worker thread, where spring-kafka's own (on the consumer thread) would be of no use to the handler.
 * <p>
 * Beside the convention's key values, each observation carries waterhealer's low-cardinality
 * {@value #LISTENER_KEY}, {@value #ORDERING_KEY} and {@value #OUTCOME_KEY} ({@code success} or {@code failure}),
 * and the high-cardinality {@value #ATTEMPT_KEY} (1 for the first attempt).
 */
public final class ListenerObservations implements AttemptObserver.Factory {

	/** The listener's id. */
	public static final String LISTENER_KEY = "waterhealer.listener";

	/** The listener's ordering ({@code UNORDERED}, {@code KEY}, {@code PARTITION}). */
	public static final String ORDERING_KEY = "waterhealer.ordering";

	/** How the attempt ended: {@code success} or {@code failure}. */
	public static final String OUTCOME_KEY = "waterhealer.outcome";

	/** Which attempt at the record this was, from 1. */
	public static final String ATTEMPT_KEY = "waterhealer.attempt";

	private final ObservationRegistry registry;

	private final @Nullable KafkaListenerObservationConvention convention;

	/**
	 * Create the factory.
	 * @param registry where observations go
	 * @param convention the application's convention, or {@code null} for spring-kafka's default
	 */
	public ListenerObservations(ObservationRegistry registry, @Nullable KafkaListenerObservationConvention convention) {
		this.registry = registry;
		this.convention = convention;
	}

	@Override
	public AttemptObserver forListener(ListenerSettings settings) {
		String listenerId = settings.id();
		String ordering = settings.ordering().name();
		return (record, attempt) -> open(record, listenerId, ordering, attempt);
	}

	private AttemptObserver.Attempt open(ConsumerRecord<?, ?> record, String listenerId, String ordering,
			int attempt) {
		Observation observation = KafkaListenerObservation.LISTENER_OBSERVATION.observation(this.convention,
				DefaultKafkaListenerObservationConvention.INSTANCE, () -> context(record, listenerId), this.registry);
		if (observation.isNoop()) {
			return AttemptObserver.Attempt.NONE;
		}
		observation.lowCardinalityKeyValue(LISTENER_KEY, listenerId)
			.lowCardinalityKeyValue(ORDERING_KEY, ordering)
			.highCardinalityKeyValue(ATTEMPT_KEY, Integer.toString(attempt))
			.start();
		return new ObservedAttempt(observation);
	}

	@SuppressWarnings("NullAway") // the context accepts no cluster id (it names the remote service without one)
	private static KafkaRecordReceiverContext context(ConsumerRecord<?, ?> record, String listenerId) {
		Supplier<String> noClusterId = () -> null;
		return new KafkaRecordReceiverContext(record, listenerId, null, null, noClusterId);
	}

}
