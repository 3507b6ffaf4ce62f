package io.waterhealer.kafka.worker;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.springframework.kafka.support.Acknowledgment;

/**
 * The {@link Acknowledgment} a listener method that acknowledges itself receives: the record completes when
 * {@link #acknowledge()} is called, from any thread, and is retried when {@link #nack(Duration)} is. Nothing here
 * touches the consumer, which belongs to the consumer thread; the ledger commits the record once it and everything
 * before it in its partition completed, as for any other record.
 */
final class CompletingAcknowledgment implements Acknowledgment {

	private final CompletableFuture<Object> done = new CompletableFuture<>();

	private final String listenerId;

	private final String coordinates;

	CompletingAcknowledgment(String listenerId, String coordinates) {
		this.listenerId = listenerId;
		this.coordinates = coordinates;
	}

	@Override
	public void acknowledge() {
		this.done.complete(this.coordinates);
	}

	@Override
	public void nack(Duration sleep) {
		this.done.completeExceptionally(new NackedException(this.listenerId, this.coordinates, sleep));
	}

	/** Completes when the method acknowledged or nacked the record. */
	CompletionStage<Object> completion() {
		return this.done;
	}

	/** The method called {@code nack}: the attempt failed and the record is tried again. */
	static final class NackedException extends RuntimeException {

		private final Duration sleep;

		NackedException(String listenerId, String coordinates, Duration sleep) {
			super("@HealingListener '" + listenerId + "' nacked " + coordinates + " (retry after " + sleep + ")",
					null, false, false);
			this.sleep = sleep;
		}

		/** How long the method asked to wait before the record is tried again. */
		Duration sleep() {
			return this.sleep;
		}

	}

}
