package io.waterhealer.health;

import java.time.Duration;
import java.util.function.IntConsumer;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.log.LogAccessor;

/**
 * Exits the application the orderly way: closing the Spring context stops the listener containers, which drain
 * and commit what is committable on revocation, then the JVM exits with the given status. A watchdog halts the JVM
 * if closing hangs, so that a stuck consumer cannot also block its own restart.
 */
public final class ApplicationExit implements IntConsumer {

	private static final LogAccessor logger = new LogAccessor(ApplicationExit.class);

	private final ConfigurableApplicationContext context;

	private final Duration closeTimeout;

	/**
	 * Create the exit.
	 * @param context the application context to close before exiting
	 * @param closeTimeout how long closing may take before the watchdog halts the JVM
	 */
	public ApplicationExit(ConfigurableApplicationContext context, Duration closeTimeout) {
		this.context = context;
		this.closeTimeout = closeTimeout;
	}

	@Override
	public void accept(int status) {
		Thread watchdog = new Thread(() -> {
			try {
				Thread.sleep(this.closeTimeout.toMillis());
				logger.error(() -> "Closing the application took longer than " + this.closeTimeout + "; halting");
				Runtime.getRuntime().halt(status);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}, "waterhealer-exit-watchdog");
		watchdog.setDaemon(true);
		Thread exit = new Thread(() -> {
			watchdog.start();
			int code = SpringApplication.exit(this.context, () -> status);
			System.exit((code != 0) ? code : status);
		}, "waterhealer-exit");
		// not a daemon (unlike the health thread that creates it): the JVM must wait for System.exit, or it would
		// end with status 0 as soon as closing the context leaves no other thread alive
		exit.setDaemon(false);
		exit.start();
	}

}
