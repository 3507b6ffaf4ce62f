package io.waterhealer.sample;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.waterhealer.metrics.ListenerMetrics;
import io.waterhealer.metrics.ListenerMetrics.StageMeters;
import io.waterhealer.metrics.PartitionView;
import io.waterhealer.metrics.TierPartitionView;
import io.waterhealer.metrics.WaterhealerMeter;
import io.waterhealer.metrics.WaterhealerMetrics;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana dashboard queries only series that waterhealer produces: every {@code waterhealer_*} name in its
 * PromQL must appear in a Prometheus scrape of the meter catalogue, registered through the same
 * {@link WaterhealerMetrics} the listeners use, with Micrometer's Prometheus naming ({@code _total},
 * {@code _seconds_bucket}, {@code _records}, ...). A renamed meter fails this test instead of leaving an empty panel.
 */
class GrafanaDashboardTests {

	static final Path DASHBOARD = Path.of("grafana", "waterhealer-dashboard.json");

	static final Pattern METRIC = Pattern.compile("\\bwaterhealer_[a-z0-9_]+");

	@Test
	void everyMetricTheDashboardQueriesIsProducedByTheMeterCatalogue() {
		Set<String> produced = producedSeriesNames();
		List<String> queries = queries();
		assertThat(queries).hasSizeGreaterThan(15);

		Set<String> queried = new TreeSet<>();
		for (String query : queries) {
			Matcher matcher = METRIC.matcher(query);
			boolean any = false;
			while (matcher.find()) {
				queried.add(matcher.group());
				any = true;
			}
			assertThat(any).as("query without a waterhealer metric: %s", query).isTrue();
		}
		assertThat(produced).containsAll(queried);
	}

	@Test
	void theDashboardCoversThroughputErrorsLatencyLagTheLedgerAndCommits() {
		String all = String.join("\n", queries());
		assertThat(all).contains("waterhealer_stage_records_out_total", "waterhealer_stage_errors_total",
				"waterhealer_stage_duration_seconds_bucket", "waterhealer_partition_lag_records",
				"waterhealer_partition_incomplete_records", "waterhealer_partition_oldest_incomplete_age_seconds",
				"waterhealer_partition_paused", "waterhealer_partition_committed", "waterhealer_commits_total",
				"waterhealer_commit_duration_seconds");
	}

	/** Every PromQL expression of the dashboard: panel targets (rows included) and template variable queries. */
	private static List<String> queries() {
		JsonNode dashboard = JsonMapper.builder().build().readTree(DASHBOARD.toFile());
		List<String> queries = new ArrayList<>();
		collect(dashboard.path("panels"), queries);
		for (JsonNode variable : dashboard.path("templating").path("list")) {
			if ("query".equals(variable.path("type").asString())) {
				queries.add(variable.path("query").path("query").asString());
			}
		}
		return queries;
	}

	private static void collect(JsonNode panels, List<String> queries) {
		for (JsonNode panel : panels) {
			for (JsonNode target : panel.path("targets")) {
				queries.add(target.path("expr").asString());
			}
			collect(panel.path("panels"), queries);
		}
	}

	/**
	 * Register every meter of the catalogue in a Prometheus registry through waterhealer's own implementation, and
	 * return the series names a scrape shows.
	 */
	private static Set<String> producedSeriesNames() {
		PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
		ListenerMetrics metrics = new WaterhealerMetrics(registry, true, true).forListener("payments");
		StageMeters stage = metrics.stage("enrich", "payments");
		stage.in(100);
		stage.out(80);
		stage.error(new IllegalStateException("boom"));
		stage.duration(1_000_000);
		TopicPartition partition = new TopicPartition("payments", 0);
		metrics.partitionAssigned(new Partition(partition));
		metrics.commit(true, false, 1_000);
		metrics.commit(false, false, 1_000);
		metrics.skippedOnAssignment(partition);
		metrics.metadataTruncated(partition);
		metrics.deadLettersReplayed("payments-dlt", 3);
		metrics.tierPartitionAssigned(new TierPartition(new TopicPartition("payments-retry-10s", 0)));

		Set<WaterhealerMeter> registered = EnumSet.noneOf(WaterhealerMeter.class);
		registry.getMeters().forEach((meter) -> {
			for (WaterhealerMeter entry : WaterhealerMeter.values()) {
				if (entry.meterName().equals(meter.getId().getName())) {
					registered.add(entry);
				}
			}
		});
		assertThat(registered).as("every catalogue meter registered").containsExactlyInAnyOrder(WaterhealerMeter.values());

		Set<String> names = new TreeSet<>();
		for (String line : registry.scrape().split("\n")) {
			if (!line.startsWith("#") && !line.isBlank()) {
				names.add(line.split("[{ ]", 2)[0]);
			}
		}
		return names;
	}

	private record Partition(TopicPartition topicPartition) implements PartitionView {

		@Override
		public String listenerId() {
			return "payments";
		}

		@Override
		public long committed() {
			return 41;
		}

		@Override
		public long highestCompleted() {
			return 50;
		}

		@Override
		public long incomplete() {
			return 3;
		}

		@Override
		public long inFlight() {
			return 1;
		}

		@Override
		public double oldestIncompleteAgeSeconds() {
			return 2.5;
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

	private record TierPartition(TopicPartition topicPartition) implements TierPartitionView {

		@Override
		public String tier() {
			return "10s";
		}

		@Override
		public long depth() {
			return 4;
		}

		@Override
		public double dueLagSeconds() {
			return 0.2;
		}

	}

}
