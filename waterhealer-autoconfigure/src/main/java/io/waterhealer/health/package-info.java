/**
 * Health of the listeners (stopped containers, fatal failures, stalls with pending work, an unreachable broker) and
 * the shutdown that exits the JVM when it stays DOWN, so that Kubernetes or systemd restarts the application.
 */
@NullMarked
package io.waterhealer.health;

import org.jspecify.annotations.NullMarked;
