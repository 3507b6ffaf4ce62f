package io.waterhealer.actuate;

import java.util.Map;

import io.waterhealer.checkpoint.CheckpointStore;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/checkpoints}: the last value each stage of each listener produced, with its time and record
 * coordinates. Read-only by default: clearing ({@code DELETE}) needs
 * {@code management.endpoint.checkpoints.access=unrestricted}; and like every endpoint but health it is reachable
 * over HTTP only once exposed ({@code management.endpoints.web.exposure.include=checkpoints}), because values can
 * hold personal data.
 */
@Endpoint(id = "checkpoints", defaultAccess = Access.READ_ONLY)
public class CheckpointsEndpoint {

	private final CheckpointStore store;

	public CheckpointsEndpoint(CheckpointStore store) {
		this.store = store;
	}

	@ReadOperation
	public Map<String, Map<String, Map<String, Object>>> checkpoints() {
		return this.store.render();
	}

	@ReadOperation
	public @Nullable Map<String, Map<String, Object>> listener(@Selector String listener) {
		return this.store.render(listener);
	}

	@DeleteOperation
	public void clear() {
		this.store.clear();
	}

}
