package io.waterhealer.actuate;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import io.waterhealer.kafka.ListenerView;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * {@code /actuator/waterhealer}: whether a dead-letter storm stopped a listener, and the operator's way to let it go
 * on once the cause is gone ({@code POST /actuator/waterhealer/{listener}}) without restarting the application.
 * <p>
 * Resuming is a write: like every write operation it is refused until the application grants it
 * ({@code management.endpoint.waterhealer.access=unrestricted}) besides exposing the endpoint
 * ({@code management.endpoints.web.exposure.include=waterhealer}). The records held since the storm are attempted
 * again from their first attempt; if they still fail the same way, the guard trips again after the threshold.
 */
@Endpoint(id = "waterhealer", defaultAccess = Access.READ_ONLY)
public class WaterhealerEndpoint {

	private final Supplier<Map<String, ListenerView>> listeners;

	/**
	 * Create the endpoint.
	 * @param listeners the listeners by id, read at each request
	 */
	public WaterhealerEndpoint(Supplier<Map<String, ListenerView>> listeners) {
		this.listeners = listeners;
	}

	/**
	 * Each listener on this instance and, if a dead-letter storm stopped it, why.
	 * @return the listeners by id
	 */
	@ReadOperation
	public Map<String, ListenerState> listeners() {
		Map<String, ListenerState> result = new TreeMap<>();
		this.listeners.get().forEach((id, view) -> result.put(id, new ListenerState(view.deadLetterStorm())));
		return result;
	}

	/**
	 * Go on after a dead-letter storm: the held records are attempted again and the paused partitions resume.
	 * @param listener the listener id
	 * @return whether a storm had stopped it (404 for an unknown listener)
	 */
	@WriteOperation
	public WebEndpointResponse<Resumed> resume(@Selector String listener) {
		ListenerView view = this.listeners.get().get(listener);
		if (view == null) {
			return new WebEndpointResponse<>(new Resumed(listener, false, "no @HealingListener '" + listener
					+ "' on this instance; GET /actuator/waterhealer lists them"), WebEndpointResponse.STATUS_NOT_FOUND);
		}
		boolean resumed = view.resumeAfterStorm();
		return new WebEndpointResponse<>(new Resumed(listener, resumed,
				resumed ? "resumed; the records held since the dead-letter storm are attempted again"
						: "no dead-letter storm had stopped it; nothing to resume"));
	}

	/**
	 * One listener.
	 * @param deadLetterStorm why a dead-letter storm stopped it, or {@code null} when none did
	 */
	public record ListenerState(@Nullable String deadLetterStorm) {
	}

	/**
	 * The answer to a resume.
	 * @param listener the listener
	 * @param resumed whether a storm had stopped it and it now goes on
	 * @param message what happened
	 */
	public record Resumed(String listener, boolean resumed, String message) {
	}

}
