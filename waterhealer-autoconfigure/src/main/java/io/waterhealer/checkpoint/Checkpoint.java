package io.waterhealer.checkpoint;

import org.jspecify.annotations.Nullable;

/**
 * The last value one stage produced.
 *
 * @param value the value as produced (rendered, capped in size, only when read)
 * @param epochMillis when it was produced
 * @param topic the topic of the record it came from
 * @param partition that record's partition
 * @param offset that record's offset
 */
public record Checkpoint(@Nullable Object value, long epochMillis, String topic, int partition, long offset) {

}
