/**
 * The glue between the offset ledger and spring-kafka. It uses spring-kafka's extension points only: an endpoint
 * registered through {@code KafkaListenerConfigurer}, a batch listener that hands records out, a
 * {@code BatchInterceptor} whose per-poll hook commits on the consumer thread, and a
 * {@code ConsumerAwareRebalanceListener} that drains, commits and closes ledgers on revocation.
 */
@NullMarked
package io.waterhealer.kafka;

import org.jspecify.annotations.NullMarked;
