/**
 * Encoding of the offsets completed beyond a partition's committed position into the commit's metadata string, so
 * that a restart skips them instead of processing them again. Pure Java, like the ledger.
 */
@NullMarked
package io.waterhealer.codec;

import org.jspecify.annotations.NullMarked;
