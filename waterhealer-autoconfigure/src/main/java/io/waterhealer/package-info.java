/**
 * waterhealer's public API: {@link io.waterhealer.HealingListener} on a bean method consumes Kafka records
 * concurrently and out of order, and commits an offset only when that record and every record before it in its
 * partition were processed successfully.
 */
@NullMarked
package io.waterhealer;

import org.jspecify.annotations.NullMarked;
