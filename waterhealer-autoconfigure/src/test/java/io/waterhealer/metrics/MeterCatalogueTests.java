package io.waterhealer.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.waterhealer.metrics.ListenerMetrics.StageMeters;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catalogue is the single source of meter names: the README's table must list exactly its meters with their
 * types, units and tags, and the implementation must register nothing outside it and never a key or offset tag.
 */
class MeterCatalogueTests {

	@Test
	void readmeTableMatchesTheCatalogue() throws IOException {
		List<String> readmeRows = Files.readAllLines(Path.of("..", "README.md"))
			.stream()
			.filter((line) -> line.startsWith("| `waterhealer.") && line.contains(" | counter | ")
					|| line.startsWith("| `waterhealer.") && line.matches(".*\\| (timer|gauge|time gauge|distribution summary) \\|.*"))
			.toList();
		List<String> expected = new ArrayList<>();
		for (WaterhealerMeter meter : WaterhealerMeter.values()) {
			expected.add("| `" + meter.meterName() + "` | " + meter.type().name().toLowerCase().replace('_', ' ') + " | "
					+ ((meter.baseUnit() != null) ? meter.baseUnit() : "") + " | " + String.join(", ", meter.tagKeys())
					+ " | " + meter.description() + ". |");
		}
		assertThat(readmeRows).containsExactlyElementsOf(expected);
	}

	@Test
	void registeredMetersAreInTheCatalogueWithItsTagsAndPartitionMetersGoAwayOnRevocation() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		ListenerMetrics metrics = new WaterhealerMetrics(registry, true, true).forListener("orders");
		StageMeters stage = metrics.stage("handle", "orders-topic");
		stage.in(100);
		stage.out(50);
		stage.error(new IllegalStateException("boom"));
		stage.duration(1_000_000);
		TopicPartition tp = new TopicPartition("orders-topic", 3);
		metrics.partitionAssigned(new FixedView(tp));
		metrics.commit(true, false, 1_000);
		metrics.skippedOnAssignment(tp);
		metrics.metadataTruncated(tp);

		for (Meter meter : registry.getMeters()) {
			WaterhealerMeter entry = catalogued(meter.getId().getName());
			assertThat(meter.getId().getTags()).extracting(io.micrometer.core.instrument.Tag::getKey)
				.as(meter.getId().getName())
				.containsExactlyInAnyOrderElementsOf(entry.tagKeys());
		}
		assertThat(registry.get("waterhealer.partition.committed").tag("partition", "3").gauge().value()).isEqualTo(41);
		assertThat(registry.get("waterhealer.stage.errors").tag("exception", "IllegalStateException").counter().count())
			.isEqualTo(1);

		metrics.partitionRevoked(tp);
		assertThat(registry.find("waterhealer.partition.committed").gauges()).isEmpty();
		assertThat(registry.getMeters()).noneMatch((meter) -> meter.getId().getName().startsWith("waterhealer.partition."));
	}

	@Test
	void timingAndSizesCanBeSwitchedOffOnTheirOwn() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		StageMeters stage = new WaterhealerMetrics(registry, false, false).forListener("orders").stage("handle", "t");
		stage.in(100);
		assertThat(stage.timed()).isFalse();
		assertThat(registry.find("waterhealer.stage.duration").timers()).isEmpty();
		assertThat(registry.find("waterhealer.stage.payload.in").summaries()).isEmpty();
		assertThat(registry.get("waterhealer.stage.records.in").counter().count()).isEqualTo(1);
	}

	private static WaterhealerMeter catalogued(String name) {
		for (WaterhealerMeter meter : WaterhealerMeter.values()) {
			if (meter.meterName().equals(name)) {
				return meter;
			}
		}
		throw new AssertionError("meter " + name + " is not in the catalogue");
	}

	private record FixedView(TopicPartition topicPartition) implements PartitionView {

		@Override
		public String listenerId() {
			return "orders";
		}

		@Override
		public long committed() {
			return 41;
		}

		@Override
		public long highestCompleted() {
			return 44;
		}

		@Override
		public long incomplete() {
			return 2;
		}

		@Override
		public long inFlight() {
			return 1;
		}

		@Override
		public double oldestIncompleteAgeSeconds() {
			return 1.5;
		}

		@Override
		public long lag() {
			return 9;
		}

		@Override
		public boolean paused() {
			return false;
		}

	}

}
