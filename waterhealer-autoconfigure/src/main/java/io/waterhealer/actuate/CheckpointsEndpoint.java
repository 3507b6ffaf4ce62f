package io.waterhealer.actuate;

import java.util.Map;
import java.util.Set;

import io.waterhealer.checkpoint.CheckpointStore;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/checkpoints}: when each stage of each listener last produced a value, and from which record (time,
 * topic, partition, offset). The values themselves can hold personal data and are left out unless the application
 * opts in ({@code waterhealer.checkpoint.show-values=when-authorized} with {@code waterhealer.checkpoint.roles}, or
 * {@code always}), with the semantics of Boot's own {@code show-values}. Read-only by default: clearing
 * ({@code DELETE}) needs
 * {@code management.endpoint.checkpoints.access=unrestricted}; and like every endpoint but health it is reachable
 * over HTTP only once exposed ({@code management.endpoints.web.exposure.include=checkpoints}), because values can
 * hold personal data.
 */
@Endpoint(id = "checkpoints", defaultAccess = Access.READ_ONLY)
public class CheckpointsEndpoint {

	private final CheckpointStore store;

	private final Show showValues;

	private final Set<String> roles;

	/**
	 * Create an endpoint that never shows the values.
	 * @param store the checkpoints
	 */
	public CheckpointsEndpoint(CheckpointStore store) {
		this(store, Show.NEVER, Set.of());
	}

	/**
	 * Create the endpoint.
	 * @param store the checkpoints
	 * @param showValues when the values themselves are shown ({@code waterhealer.checkpoint.show-values})
	 * @param roles roles that authorize a user to see them under {@link Show#WHEN_AUTHORIZED}; empty for any
	 * authenticated user
	 */
	public CheckpointsEndpoint(CheckpointStore store, Show showValues, Set<String> roles) {
		this.store = store;
		this.showValues = showValues;
		this.roles = Set.copyOf(roles);
	}

	/**
	 * Every listener's last checkpoint per stage; the values themselves only when {@code show-values} lets this
	 * caller see them.
	 * @param securityContext the caller, for {@code when-authorized}
	 * @return listener id to stage to checkpoint
	 */
	@ReadOperation
	public Map<String, Map<String, Map<String, Object>>> checkpoints(SecurityContext securityContext) {
		return this.store.render(this.showValues.isShown(securityContext, this.roles));
	}

	/**
	 * One listener's last checkpoint per stage, values shown as for {@link #checkpoints}.
	 * @param securityContext the caller, for {@code when-authorized}
	 * @param listener the listener's id
	 * @return stage to checkpoint, or {@code null} (404) for an unknown listener
	 */
	@ReadOperation
	public @Nullable Map<String, Map<String, Object>> listener(SecurityContext securityContext,
			@Selector String listener) {
		return this.store.render(listener, this.showValues.isShown(securityContext, this.roles));
	}

	/**
	 * Forget every checkpoint on this instance, so that the next read shows only what stages produce from now on.
	 */
	@DeleteOperation
	public void clear() {
		this.store.clear();
	}

}
