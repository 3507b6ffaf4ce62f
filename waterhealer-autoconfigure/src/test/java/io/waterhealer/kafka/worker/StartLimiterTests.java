package io.waterhealer.kafka.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;

import io.waterhealer.Ordering;
import io.waterhealer.settings.RateLimit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The limiter on a clock and a timer the test moves: starts beyond the burst wait in its queue (on no thread: the
 * workers see nothing until a token is due), one timer at a time releases them when their tokens are due, a lane's
 * records keep their order, and a live rate change applies to what waits.
 */
class StartLimiterTests {

	private static final long MILLI = 1_000_000;

	private final ManualTimer timer = new ManualTimer();

	/** The workers: what reached them, in order, not run until the test says. */
	private final List<Runnable> started = new ArrayList<>();

	private final List<Long> waits = new ArrayList<>();

	private StartLimiter limiter(String rate) {
		return new StartLimiter("orders", RateLimit.parse(rate), this.started::add, this.timer, this.timer::now,
				this.waits::add);
	}

	@Test
	void startsBeyondTheBurstWaitInTheQueueAndHoldNoWorker() {
		StartLimiter limiter = limiter("100/s");
		List<Runnable> tasks = tasks(25);
		tasks.forEach(limiter::start);
		// the burst (100 ms of 100/s) started, the rest returned at once and waits without a worker
		assertThat(this.started).containsExactlyElementsOf(tasks.subList(0, 10));
		assertThat(limiter.waiting()).isEqualTo(15);
		assertThat(this.timer.pending()).isEqualTo(1);
		assertThat(this.timer.nextDelay()).isEqualTo(10 * MILLI);
	}

	@Test
	void theTimerReleasesEachWaitingStartWhenItsTokenIsDueAndNotBefore() {
		StartLimiter limiter = limiter("100/s");
		List<Runnable> tasks = tasks(15);
		tasks.forEach(limiter::start);
		this.timer.advanceTo(10 * MILLI - 1);
		assertThat(this.started).hasSize(10);
		this.timer.advanceTo(10 * MILLI);
		assertThat(this.started).hasSize(11);
		this.timer.advanceTo(35 * MILLI);
		assertThat(this.started).hasSize(13);
		this.timer.advanceTo(50 * MILLI);
		assertThat(this.started).containsExactlyElementsOf(tasks);
		assertThat(this.timer.pending()).isZero();
		// one firing per token: a timer, never a spin
		assertThat(this.timer.fired()).isEqualTo(5);
		assertThat(this.waits).containsExactly(0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 10 * MILLI, 20 * MILLI,
				30 * MILLI, 40 * MILLI, 50 * MILLI);
	}

	@Test
	void aTimerThatFiresLateReleasesEverythingDueAtOnce() {
		StartLimiter limiter = limiter("100/s");
		tasks(15).forEach(limiter::start);
		this.timer.advanceTo(10 * MILLI, 45 * MILLI);
		assertThat(this.started).hasSize(14);
		assertThat(this.timer.fired()).isEqualTo(1);
		assertThat(this.timer.nextDelay()).isEqualTo(5 * MILLI);
	}

	@Test
	void aNewStartQueuesBehindThoseWaitingEvenWhenATokenIsThere() {
		StartLimiter limiter = limiter("100/s");
		List<Runnable> tasks = tasks(12);
		tasks.subList(0, 11).forEach(limiter::start);
		this.timer.now = 25 * MILLI;
		limiter.start(tasks.get(11));
		assertThat(this.started).hasSize(10);
		this.timer.advanceTo(25 * MILLI);
		assertThat(this.started).containsExactlyElementsOf(tasks);
	}

	@Test
	void aLaneNeverStartsItsNextRecordBeforeThePreviousFinishedAndKeepsOffsetOrder() {
		StartLimiter limiter = limiter("100/s");
		Dispatcher dispatcher = Dispatcher.forOrdering("orders", Ordering.KEY, limiter::start);
		List<RecordTask> tasks = new ArrayList<>();
		for (int offset = 0; offset < 30; offset++) {
			RecordTask task = new RecordTask(new ConsumerRecord<>("orders", 0, offset, "key-" + (offset % 3), "v"),
					null, null);
			tasks.add(task);
			dispatcher.dispatch(task);
		}
		List<Long> order = new ArrayList<>();
		int finished = 0;
		for (long now = 0; finished < 30; now += MILLI) {
			this.timer.advanceTo(now);
			// the workers run what reached them; each key has at most one record among them
			while (finished < this.started.size()) {
				RecordTask task = (RecordTask) this.started.get(finished++);
				assertThat(this.started.subList(finished, this.started.size()))
					.noneMatch((other) -> ((RecordTask) other).record().key().equals(task.record().key()));
				order.add(task.record().offset());
				dispatcher.finished(task);
			}
			assertThat(now).isLessThan(1_000 * MILLI);
		}
		for (int key = 0; key < 3; key++) {
			int k = key;
			assertThat(order.stream().filter((offset) -> offset % 3 == k).toList()).isSorted();
		}
		// 30 records at 100/s with a burst of 10
		assertThat(this.timer.now).isBetween(190 * MILLI, 210 * MILLI);
	}

	@Test
	void aBatchTakesOneTokenPerRecord() {
		StartLimiter limiter = limiter("100/s");
		Runnable first = () -> {
		};
		Runnable second = () -> {
		};
		limiter.start(first, 10);
		limiter.start(second, 10);
		assertThat(this.started).containsExactly(first);
		this.timer.advanceTo(99 * MILLI);
		assertThat(this.started).containsExactly(first);
		this.timer.advanceTo(100 * MILLI);
		assertThat(this.started).containsExactly(first, second);
	}

	@Test
	void unlimitedStartsAtOnceAndSetsNoTimer() {
		StartLimiter limiter = limiter("unlimited");
		List<Runnable> tasks = tasks(10_000);
		tasks.forEach(limiter::start);
		assertThat(this.started).hasSize(10_000);
		assertThat(this.timer.pending()).isZero();
		assertThat(this.waits).isEmpty();
	}

	@Test
	void aRateChangeAppliesToWhatWaits() {
		StartLimiter limiter = limiter("10/s");
		tasks(21).forEach(limiter::start);
		assertThat(this.started).hasSize(1);
		assertThat(this.timer.nextDelay()).isEqualTo(100 * MILLI);
		limiter.rate(RateLimit.parse("1000/s"));
		assertThat(limiter.rate()).hasToString("1000/s");
		// the old timer is cancelled, the next token is due at the new rate
		assertThat(this.timer.pending()).isEqualTo(1);
		assertThat(this.timer.nextDelay()).isEqualTo(MILLI);
		this.timer.advanceTo(20 * MILLI);
		assertThat(this.started).hasSize(21);
	}

	@Test
	void liftingTheLimitReleasesEverythingWaitingAndSettingOneAgainLimits() {
		StartLimiter limiter = limiter("10/s");
		tasks(5).forEach(limiter::start);
		limiter.rate(RateLimit.unlimited());
		assertThat(this.started).hasSize(5);
		assertThat(this.timer.pending()).isZero();
		limiter.rate(RateLimit.parse("10/s"));
		tasks(3).forEach(limiter::start);
		assertThat(this.started).hasSize(6);
		assertThat(limiter.waiting()).isEqualTo(2);
	}

	@Test
	void aStoppedSchedulerDropsWhatWaitsInsteadOfThrowingAtTheHandOut() {
		StartLimiter limiter = new StartLimiter("orders", RateLimit.parse("10/s"), this.started::add,
				(task, delay) -> {
					throw new RejectedExecutionException("stopped");
				}, this.timer::now, this.waits::add);
		tasks(3).forEach(limiter::start);
		assertThat(this.started).hasSize(1);
		assertThat(limiter.waiting()).isZero();
	}

	private static List<Runnable> tasks(int count) {
		List<Runnable> tasks = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			int n = i;
			tasks.add(new Runnable() {
				@Override
				public void run() {
				}

				@Override
				public String toString() {
					return "task-" + n;
				}
			});
		}
		return tasks;
	}

	/** A clock and the timers set on it; time moves only when the test says. */
	private static final class ManualTimer implements StartLimiter.Timer {

		long now;

		private final List<Scheduled> scheduled = new ArrayList<>();

		private int fired;

		@Override
		public Future<?> schedule(Runnable task, long delayNanos) {
			Scheduled timer = new Scheduled(this.now + delayNanos, new FutureTask<>(task, null));
			this.scheduled.add(timer);
			return timer.future;
		}

		long now() {
			return this.now;
		}

		int pending() {
			this.scheduled.removeIf((timer) -> timer.future.isDone());
			return this.scheduled.size();
		}

		long nextDelay() {
			pending();
			return this.scheduled.stream().mapToLong(Scheduled::dueAt).min().orElseThrow() - this.now;
		}

		int fired() {
			return this.fired;
		}

		/** Run every timer due up to {@code until}, each at its due time. */
		void advanceTo(long until) {
			advanceTo(until, until);
		}

		/** Run the timers due up to {@code due}, but late: the clock reads {@code until} when they run. */
		void advanceTo(long due, long until) {
			while (true) {
				pending();
				Scheduled next = this.scheduled.stream()
					.filter((timer) -> timer.dueAt() <= due)
					.min((a, b) -> Long.compare(a.dueAt(), b.dueAt()))
					.orElse(null);
				if (next == null) {
					break;
				}
				this.now = Math.max(this.now, (due == until) ? next.dueAt() : until);
				this.scheduled.remove(next);
				this.fired++;
				next.future.run();
			}
			this.now = Math.max(this.now, until);
		}

		private record Scheduled(long dueAt, FutureTask<?> future) {
		}

	}

}
