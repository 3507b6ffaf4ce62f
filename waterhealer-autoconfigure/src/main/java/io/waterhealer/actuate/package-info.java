/**
 * Actuator endpoints of waterhealer.
 */
@NullMarked
package io.waterhealer.actuate;

import org.jspecify.annotations.NullMarked;
