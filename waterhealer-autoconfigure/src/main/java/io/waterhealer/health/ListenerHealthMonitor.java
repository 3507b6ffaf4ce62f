package io.waterhealer.health;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.waterhealer.kafka.ListenerView;
import io.waterhealer.metrics.PartitionView;
import io.waterhealer.settings.ShutdownSettings;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.event.ConsumerStoppedEvent;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Checks every listener at a fixed interval and, when the verdict stays DOWN for the configured delay, shuts the
 * application down with a non-zero exit status so that the orchestrator restarts it: water-healer's
 * {@code auto_shutdown}, without its two flaws. An idle consumer is never DOWN (a stall needs pending work: lag or
 * incomplete records), and every way a listener can die is seen: a container that stopped on its own (fatal consumer
 * error, authentication or authorization failure, fencing), an exception the application declared fatal, a
 * dead-letter storm that stopped the failure policy, a stall, and a cluster that stopped answering. A dead-letter
 * storm is DOWN without the exit: the same configuration would trip it again after the restart, each time at the
 * cost of another threshold of dead letters.
 * <p>
 * Stalls are judged per partition, so one partition held back (a record that keeps failing under HALT, a handler
 * that never returns) is seen even while other partitions move. The clock of a partition starts at the later of the
 * last time its committed position moved and the last moment it had nothing to do, so work arriving after a long
 * quiet period is not mistaken for a stall; a partition or container the application paused itself, one an operator
 * paused through the {@code healinglisteners} endpoint, and a retry tier partition held until its head record is due
 * are not judged: their records wait on purpose (a tier's delay may be longer than the stall timeout).
 */
public final class ListenerHealthMonitor implements SmartLifecycle, ApplicationListener<ConsumerStoppedEvent> {

	private static final LogAccessor logger = new LogAccessor(ListenerHealthMonitor.class);

	private final Supplier<Map<String, ListenerView>> listeners;

	private final BrokerProbe broker;

	private final ShutdownSettings settings;

	private final IntConsumer exit;

	/** The clock, {@link System#nanoTime()} but in tests, which move it by hand to judge stalls without waiting. */
	private final LongSupplier nanoTime;

	private final Map<String, Long> idleSince = new ConcurrentHashMap<>();

	private final Map<String, ConsumerStoppedEvent.Reason> stopReasons = new ConcurrentHashMap<>();

	private volatile HealthVerdict verdict = HealthVerdict.UP;

	private volatile long brokerAnsweredAt;

	private volatile long downSince;

	private volatile boolean shuttingDown;

	private @Nullable ScheduledExecutorService scheduler;

	/**
	 * Create the monitor.
	 * @param listeners the listeners by id
	 * @param broker tells whether the cluster answers
	 * @param settings intervals, timeouts and the exit status
	 * @param exit exits the application with a status (only called when shutdown is enabled)
	 */
	public ListenerHealthMonitor(Supplier<Map<String, ListenerView>> listeners, BrokerProbe broker,
			ShutdownSettings settings, IntConsumer exit) {
		this(listeners, broker, settings, exit, System::nanoTime);
	}

	ListenerHealthMonitor(Supplier<Map<String, ListenerView>> listeners, BrokerProbe broker,
			ShutdownSettings settings, IntConsumer exit, LongSupplier nanoTime) {
		this.listeners = listeners;
		this.broker = broker;
		this.settings = settings;
		this.exit = exit;
		this.nanoTime = nanoTime;
		this.brokerAnsweredAt = nanoTime.getAsLong();
	}

	/**
	 * The verdict of the last check.
	 * @return the verdict
	 */
	public HealthVerdict verdict() {
		return this.verdict;
	}

	/** {@return the interval, stall and shutdown settings the checks apply} */
	public ShutdownSettings settings() {
		return this.settings;
	}

	/** {@return the listeners by id, as they are now (read again at each call)} */
	public Map<String, ListenerView> listeners() {
		return this.listeners.get();
	}

	/** Run one check now; the scheduler calls this every interval. */
	public void check() {
		long now = this.nanoTime.getAsLong();
		HealthVerdict current = evaluate(now);
		this.verdict = current;
		if (current.up()) {
			if (this.downSince != 0) {
				logger.info(() -> "waterhealer health is UP again");
			}
			this.downSince = 0;
			return;
		}
		if (this.downSince == 0) {
			this.downSince = now;
			logger.warn(() -> "waterhealer health is DOWN: " + current.describe() + (current.awaitsOperator()
					? "; the application does not exit for it, a restart would not cure it"
					: this.settings.enabled() ? "; the application exits if it stays DOWN for " + this.settings.delay()
							: ""));
		}
		if (this.settings.enabled() && !current.awaitsOperator() && !this.shuttingDown && now - this.downSince >= this.settings.delay().toNanos()) {
			this.shuttingDown = true;
			logger.error(() -> "waterhealer is shutting the application down with exit status "
					+ this.settings.exitCode() + ": " + current.describe());
			this.exit.accept(this.settings.exitCode());
		}
	}

	HealthVerdict evaluate(long now) {
		if (this.broker.reachable(probeTimeout())) {
			this.brokerAnsweredAt = now;
		}
		else if (now - this.brokerAnsweredAt >= this.settings.brokerTimeout().toNanos()) {
			return HealthVerdict.down("the Kafka cluster has not answered for "
					+ Duration.ofNanos(now - this.brokerAnsweredAt).toSeconds() + " s", null, null, -1);
		}
		for (Map.Entry<String, ListenerView> entry : this.listeners.get().entrySet()) {
			HealthVerdict verdict = evaluate(entry.getKey(), entry.getValue(), now);
			if (!verdict.up()) {
				return verdict;
			}
		}
		return HealthVerdict.UP;
	}

	/**
	 * Whether anyone asked the container to pause the partition. The containers a factory creates are concurrent
	 * containers, which hand a partition's pause request to the child container consuming it and keep none of their
	 * own, so the children are asked.
	 */
	private static boolean partitionPauseRequested(MessageListenerContainer container, TopicPartition topicPartition) {
		if (container instanceof ConcurrentMessageListenerContainer<?, ?> concurrent) {
			for (MessageListenerContainer child : concurrent.getContainers()) {
				if (child.isPartitionPauseRequested(topicPartition)) {
					return true;
				}
			}
			return false;
		}
		return container.isPartitionPauseRequested(topicPartition);
	}

	private HealthVerdict evaluate(String id, ListenerView view, long now) {
		MessageListenerContainer container = view.container();
		if (container != null && !container.isInExpectedState()) {
			ConsumerStoppedEvent.Reason reason = this.stopReasons.get(id);
			return HealthVerdict.down("its container stopped on its own"
					+ ((reason != null) ? " (" + reason + ")" : ""), id, null, -1);
		}
		Throwable fatal = view.fatalFailure();
		if (fatal != null) {
			return HealthVerdict.down("a handler threw an exception declared fatal: " + fatal, id, null, -1);
		}
		String storm = view.deadLetterStorm();
		if (storm != null) {
			return HealthVerdict.awaitingOperator(storm, id);
		}
		boolean containerPaused = container != null && container.isPauseRequested();
		PartitionView stalled = null;
		long stalledFor = 0;
		for (PartitionView partition : view.partitions()) {
			String key = id + "/" + partition.topicPartition();
			boolean pausedByApplication = containerPaused || (container != null && !partition.paused()
					&& partitionPauseRequested(container, partition.topicPartition()));
			if (pausedByApplication || partition.pausedByOperator() || view.heldUntilDue(partition.topicPartition())
					|| (partition.incomplete() <= 0 && partition.lag() <= 0)) {
				this.idleSince.put(key, now);
				continue;
			}
			long since = Math.max(partition.committedMovedAt(), this.idleSince.getOrDefault(key, Long.MIN_VALUE));
			if (now - since >= this.settings.stallTimeout().toNanos() && now - since > stalledFor) {
				stalled = partition;
				stalledFor = now - since;
			}
		}
		if (stalled != null) {
			return HealthVerdict.down("stalled: the committed position of " + stalled.topicPartition()
					+ " has not moved for " + Duration.ofNanos(stalledFor).toSeconds() + " s while "
					+ stalled.incomplete() + " records are incomplete and the lag is " + stalled.lag(), id,
					stalled.topicPartition(), stalled.committed());
		}
		return HealthVerdict.UP;
	}

	private Duration probeTimeout() {
		Duration interval = this.settings.interval();
		return (interval.compareTo(Duration.ofSeconds(5)) < 0) ? interval : Duration.ofSeconds(5);
	}

	@Override
	public void onApplicationEvent(ConsumerStoppedEvent event) {
		if (event.getReason() != ConsumerStoppedEvent.Reason.NORMAL) {
			MessageListenerContainer container = event.getContainer(MessageListenerContainer.class);
			this.stopReasons.put(container.getListenerId(), event.getReason());
		}
	}

	@Override
	public synchronized void start() {
		if (this.scheduler == null) {
			ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((runnable) -> {
				Thread thread = new Thread(runnable, "waterhealer-health");
				thread.setDaemon(true);
				return thread;
			});
			long interval = this.settings.interval().toMillis();
			executor.scheduleWithFixedDelay(this::safeCheck, interval, interval, TimeUnit.MILLISECONDS);
			this.scheduler = executor;
		}
	}

	private void safeCheck() {
		try {
			check();
		}
		catch (RuntimeException ex) {
			logger.warn(ex, "waterhealer health check failed");
		}
	}

	@Override
	public synchronized void stop() {
		if (this.scheduler != null) {
			this.scheduler.shutdownNow();
			this.scheduler = null;
		}
		this.broker.close();
	}

	@Override
	public synchronized boolean isRunning() {
		return this.scheduler != null;
	}

}
