package io.waterhealer.actuate;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.waterhealer.metrics.ListenerMetrics;
import io.waterhealer.metrics.ListenerMetricsFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * {@code /actuator/deadletters}: what each {@code DEAD_LETTER} listener's dead-letter topics hold, and the replay of
 * those dead letters to the topics they came from once the bug that sent them there is fixed.
 * <p>
 * The read shows counts, offsets, times and exception class names, never a key, a value or an exception message:
 * dead letters hold the data that failed, often personal. The replay ({@code POST /actuator/deadletters/{listener}}
 * with {@code {}}, {@code {"partition":0,"from":5,"to":9}} or {@code {"exception":"com.example.BugException"}}) is a
 * write: like every write operation it is refused until the application grants it
 * ({@code management.endpoint.deadletters.access=unrestricted}) besides exposing the endpoint
 * ({@code management.endpoints.web.exposure.include=deadletters}). Replays commit the listener's replay group
 * ({@code <group>-replay}) on the dead-letter topic, so a dead letter is replayed once however often the operator
 * asks, across restarts.
 */
@Endpoint(id = "deadletters", defaultAccess = Access.READ_ONLY)
public class DeadLettersEndpoint {

	private final Supplier<Map<String, DeadLetterSource>> sources;

	private final @Nullable ListenerMetricsFactory metricsFactory;

	private final Map<String, ListenerMetrics> metrics = new ConcurrentHashMap<>();

	/**
	 * Create the endpoint.
	 * @param sources the dead-letter topics and clients of every {@code DEAD_LETTER} listener, by id
	 * @param metricsFactory counts replayed records, if metrics are on
	 */
	public DeadLettersEndpoint(Supplier<Map<String, DeadLetterSource>> sources,
			@Nullable ListenerMetricsFactory metricsFactory) {
		this.sources = sources;
		this.metricsFactory = metricsFactory;
	}

	/**
	 * What the dead-letter topics of every {@code DEAD_LETTER} listener hold, read from the broker now.
	 * @return the dead letters by listener id
	 */
	@ReadOperation
	public Map<String, ListenerDeadLetters> deadLetters() {
		Map<String, ListenerDeadLetters> result = new TreeMap<>();
		this.sources.get().forEach((id, source) -> result.put(id, DeadLetterInventory.read(source)));
		return result;
	}

	/**
	 * What one listener's dead-letter topics hold.
	 * @param listener the listener id
	 * @return its dead letters, or 404 with a message when it is no {@code DEAD_LETTER} listener on this instance
	 */
	@ReadOperation
	public WebEndpointResponse<?> listener(@Selector String listener) {
		DeadLetterSource source = this.sources.get().get(listener);
		if (source == null) {
			return notFound(listener);
		}
		return new WebEndpointResponse<>(DeadLetterInventory.read(source));
	}

	/**
	 * Replay a listener's dead letters to their original topics. One replay at a time on this instance.
	 * @param listener the listener id
	 * @param partition only this partition of its dead-letter topics
	 * @param from only from this offset (inclusive; needs {@code partition})
	 * @param to only up to this offset (inclusive; needs {@code partition})
	 * @param exception only dead letters of this exception class, as thrown or as root cause
	 * @return how many were replayed, per partition
	 */
	@WriteOperation
	public synchronized WebEndpointResponse<?> replay(@Selector String listener, @Nullable Integer partition,
			@Nullable Long from, @Nullable Long to, @Nullable String exception) {
		DeadLetterSource source = this.sources.get().get(listener);
		if (source == null) {
			return notFound(listener);
		}
		if ((from != null || to != null) && partition == null) {
			return new WebEndpointResponse<>(Map.of("message", "an offset range (from, to) needs a partition, "
					+ "e.g. {\"partition\":0,\"from\":5,\"to\":9}"), WebEndpointResponse.STATUS_BAD_REQUEST);
		}
		if (from != null && to != null && from > to) {
			return new WebEndpointResponse<>(Map.of("message", "from (" + from + ") is after to (" + to + ")"),
					WebEndpointResponse.STATUS_BAD_REQUEST);
		}
		List<PartitionReplay> partitions = DeadLetterReplay.replay(source,
				new DeadLetterReplay.Filter(partition, from, to, exception));
		ListenerMetrics listenerMetrics = metrics(listener);
		partitions.forEach((replayed) -> listenerMetrics.deadLettersReplayed(replayed.topic(), replayed.replayed()));
		long total = partitions.stream().mapToLong(PartitionReplay::replayed).sum();
		return new WebEndpointResponse<>(new Replayed(listener, total, source.replayGroup(), partitions));
	}

	private ListenerMetrics metrics(String listener) {
		ListenerMetricsFactory factory = this.metricsFactory;
		return (factory != null) ? this.metrics.computeIfAbsent(listener, factory::forListener) : ListenerMetrics.NONE;
	}

	private WebEndpointResponse<?> notFound(String listener) {
		return new WebEndpointResponse<>(Map.of("message", "no @HealingListener '" + listener
				+ "' with failure policy DEAD_LETTER on this instance; GET /actuator/deadletters lists them"),
				WebEndpointResponse.STATUS_NOT_FOUND);
	}

	/**
	 * One listener's dead letters.
	 * @param deadLetterTopics its dead-letter topics
	 * @param replayGroup the consumer group that records replays
	 * @param count dead letters on the broker: end offset minus log start offset, summed over partitions
	 * @param countedAs how {@code count} was counted
	 * @param oldest timestamp of the oldest dead letter (when it was dead-lettered), ISO-8601
	 * @param newest timestamp of the newest dead letter, ISO-8601
	 * @param byException dead letters by the class of the exception thrown ({@code kafka_dlt-exception-fqcn}),
	 * among those scanned
	 * @param byRootCause dead letters by the class of its innermost cause, among those scanned
	 * @param scanned records whose headers were read for the two counts above
	 * @param scanLimit most records read for them (an even share per partition, oldest first)
	 * @param scanComplete whether every dead letter was read (else the counts by class cover the oldest)
	 * @param replayed dead letters already replayed, from the replay group's committed offsets
	 * @param partitions the same per partition
	 */
	public record ListenerDeadLetters(List<String> deadLetterTopics, String replayGroup, long count, String countedAs,
			@Nullable String oldest, @Nullable String newest, Map<String, Long> byException,
			Map<String, Long> byRootCause, long scanned, int scanLimit, boolean scanComplete, long replayed,
			List<PartitionDeadLetters> partitions) {
	}

	/**
	 * One dead-letter partition.
	 * @param topic the dead-letter topic
	 * @param partition the partition
	 * @param logStart its first offset
	 * @param end its end offset
	 * @param count end minus log start
	 * @param replayed how many the replay group replayed
	 */
	public record PartitionDeadLetters(String topic, int partition, long logStart, long end, long count,
			long replayed) {
	}

	/**
	 * The answer to a replay.
	 * @param listener the listener
	 * @param replayed how many dead letters were sent back to their original topics
	 * @param replayGroup the consumer group committed past them
	 * @param partitions what was replayed from each dead-letter partition
	 */
	public record Replayed(String listener, long replayed, String replayGroup, List<PartitionReplay> partitions) {
	}

	/**
	 * What one dead-letter partition replayed.
	 * @param topic the dead-letter topic
	 * @param partition the partition
	 * @param replayed how many records
	 * @param offsets their offsets as inclusive ranges ({@code "5-9"})
	 */
	public record PartitionReplay(String topic, int partition, long replayed, List<String> offsets) {
	}

}
