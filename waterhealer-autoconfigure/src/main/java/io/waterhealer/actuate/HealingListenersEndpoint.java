package io.waterhealer.actuate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.waterhealer.kafka.ListenerView;
import io.waterhealer.metrics.PartitionView;
import io.waterhealer.settings.FailureSettings;
import io.waterhealer.settings.ListenerSettings;
import io.waterhealer.settings.RetryTiers;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * {@code /actuator/healinglisteners}: each {@code @HealingListener} on this instance as an operator needs to see it
 * (its state, ordering, parallelism, rate, failure handling, and its partitions with whether and why each is
 * paused), and the operator's controls: pause or resume the listener or one partition, change its parallelism or
 * rate, all without a redeploy ({@code POST /actuator/healinglisteners/{listener}} with
 * {@code {"action":"pause"}}, {@code {"action":"resume","partition":"orders-3"}}, {@code {"parallelism":32}},
 * {@code {"rate":"200/s"}}).
 * <p>
 * The controls are writes: like every actuator write they are not even mapped until the application grants them
 * ({@code management.endpoint.healinglisteners.access=unrestricted}) besides exposing the endpoint
 * ({@code management.endpoints.web.exposure.include=healinglisteners}); the read says whether they are
 * ({@code writable}), so that the ledger page offers its buttons only then. An operator's pause is remembered by the
 * listener on this instance: it holds across rebalances and container restarts until resumed, and applies to this
 * instance only (every instance of a group has its own endpoint).
 */
@Endpoint(id = "healinglisteners", defaultAccess = Access.READ_ONLY)
public class HealingListenersEndpoint {

	static final int STATUS_CONFLICT = 409;

	private final Supplier<Map<String, ListenerView>> listeners;

	private final BooleanSupplier writable;

	/**
	 * Create the endpoint.
	 * @param listeners the listeners by id, read at each request
	 * @param writable whether the application granted write access to this endpoint
	 */
	public HealingListenersEndpoint(Supplier<Map<String, ListenerView>> listeners, BooleanSupplier writable) {
		this.listeners = listeners;
		this.writable = writable;
	}

	/**
	 * Every listener on this instance, and whether the controls are granted.
	 * @return the report
	 */
	@ReadOperation
	public ListenersReport listeners() {
		Map<String, ListenerControl> result = new TreeMap<>();
		this.listeners.get().forEach((id, view) -> result.put(id, describe(view)));
		return new ListenersReport(this.writable.getAsBoolean(), result);
	}

	/**
	 * One listener as {@link #listeners} shows it.
	 * @param listener the listener's id
	 * @return the listener, or 404 with a message when it is not on this instance
	 */
	@ReadOperation
	public WebEndpointResponse<?> listener(@Selector String listener) {
		ListenerView view = this.listeners.get().get(listener);
		if (view == null) {
			return unknownListener(listener);
		}
		return new WebEndpointResponse<>(describe(view));
	}

	/**
	 * One change to one listener: exactly one of {@code action} (with an optional {@code partition}),
	 * {@code parallelism} or {@code rate}.
	 * @param listener the listener's id
	 * @param action {@code pause} or {@code resume}
	 * @param partition the partition to pause or resume ({@code orders-3}); the whole listener when absent
	 * @param parallelism the new parallelism
	 * @param rate the new rate limit ({@code 200/s})
	 * @return the listener as it is after the change, or what is wrong with the request
	 */
	@WriteOperation
	public WebEndpointResponse<?> change(@Selector String listener, @Nullable String action,
			@Nullable String partition, @Nullable Integer parallelism, @Nullable String rate) {
		ListenerView view = this.listeners.get().get(listener);
		if (view == null) {
			return unknownListener(listener);
		}
		int given = ((action != null) ? 1 : 0) + ((parallelism != null) ? 1 : 0) + ((rate != null) ? 1 : 0);
		if (given != 1) {
			return refused(WebEndpointResponse.STATUS_BAD_REQUEST, listener, "the body needs exactly one of "
					+ "\"action\" (\"pause\" or \"resume\", with an optional \"partition\" such as \"orders-3\"), "
					+ "\"parallelism\" (a number) or \"rate\" (such as \"200/s\"); it had " + given);
		}
		if (partition != null && action == null) {
			return refused(WebEndpointResponse.STATUS_BAD_REQUEST, listener,
					"\"partition\" goes with \"action\": {\"action\":\"pause\",\"partition\":\"" + partition + "\"}");
		}
		try {
			if (action != null) {
				return act(view, listener, action, partition);
			}
			if (parallelism != null) {
				view.changeParallelism(parallelism);
			}
			else if (rate != null) {
				view.changeRate(rate);
			}
			return new WebEndpointResponse<>(describe(view));
		}
		catch (IllegalArgumentException ex) {
			return refused(WebEndpointResponse.STATUS_BAD_REQUEST, listener, String.valueOf(ex.getMessage()));
		}
	}

	private WebEndpointResponse<?> act(ListenerView view, String listener, String action, @Nullable String partition) {
		boolean pause = "pause".equals(action);
		if (!pause && !"resume".equals(action)) {
			return refused(WebEndpointResponse.STATUS_BAD_REQUEST, listener,
					"\"action\" is \"" + action + "\"; write \"pause\" or \"resume\"");
		}
		if (partition == null) {
			if (pause) {
				view.pause();
			}
			else {
				view.resume();
			}
			return new WebEndpointResponse<>(describe(view));
		}
		TopicPartition topicPartition = parse(partition);
		if (topicPartition == null) {
			return refused(WebEndpointResponse.STATUS_BAD_REQUEST, listener, "\"partition\" is \"" + partition
					+ "\"; write the topic, a dash and the partition number, such as \"orders-3\"");
		}
		boolean assigned = view.partitions().stream().anyMatch((p) -> p.topicPartition().equals(topicPartition));
		if (pause && !assigned || !pause && !assigned && !view.partitionsPausedByOperator().contains(topicPartition)) {
			return refused(WebEndpointResponse.STATUS_NOT_FOUND, listener, partition + " is not assigned to '"
					+ listener + "' on this instance; GET /actuator/healinglisteners/" + listener + " lists its partitions");
		}
		if (!pause && view.pausedByOperator()) {
			return refused(STATUS_CONFLICT, listener, "'" + listener + "' is paused as a whole; resume the listener "
					+ "({\"action\":\"resume\"}), then pause the partitions that should stay paused");
		}
		if (pause) {
			view.pause(topicPartition);
		}
		else {
			view.resume(topicPartition);
		}
		return new WebEndpointResponse<>(describe(view));
	}

	/** {@code orders-3} as topic {@code orders}, partition 3; topic names may hold dashes themselves. */
	static @Nullable TopicPartition parse(String partition) {
		int dash = partition.lastIndexOf('-');
		if (dash <= 0 || dash == partition.length() - 1) {
			return null;
		}
		try {
			int number = Integer.parseInt(partition.substring(dash + 1));
			return (number >= 0) ? new TopicPartition(partition.substring(0, dash), number) : null;
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	private static WebEndpointResponse<Refused> unknownListener(String listener) {
		return refused(WebEndpointResponse.STATUS_NOT_FOUND, listener, "no @HealingListener '" + listener
				+ "' on this instance; GET /actuator/healinglisteners lists them");
	}

	private static WebEndpointResponse<Refused> refused(int status, String listener, String message) {
		return new WebEndpointResponse<>(new Refused(listener, message), status);
	}

	private static ListenerControl describe(ListenerView view) {
		ListenerSettings settings = view.settings();
		MessageListenerContainer container = view.container();
		List<PartitionControl> partitions = new ArrayList<>();
		for (PartitionView partition : view.partitions()) {
			List<String> pausedBy = new ArrayList<>(partition.pauseReasons());
			if (container != null && (container.isPauseRequested()
					|| pausedBy.isEmpty() && partitionPauseRequested(container, partition.topicPartition()))) {
				pausedBy.add("application");
			}
			TopicPartition topicPartition = partition.topicPartition();
			partitions.add(new PartitionControl(topicPartition.topic(), topicPartition.partition(),
					!pausedBy.isEmpty(), pausedBy, partition.committed(), partition.incomplete(), partition.lag()));
		}
		partitions.sort(Comparator.comparing(PartitionControl::topic).thenComparingInt(PartitionControl::partition));
		List<String> pausedNotAssigned = new ArrayList<>();
		Set<TopicPartition> pausedOneByOne = view.partitionsPausedByOperator();
		for (TopicPartition topicPartition : pausedOneByOne) {
			if (partitions.stream().noneMatch((p) -> p.topic().equals(topicPartition.topic())
					&& p.partition() == topicPartition.partition())) {
				pausedNotAssigned.add(topicPartition.toString());
			}
		}
		pausedNotAssigned.sort(null);
		FailureSettings failure = settings.failure();
		return new ListenerControl(state(view, container), view.pausedByOperator() ? "operator" : null,
				settings.ordering().name(), settings.concurrency(), view.parallelism(), view.rate(),
				new Retry(failure.policy().name(), failure.maxAttempts(),
						failure.tiers().tiers().stream().map(RetryTiers.Tier::name).toList()),
				partitions, pausedNotAssigned);
	}

	private static String state(ListenerView view, @Nullable MessageListenerContainer container) {
		if (container == null) {
			return "not-created";
		}
		if (!container.isInExpectedState()) {
			return "failed";
		}
		if (view.deadLetterStorm() != null) {
			return "dead-letter-storm";
		}
		if (!container.isRunning()) {
			return "stopped";
		}
		if (view.pausedByOperator()) {
			return "paused";
		}
		return container.isPauseRequested() ? "paused-by-application" : "running";
	}

	/** As the health monitor asks: a concurrent container keeps no partition pauses of its own, its children do. */
	private static boolean partitionPauseRequested(MessageListenerContainer container, TopicPartition topicPartition) {
		if (container instanceof ConcurrentMessageListenerContainer<?, ?> concurrent) {
			return concurrent.getContainers().stream().anyMatch((child) -> child.isPartitionPauseRequested(topicPartition));
		}
		return container.isPartitionPauseRequested(topicPartition);
	}

	/**
	 * Every listener on this instance.
	 * @param writable whether the controls are granted ({@code management.endpoint.healinglisteners.access})
	 * @param listeners each listener, by id
	 */
	public record ListenersReport(boolean writable, Map<String, ListenerControl> listeners) {
	}

	/**
	 * One listener.
	 * @param state {@code running}, {@code paused} (by an operator), {@code paused-by-application},
	 * {@code dead-letter-storm}, {@code stopped}, {@code failed} (its container stopped on its own) or
	 * {@code not-created}
	 * @param pausedBy {@code operator} when an operator paused the whole listener, else {@code null}
	 * @param ordering its ordering
	 * @param concurrency its consumers on this instance
	 * @param parallelism records it processes at the same time
	 * @param rate its rate limit ({@code 500/s}), {@code null} when none
	 * @param retry what it does with a record that keeps failing
	 * @param partitions its partitions assigned here
	 * @param pausedNotAssigned partitions an operator paused that are not assigned here now; they are held
	 * whenever they are
	 */
	public record ListenerControl(String state, @Nullable String pausedBy, String ordering, int concurrency,
			int parallelism, @Nullable String rate, Retry retry, List<PartitionControl> partitions,
			List<String> pausedNotAssigned) {
	}

	/**
	 * How a listener retries.
	 * @param policy its failure policy once the attempts are used up
	 * @param maxAttempts attempts in memory per record
	 * @param tiers the retry tiers a record goes through after its attempts ({@code retryTopics}), shortest first
	 */
	public record Retry(String policy, int maxAttempts, List<String> tiers) {
	}

	/**
	 * One assigned partition.
	 * @param topic the topic
	 * @param partition the partition number
	 * @param paused whether it is paused for any reason
	 * @param pausedBy why: {@code operator}, {@code window-full}, {@code hand-out-retry}, {@code dead-letter-storm},
	 * {@code application}
	 * @param committed the last committed offset, -1 before the first commit
	 * @param incomplete records handed out and not complete
	 * @param lag end offset minus committed offset, -1 when unknown
	 */
	public record PartitionControl(String topic, int partition, boolean paused, List<String> pausedBy,
			long committed, long incomplete, long lag) {
	}

	/**
	 * A request that was not carried out.
	 * @param listener the listener it named
	 * @param message what is wrong and what to send instead
	 */
	public record Refused(String listener, String message) {
	}

}
