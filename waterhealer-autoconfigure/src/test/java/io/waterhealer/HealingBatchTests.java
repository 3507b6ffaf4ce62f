package io.waterhealer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class HealingBatchTests {

	@Test
	void forEachAttemptsEveryElementAndNamesTheFailedOnesByIdentity() {
		String first = new String("same");
		String second = new String("same");
		List<String> batch = List.of(first, second, "other");
		List<String> seen = new ArrayList<>();
		BatchFailedException failure = catchBatchFailure(() -> HealingBatch.forEach(batch, (element) -> {
			seen.add(element);
			if (element == second) {
				throw new IllegalStateException("second fails");
			}
		}));
		assertThat(seen).hasSize(3);
		assertThat(failure.failed(second)).isTrue();
		assertThat(failure.failed(first)).isFalse();
		assertThat(failure.getCause()).hasMessage("second fails");
	}

	@Test
	void forEachConcurrentlyKeepsToItsBoundAndReportsEveryFailure() {
		List<Integer> batch = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			batch.add(i);
		}
		AtomicInteger running = new AtomicInteger();
		AtomicInteger highest = new AtomicInteger();
		BatchFailedException failure = catchBatchFailure(() -> HealingBatch.forEachConcurrently(batch, 3, (n) -> {
			highest.accumulateAndGet(running.incrementAndGet(), Math::max);
			try {
				Thread.sleep(2);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			running.decrementAndGet();
			if (n % 10 == 0) {
				throw new IllegalArgumentException("fails: " + n);
			}
		}));
		assertThat(highest.get()).isBetween(1, 3);
		assertThat(failure.failedElements()).hasSize(4);
		assertThat(failure.getSuppressed()).hasSize(3);
	}

	@Test
	void noFailureMeansNoException() {
		HealingBatch.forEach(List.of(1, 2, 3), (n) -> {
		});
		HealingBatch.forEachConcurrently(List.of(1, 2, 3), 2, (n) -> {
		});
	}

	private static BatchFailedException catchBatchFailure(Runnable action) {
		return assertThatExceptionOfType(BatchFailedException.class).isThrownBy(action::run).actual();
	}

}
