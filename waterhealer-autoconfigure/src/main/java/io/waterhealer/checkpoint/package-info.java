/**
 * Checkpoints: the last value each stage of each listener produced, with when and from which record, kept in memory
 * so that a running pipeline can be looked at (water-healer's checkpointing). Pure Java.
 */
@NullMarked
package io.waterhealer.checkpoint;

import org.jspecify.annotations.NullMarked;
