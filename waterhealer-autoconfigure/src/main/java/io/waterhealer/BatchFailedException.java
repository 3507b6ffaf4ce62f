package io.waterhealer;

import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Thrown by a batch {@link HealingListener} method to say which elements of its batch failed: only their records
 * are retried (and hold the committed position); every other record of the batch completes. Elements are matched by
 * identity: pass the very objects (values or {@code ConsumerRecord}s) the method received. If any named element is
 * not one of them, nothing can be trusted and every record of the batch fails.
 */
public class BatchFailedException extends RuntimeException {

	/** The failed elements, held by identity (an identity set), not by {@code equals}. */
	private final Set<Object> failed;

	/**
	 * Report failed elements.
	 * @param failed the elements of the batch that failed
	 * @param cause why (the first failure, for instance)
	 */
	public BatchFailedException(Collection<?> failed, Throwable cause) {
		super(failed.size() + " element(s) of the batch failed: " + cause, cause);
		if (failed.isEmpty()) {
			throw new IllegalArgumentException("A BatchFailedException must name at least one failed element");
		}
		Set<Object> elements = Collections.newSetFromMap(new IdentityHashMap<>());
		elements.addAll(failed);
		this.failed = Collections.unmodifiableSet(elements);
	}

	/**
	 * Report failed elements, each with its own exception.
	 * @param failures elements of the batch and why each failed; must not be empty
	 * @return the exception, caused by the first failure
	 */
	public static BatchFailedException of(Map<?, ? extends Throwable> failures) {
		if (failures.isEmpty()) {
			throw new IllegalArgumentException("failures must name at least one element");
		}
		BatchFailedException exception = new BatchFailedException(failures.keySet(),
				failures.values().iterator().next());
		failures.values().stream().skip(1).forEach(exception::addSuppressed);
		return exception;
	}

	/**
	 * Whether an element failed.
	 * @param element an element of the batch
	 * @return whether it is one of the failed ones (by identity)
	 */
	public boolean failed(Object element) {
		return this.failed.contains(element);
	}

	/**
	 * The failed elements.
	 * @return them, as an identity set
	 */
	public Set<Object> failedElements() {
		return this.failed;
	}

}
