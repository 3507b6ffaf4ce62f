/**
 * The offset ledger: which offsets of a partition are in flight, done and failed, and so how far the partition
 * may be committed.
 * <p>
 * Kafka stores one number per partition and consumer group: the offset of the next record to read. Records that
 * are processed concurrently finish in any order, so that number may only move to the lowest offset that is not yet
 * complete; everything completed beyond it must wait. The ledger keeps exactly the state needed to answer "how far
 * may this partition be committed" after every completion, in amortised constant time and without allocating.
 * <p>
 * This package has no Spring imports on purpose: it is the part of waterhealer whose correctness everything else
 * rests on, and it must be possible to reason about it, test it with random histories and benchmark it on its own.
 */
@NullMarked
package io.waterhealer.ledger;

import org.jspecify.annotations.NullMarked;
