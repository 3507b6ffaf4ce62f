package io.waterhealer.kafka.worker;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * A listener's threads on their own: {@code parallelism} is a hard bound on records running at once, the threads
 * carry the listener's id in their names (users and the virtual-thread test read them), and shutdown lets queued
 * records finish within the drain timeout, then interrupts what still runs and drops retries not yet due.
 */
class WorkerThreadsTests {

	private final CountDownLatch release = new CountDownLatch(1);

	private WorkerThreads threads = new WorkerThreads("orders", 3, false);

	@AfterEach
	void stop() {
		this.release.countDown();
		this.threads.shutdown(1_000);
	}

	@Test
	void noMoreThanParallelismRecordsRunAtOnceOnThatManyThreads() {
		AtomicInteger running = new AtomicInteger();
		AtomicInteger mostAtOnce = new AtomicInteger();
		AtomicInteger done = new AtomicInteger();
		Set<String> names = ConcurrentHashMap.newKeySet();
		for (int i = 0; i < 8; i++) {
			this.threads.execute(() -> {
				mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
				names.add(Thread.currentThread().getName());
				awaitRelease();
				running.decrementAndGet();
				done.incrementAndGet();
			});
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> running.get() >= 3);
		this.release.countDown();
		await().atMost(Duration.ofSeconds(10)).until(() -> done.get() == 8);
		assertThat(mostAtOnce).hasValue(3);
		assertThat(names).containsExactlyInAnyOrder("waterhealer-orders-1", "waterhealer-orders-2",
				"waterhealer-orders-3");
	}

	@Test
	void workersAndTheRetryThreadAreNamedAfterTheListenerAndDoNotKeepTheJvmAlive() throws Exception {
		CompletableFuture<Thread> worker = new CompletableFuture<>();
		this.threads.execute(() -> worker.complete(Thread.currentThread()));
		Thread scheduler = this.threads.scheduler()
			.schedule(Thread::currentThread, 1, TimeUnit.MILLISECONDS)
			.get(10, TimeUnit.SECONDS);
		assertThat(worker.get(10, TimeUnit.SECONDS).getName()).isEqualTo("waterhealer-orders-1");
		assertThat(worker.get().isDaemon()).isTrue();
		assertThat(scheduler.getName()).isEqualTo("waterhealer-orders-retry-1");
		assertThat(scheduler.isDaemon()).isTrue();
	}

	@Test
	void shutdownLetsQueuedRecordsRunThenRefusesNewOnes() {
		this.threads = new WorkerThreads("orders", 1, false);
		AtomicInteger ran = new AtomicInteger();
		this.threads.execute(this::awaitRelease);
		for (int i = 0; i < 3; i++) {
			this.threads.execute(ran::incrementAndGet);
		}
		CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> this.threads.shutdown(10_000));
		await().atMost(Duration.ofSeconds(10)).until(this::refusesWork);
		this.release.countDown();
		shutdown.join();
		assertThat(ran).hasValue(3);
		assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> this.threads.execute(() -> {
		}));
	}

	@Test
	void shutdownInterruptsARecordThatOutlastsTheDrainTimeout() {
		AtomicBoolean interrupted = new AtomicBoolean();
		CountDownLatch started = new CountDownLatch(1);
		this.threads.execute(() -> {
			started.countDown();
			try {
				this.release.await();
			}
			catch (InterruptedException ex) {
				interrupted.set(true);
			}
		});
		await().atMost(Duration.ofSeconds(10)).until(() -> started.getCount() == 0);
		this.threads.shutdown(50);
		await().atMost(Duration.ofSeconds(10)).untilTrue(interrupted);
	}

	@Test
	void shutdownDropsRetriesThatAreNotDueYet() {
		AtomicBoolean retried = new AtomicBoolean();
		this.threads.scheduler().schedule(() -> retried.set(true), 1, TimeUnit.MINUTES);
		this.threads.shutdown(1_000);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.threads.scheduler().isTerminated());
		assertThat(retried).isFalse();
	}

	@Test
	void onJava21OrLaterWorkersAreVirtualThreadsWithTheSameNames() throws Exception {
		assumeThat(Runtime.version().feature()).as("virtual threads need Java 21").isGreaterThanOrEqualTo(21);
		this.threads.shutdown(1_000);
		this.threads = new WorkerThreads("orders", 2, true);
		AtomicReference<Thread> worker = new AtomicReference<>();
		CountDownLatch ran = new CountDownLatch(1);
		this.threads.execute(() -> {
			worker.set(Thread.currentThread());
			ran.countDown();
		});
		assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
		// Thread.isVirtual() is Java 21 API; this test compiles for Java 17
		assertThat(Thread.class.getMethod("isVirtual").invoke(worker.get())).isEqualTo(true);
		assertThat(worker.get().getName()).startsWith("waterhealer-orders-");
	}

	private boolean refusesWork() {
		try {
			this.threads.execute(() -> {
			});
			return false;
		}
		catch (RejectedExecutionException ex) {
			return true;
		}
	}

	private void awaitRelease() {
		try {
			this.release.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
