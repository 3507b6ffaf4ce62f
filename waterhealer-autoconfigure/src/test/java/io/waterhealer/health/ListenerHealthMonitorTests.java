package io.waterhealer.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.waterhealer.kafka.ListenerView;
import io.waterhealer.metrics.PartitionView;
import io.waterhealer.settings.ShutdownSettings;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.listener.MessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/**
 * The health verdict and the exit it leads to, judged on a clock the test moves by hand (the monitor's
 * {@code nanoTime} seam), so a stall of a minute takes no time at all. The listener's runtime and container are
 * Mockito mocks: the monitor only reads them.
 */
class ListenerHealthMonitorTests {

	private static final TopicPartition PARTITION = new TopicPartition("orders", 0);

	private static final Duration STALL = Duration.ofSeconds(60);

	private static final Duration BROKER_TIMEOUT = Duration.ofSeconds(30);

	private static final Duration DELAY = Duration.ofSeconds(10);

	private long now = 1_000_000_000_000L;

	private final FakePartition partition = new FakePartition(this.now);

	private final MessageListenerContainer container = mock(MessageListenerContainer.class);

	private final ListenerView runtime = mock(ListenerView.class);

	private final AtomicBoolean brokerAnswers = new AtomicBoolean(true);

	private final List<Integer> exits = new ArrayList<>();

	private final ListenerHealthMonitor monitor = new ListenerHealthMonitor(() -> Map.of("orders", this.runtime),
			(timeout) -> this.brokerAnswers.get(),
			new ShutdownSettings(true, Duration.ofSeconds(5), STALL, BROKER_TIMEOUT, DELAY, 70), this.exits::add,
			() -> this.now);

	ListenerHealthMonitorTests() {
		when(this.container.isInExpectedState()).thenReturn(true);
		when(this.runtime.container()).thenReturn(this.container);
		when(this.runtime.partitions()).thenReturn(List.of(this.partition));
	}

	@Test
	void aPartitionWithWorkWhoseCommittedPositionDoesNotMoveIsDownOnceTheStallTimeoutPassed() {
		this.partition.incomplete = 3;
		checkAfter(STALL.minusNanos(1));
		assertThat(this.monitor.verdict().up()).isTrue();
		checkAfter(Duration.ofNanos(1));
		assertThat(this.monitor.verdict().up()).isFalse();
		assertThat(this.monitor.verdict().describe()).contains("stalled: the committed position of orders-0 has not "
				+ "moved for 60 s while 3 records are incomplete");
	}

	@Test
	void anIdlePartitionIsNeverDownHoweverLongItsPositionStaysPut() {
		checkAfter(Duration.ofHours(1));
		checkAfter(Duration.ofHours(1));
		assertThat(this.monitor.verdict().up()).isTrue();
	}

	@Test
	void workArrivingAfterAQuietPeriodIsJudgedFromTheLastMomentThePartitionHadNothingToDo() {
		checkAfter(Duration.ofHours(1));
		this.partition.lag = 5;
		checkAfter(STALL.minusSeconds(1));
		assertThat(this.monitor.verdict().up()).as("a minute of work after an hour of quiet is no stall").isTrue();
		checkAfter(Duration.ofSeconds(1));
		assertThat(this.monitor.verdict().up()).isFalse();
	}

	@Test
	void aPartitionTheApplicationPausedIsNotJudged() {
		this.partition.incomplete = 3;
		when(this.container.isPartitionPauseRequested(PARTITION)).thenReturn(true);
		checkAfter(STALL.multipliedBy(10));
		assertThat(this.monitor.verdict().up()).isTrue();
	}

	@Test
	void aPartitionWaterhealerPausedForAFullWindowIsStillJudged() {
		this.partition.incomplete = 3;
		this.partition.paused = true;
		when(this.container.isPartitionPauseRequested(PARTITION)).thenReturn(true);
		checkAfter(STALL);
		assertThat(this.monitor.verdict().up()).isFalse();
	}

	@Test
	void aPartitionAnOperatorPausedIsNotJudgedEvenWithAFullWindowOfIncompleteRecords() {
		this.partition.incomplete = 3;
		this.partition.paused = true;
		this.partition.pausedByOperator = true;
		when(this.container.isPartitionPauseRequested(PARTITION)).thenReturn(true);
		checkAfter(STALL.multipliedBy(10));
		assertThat(this.monitor.verdict().up()).isTrue();
		this.partition.pausedByOperator = false;
		checkAfter(STALL.minusNanos(1));
		assertThat(this.monitor.verdict().up()).as("the clock starts again at the resume").isTrue();
		checkAfter(Duration.ofNanos(1));
		assertThat(this.monitor.verdict().up()).isFalse();
	}

	@Test
	void aRetryTierPartitionHeldUntilItsHeadIsDueIsNotJudgedHoweverLongItsDelay() {
		// a tier of, say, 6h: its records wait on the topic (lag) and its committed position does not move
		this.partition.lag = 5;
		when(this.runtime.heldUntilDue(PARTITION)).thenReturn(true);
		checkAfter(STALL.multipliedBy(10));
		assertThat(this.monitor.verdict().up()).isTrue();
		when(this.runtime.heldUntilDue(PARTITION)).thenReturn(false);
		checkAfter(STALL.minusNanos(1));
		assertThat(this.monitor.verdict().up()).as("the clock starts when the hold ends").isTrue();
		checkAfter(Duration.ofNanos(1));
		assertThat(this.monitor.verdict().up()).isFalse();
	}

	@Test
	void aClusterThatStopsAnsweringIsDownOnceTheBrokerTimeoutPassed() {
		this.monitor.check();
		this.brokerAnswers.set(false);
		checkAfter(BROKER_TIMEOUT.minusNanos(1));
		assertThat(this.monitor.verdict().up()).isTrue();
		checkAfter(Duration.ofNanos(1));
		assertThat(this.monitor.verdict().describe()).contains("the Kafka cluster has not answered for 30 s");
	}

	@Test
	void aContainerThatStoppedOnItsOwnIsDown() {
		when(this.container.isInExpectedState()).thenReturn(false);
		this.monitor.check();
		assertThat(this.monitor.verdict().describe()).contains("its container stopped on its own");
	}

	@Test
	void anExceptionDeclaredFatalIsDown() {
		when(this.runtime.fatalFailure()).thenReturn(new IllegalStateException("database gone"));
		this.monitor.check();
		assertThat(this.monitor.verdict().describe())
			.contains("a handler threw an exception declared fatal: java.lang.IllegalStateException: database gone");
	}

	@Test
	void aDeadLetterStormIsDownWithWhatToDo() {
		when(this.runtime.deadLetterStorm()).thenReturn("dead-letter storm: the last 100 records failed with X");
		this.monitor.check();
		assertThat(this.monitor.verdict().up()).isFalse();
		assertThat(this.monitor.verdict().describe())
			.isEqualTo("dead-letter storm: the last 100 records failed with X (listener 'orders')");
	}

	/**
	 * A restart does not cure a dead-letter storm (the configuration is the same) and would cost another threshold of
	 * dead letters each time: an orchestrator restarting on exit would dead-letter the topic N records per restart.
	 */
	@Test
	void aDeadLetterStormStaysDownButNeverExits() {
		when(this.runtime.deadLetterStorm()).thenReturn("dead-letter storm: the last 100 records failed with X");
		this.monitor.check();
		checkAfter(DELAY);
		checkAfter(DELAY.multipliedBy(10));
		assertThat(this.monitor.verdict().up()).isFalse();
		assertThat(this.exits).isEmpty();
	}

	@Test
	void downForTheDelayExitsOnceWithTheConfiguredStatus() {
		when(this.runtime.fatalFailure()).thenReturn(new IllegalStateException("database gone"));
		this.monitor.check();
		checkAfter(DELAY.minusNanos(1));
		assertThat(this.exits).isEmpty();
		checkAfter(Duration.ofNanos(1));
		checkAfter(DELAY);
		assertThat(this.exits).containsExactly(70);
	}

	@Test
	void downShorterThanTheDelayThenUpAgainDoesNotExit() {
		when(this.runtime.fatalFailure()).thenReturn(new IllegalStateException("database gone"));
		this.monitor.check();
		checkAfter(DELAY.minusSeconds(1));
		when(this.runtime.fatalFailure()).thenReturn(null);
		checkAfter(Duration.ofSeconds(1));
		assertThat(this.monitor.verdict().up()).isTrue();
		when(this.runtime.fatalFailure()).thenReturn(new IllegalStateException("database gone"));
		checkAfter(Duration.ofSeconds(1));
		checkAfter(DELAY.minusSeconds(1));
		assertThat(this.exits).as("the delay starts again from the second DOWN").isEmpty();
	}

	private void checkAfter(Duration elapsed) {
		this.now += elapsed.toNanos();
		this.monitor.check();
	}

	/** What the monitor reads of a partition, set by the test. */
	static final class FakePartition implements PartitionView {

		final long assignedAt;

		long incomplete;

		long lag;

		boolean paused;

		boolean pausedByOperator;

		FakePartition(long assignedAt) {
			this.assignedAt = assignedAt;
		}

		@Override
		public String listenerId() {
			return "orders";
		}

		@Override
		public TopicPartition topicPartition() {
			return PARTITION;
		}

		@Override
		public long committed() {
			return 100;
		}

		@Override
		public long highestCompleted() {
			return 100;
		}

		@Override
		public long incomplete() {
			return this.incomplete;
		}

		@Override
		public long inFlight() {
			return 0;
		}

		@Override
		public double oldestIncompleteAgeSeconds() {
			return 0;
		}

		@Override
		public long lag() {
			return this.lag;
		}

		@Override
		public boolean paused() {
			return this.paused;
		}

		@Override
		public boolean pausedByOperator() {
			return this.pausedByOperator;
		}

		@Override
		public long committedMovedAt() {
			return this.assignedAt;
		}

	}

}
