package io.waterhealer.kafka.worker;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * reactor-core is an optional dependency: {@link AsyncResults}, loaded where Reactor's classes cannot be found,
 * still tells stages from plain values and awaits stages, and reports a value it cannot await as an
 * {@link IllegalStateException}, never a {@link NoClassDefFoundError}.
 */
class WithoutReactorTests {

	private final WorkerThreads threads = new WorkerThreads("orders", 1, false);

	@AfterEach
	void stop() {
		this.threads.shutdown(1_000);
	}

	@Test
	void stagesAreAwaitedAndOtherValuesAreNotWhenReactorIsAbsent() throws Exception {
		Class<?> results = new WithoutReactor().loadClass(AsyncResults.class.getName());
		assertThat(results.getClassLoader()).isInstanceOf(WithoutReactor.class);
		Method completesLater = results.getDeclaredMethod("completesLater", String.class, Method.class);
		completesLater.setAccessible(true);
		assertThat(completesLater.invoke(null, "orders", Returns.class.getDeclaredMethod("stage"))).isEqualTo(true);
		assertThat(completesLater.invoke(null, "orders", Returns.class.getDeclaredMethod("value"))).isEqualTo(false);

		Constructor<?> constructor = results.getDeclaredConstructor(String.class, Duration.class,
				ScheduledExecutorService.class, Executor.class);
		constructor.setAccessible(true);
		Object instance = constructor.newInstance("orders", Duration.ofSeconds(5), this.threads.scheduler(),
				this.threads);
		Method completion = results.getDeclaredMethod("completion", Object.class, String.class);
		completion.setAccessible(true);
		CompletionStage<?> stage = (CompletionStage<?>) completion.invoke(instance,
				CompletableFuture.completedFuture("done"), "orders-0@1");
		assertThat(stage.toCompletableFuture().join()).isEqualTo("done");
		assertThatExceptionOfType(InvocationTargetException.class)
			.isThrownBy(() -> completion.invoke(instance, "not a stage", "orders-0@1"))
			.havingCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessageContaining("returned a java.lang.String where a CompletionStage or Mono was expected");
	}

	/** Defines AsyncResults (and its nested classes) itself and finds no Reactor or Reactive Streams class. */
	static final class WithoutReactor extends ClassLoader {

		WithoutReactor() {
			super(WithoutReactorTests.class.getClassLoader());
		}

		@Override
		protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
			if (name.startsWith("reactor.") || name.startsWith("org.reactivestreams.")) {
				throw new ClassNotFoundException(name);
			}
			if (!name.startsWith(AsyncResults.class.getName())
					&& !name.equals(CompletionTimeoutException.class.getName())) {
				return super.loadClass(name, resolve);
			}
			synchronized (getClassLoadingLock(name)) {
				Class<?> loaded = findLoadedClass(name);
				if (loaded != null) {
					return loaded;
				}
				try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
					if (in == null) {
						throw new ClassNotFoundException(name);
					}
					byte[] bytes = in.readAllBytes();
					return defineClass(name, bytes, 0, bytes.length);
				}
				catch (IOException ex) {
					throw new ClassNotFoundException(name, ex);
				}
			}
		}

	}

	static final class Returns {

		CompletionStage<String> stage() {
			return CompletableFuture.completedFuture("x");
		}

		String value() {
			return "x";
		}

	}

}
