package io.waterhealer.kafka.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.waterhealer.FailurePolicy;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The counting of the dead-letter storm guard: a run of one exception type trips it, anything else ends the run.
 */
class DeadLetterStormGuardTests {

	private final DeadLetterStormGuard guard = new DeadLetterStormGuard("orders", 3, FailurePolicy.DEAD_LETTER);

	@Test
	void theSameExceptionTypeThresholdTimesInARowTripsItAfterAdmittingTheLastOfThem() {
		assertThat(this.guard.admit(new IllegalStateException("1"))).isTrue();
		assertThat(this.guard.admit(new IllegalStateException("2"))).isTrue();
		assertThat(this.guard.storm()).isNull();
		assertThat(this.guard.admit(new IllegalStateException("3"))).isTrue();
		DeadLetterStorm storm = this.guard.storm();
		assertThat(storm).isNotNull();
		assertThat(storm.exceptionType()).isEqualTo(IllegalStateException.class.getName());
		assertThat(storm.records()).isEqualTo(3);
		assertThat(storm.lastFailure()).contains("3");
		assertThat(this.guard.admit(new IllegalStateException("4"))).isFalse();
		assertThat(this.guard.admit(new IllegalArgumentException("other"))).isFalse();
	}

	@Test
	void aFailureOfAnotherTypeStartsANewRun() {
		this.guard.admit(new IllegalStateException());
		this.guard.admit(new IllegalStateException());
		this.guard.admit(new IllegalArgumentException());
		this.guard.admit(new IllegalStateException());
		this.guard.admit(new IllegalStateException());
		assertThat(this.guard.storm()).isNull();
		this.guard.admit(new IllegalStateException());
		assertThat(this.guard.storm()).isNotNull();
	}

	@Test
	void aSubclassIsAnotherType() {
		this.guard.admit(new IllegalArgumentException());
		this.guard.admit(new IllegalArgumentException());
		this.guard.admit(new NumberFormatException());
		assertThat(this.guard.storm()).isNull();
	}

	@Test
	void aSuccessBetweenFailuresEndsTheRun() {
		this.guard.admit(new IllegalStateException());
		this.guard.admit(new IllegalStateException());
		this.guard.succeeded();
		this.guard.admit(new IllegalStateException());
		this.guard.admit(new IllegalStateException());
		assertThat(this.guard.storm()).isNull();
	}

	@Test
	void aSuccessAfterTheTripDoesNotLiftIt() {
		for (int i = 0; i < 3; i++) {
			this.guard.admit(new IllegalStateException());
		}
		this.guard.succeeded();
		assertThat(this.guard.storm()).isNotNull();
		assertThat(this.guard.admit(new IllegalStateException())).isFalse();
	}

	@Test
	void aResetCountsFromZeroAgain() {
		for (int i = 0; i < 3; i++) {
			this.guard.admit(new IllegalStateException());
		}
		this.guard.reset();
		assertThat(this.guard.storm()).isNull();
		assertThat(this.guard.admit(new IllegalStateException())).isTrue();
		assertThat(this.guard.admit(new IllegalStateException())).isTrue();
		assertThat(this.guard.storm()).isNull();
	}

	@Test
	void zeroTurnsItOff() {
		DeadLetterStormGuard off = new DeadLetterStormGuard("orders", 0, FailurePolicy.SKIP);
		for (int i = 0; i < 10_000; i++) {
			assertThat(off.admit(new IllegalStateException())).isTrue();
		}
		assertThat(off.storm()).isNull();
	}

	@Test
	void workersFailingAtOnceGetExactlyThresholdAdmissions() throws Exception {
		DeadLetterStormGuard guard = new DeadLetterStormGuard("orders", 100, FailurePolicy.SKIP);
		ExecutorService workers = Executors.newFixedThreadPool(8);
		try {
			List<Callable<Integer>> calls = new ArrayList<>();
			for (int t = 0; t < 8; t++) {
				calls.add(() -> {
					int admitted = 0;
					for (int i = 0; i < 1_000; i++) {
						admitted += guard.admit(new IllegalStateException()) ? 1 : 0;
					}
					return admitted;
				});
			}
			int admitted = 0;
			for (Future<Integer> result : workers.invokeAll(calls)) {
				admitted += result.get();
			}
			assertThat(admitted).isEqualTo(100);
		}
		finally {
			workers.shutdownNow();
		}
	}

}
