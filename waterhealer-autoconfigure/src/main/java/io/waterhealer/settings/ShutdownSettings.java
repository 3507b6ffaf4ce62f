package io.waterhealer.settings;

import java.time.Duration;

/**
 * How listeners are checked and when the application exits.
 *
 * @param enabled whether the application exits after staying DOWN for {@code delay}
 * @param interval time between checks
 * @param stallTimeout how long a listener with work may go without a committed position moving
 * @param brokerTimeout how long the cluster may be unreachable
 * @param delay how long DOWN must last before the exit
 * @param exitCode the JVM's exit status
 */
public record ShutdownSettings(boolean enabled, Duration interval, Duration stallTimeout, Duration brokerTimeout,
		Duration delay, int exitCode) {

}
