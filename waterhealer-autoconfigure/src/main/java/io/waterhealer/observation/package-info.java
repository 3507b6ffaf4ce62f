/**
 * Micrometer observation of record attempts on the worker threads: spring-kafka's listener observation, opened
 * where the record runs, so that a trace the producer started continues in the handler. The worker side sees only
 * its {@code AttemptObserver}; this package is what may import Micrometer for it. Internal: no compatibility
 * promise.
 */
@NullMarked
package io.waterhealer.observation;

import org.jspecify.annotations.NullMarked;
