/**
 * waterhealer's meters: the catalogue of every meter, and their Micrometer implementation.
 */
@NullMarked
package io.waterhealer.metrics;

import org.jspecify.annotations.NullMarked;
