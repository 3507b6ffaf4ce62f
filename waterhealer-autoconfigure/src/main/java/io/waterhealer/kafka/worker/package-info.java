/**
 * The worker side of a {@code @HealingListener}: the record processor that the consumer thread hands records to,
 * the ordering dispatcher and its lanes, batches, the handler invocation, retries, dead letters and the stage
 * meters. Everything here runs on the listener's worker (or retry scheduler) threads and reports back to the
 * partition's ledger only.
 * <p>
 * Internal, no compatibility promise: the types that are public are public so that {@code io.waterhealer.kafka}
 * can build and drive them, not for applications to use.
 */
@NullMarked
package io.waterhealer.kafka.worker;

import org.jspecify.annotations.NullMarked;
