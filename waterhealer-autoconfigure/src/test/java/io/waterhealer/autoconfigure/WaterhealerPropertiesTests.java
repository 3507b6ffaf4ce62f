package io.waterhealer.autoconfigure;

import io.waterhealer.ledger.OffsetLedger;
import io.waterhealer.settings.ListenerSettings;
import io.waterhealer.settings.RateLimit;
import io.waterhealer.settings.RetryBackOff;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The property defaults (which the configuration metadata shows in IDEs) must be the defaults the core uses.
 */
class WaterhealerPropertiesTests {

	@Test
	void defaultsAreTheCoreDefaults() {
		ListenerSettings defaults = new WaterhealerProperties().toListenerDefaults();
		assertThat(defaults.parallelism()).isEqualTo(ListenerSettings.DEFAULT_PARALLELISM);
		assertThat(defaults.ordering()).isEqualTo(ListenerSettings.DEFAULT_ORDERING);
		assertThat(defaults.concurrency()).isEqualTo(ListenerSettings.DEFAULT_CONCURRENCY);
		assertThat(defaults.maxInFlight()).isEqualTo(OffsetLedger.DEFAULT_MAX_IN_FLIGHT);
		assertThat(defaults.maxSpan()).isEqualTo(OffsetLedger.DEFAULT_MAX_SPAN);
		assertThat(defaults.commitInterval()).isEqualTo(ListenerSettings.DEFAULT_COMMIT_INTERVAL);
		assertThat(defaults.drainTimeout()).isEqualTo(ListenerSettings.DEFAULT_DRAIN_TIMEOUT);
		assertThat(defaults.backOff()).isEqualTo(RetryBackOff.DEFAULT);
		assertThat(defaults.rate()).isEqualTo(RateLimit.unlimited());
	}

}
