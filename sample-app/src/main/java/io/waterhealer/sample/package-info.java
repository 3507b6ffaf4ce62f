/**
 * A small payments service built with {@code @HealingListener}: it consumes payments concurrently, keeps the
 * payments of one account in order, heals transient failures by retrying, and commits only what is done. It runs on
 * an embedded Kafka broker unless {@code spring.kafka.bootstrap-servers} points it at a real one.
 */
@NullMarked
package io.waterhealer.sample;

import org.jspecify.annotations.NullMarked;
