package io.llmtrace.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import com.fasterxml.jackson.databind.JsonNode;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.sink.config.SinkConfig;
import io.llmtrace.sink.db.ClickHouseTarget;
import io.llmtrace.sink.db.Migrations;
import io.llmtrace.stack.Await;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.StringJoiner;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The percentiles of the ClickHouse rollups: llmtrace_sketch_value and llmtrace_sketch_quantile (V007)
 * agree with sketches-java on the same bins, and 60 one-minute windows of skewed latencies and costs,
 * sent through Kafka and the sink into metrics_1m, give p50/p95/p99 within 1% of the exact values when
 * read from metrics_1h and metrics_1d.
 */
@ExtendWith(LocalStackExtension.class)
class SketchAccuracyIT {

  /** Float64 arithmetic of two implementations of exp and log1p: a few ulps apart at most. */
  static final double SAME_VALUE = 1e-12;
  static final double[] QUANTILES = {0.5, 0.95, 0.99};

  @Test
  void theSqlValueOfABinIsTheMappingsValue(StackEndpoints stack, TestNames names) {
    SinkFixture fixture = migrated(stack, names);
    IndexMapping mapping = Sketches.of(new double[0]).getIndexMapping();
    // indexes -1500..1500 cover values from ~1e-13 to ~1e13 (sub-cent costs to hour-long traces in ms)
    List<JsonNode> rows = fixture.rows("SELECT number - 1500 AS i, llmtrace_sketch_value(i) AS v FROM numbers(3001)");
    assertThat(rows).hasSize(3001);
    double worst = 0;
    for (JsonNode row : rows) {
      int index = row.get("i").asInt();
      double difference = Math.abs(row.get("v").asDouble() - mapping.value(index)) / mapping.value(index);
      assertThat(difference).as("bin %d: SQL %s, sketches-java %s", index, row.get("v").asDouble(), mapping.value(index))
          .isLessThanOrEqualTo(SAME_VALUE);
      worst = Math.max(worst, difference);
    }
    System.out.printf("llmtrace_sketch_value vs LogarithmicMapping(0.01).value over 3001 bins: worst relative difference %.2e%n", worst);
  }

  @Test
  void theSqlQuantileOfBinsIsTheLibrarysQuantile(StackEndpoints stack, TestNames names) {
    // Given random sketches: a few to a few hundred bins anywhere in the index range, sometimes zeros, unordered in the map
    SinkFixture fixture = migrated(stack, names);
    Random random = new Random(1234L);
    double[] quantiles = {0, 0.001, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1};
    for (int sketch = 0; sketch < 40; sketch++) {
      SortedMap<Integer, Long> bins = new TreeMap<>();
      int size = 1 + random.nextInt(sketch % 4 == 0 ? 3 : 300);
      int base = random.nextInt(1200) - 600;
      for (int i = 0; i < size; i++) {
        bins.merge(base + random.nextInt(400), 1L + random.nextInt(sketch % 3 == 0 ? 2 : 1000), Long::sum);
      }
      long zeros = sketch % 5 == 0 ? random.nextInt(500) : 0;
      StringJoiner literal = new StringJoiner(", ", "map(", ")");
      List<Integer> shuffled = new ArrayList<>(bins.keySet());
      Collections.shuffle(shuffled, random);
      shuffled.forEach(index -> literal.add(index + ", toUInt64(" + bins.get(index) + ")"));
      StringJoiner columns = new StringJoiner(", ");
      for (int q = 0; q < quantiles.length; q++) {
        columns.add("llmtrace_sketch_quantile(" + quantiles[q] + ", bins, " + zeros + ") AS q" + q);
      }

      // When ClickHouse reads the quantiles from the bins
      JsonNode row = fixture.rows("WITH CAST(" + literal + ", 'Map(Int32, UInt64)') AS bins SELECT " + columns).get(0);

      // Then they are the library's, from a sketch with the same bins
      DDSketch library = Sketches.fromBins(bins, zeros);
      for (int q = 0; q < quantiles.length; q++) {
        double expected = library.getValueAtQuantile(quantiles[q]);
        double actual = row.get("q" + q).asDouble();
        assertThat(expected == 0 ? actual : Math.abs(actual - expected) / expected)
            .as("sketch %d (%d bins, %d zeros) q=%s: SQL %s, library %s", sketch, bins.size(), zeros, quantiles[q], actual, expected)
            .isLessThanOrEqualTo(SAME_VALUE);
      }
    }
    assertThat(fixture.rows("SELECT llmtrace_sketch_quantile(0.5, CAST(map(), 'Map(Int32, UInt64)'), 0) AS q").get(0).get("q").isNull())
        .as("an empty sketch has no quantile").isTrue();
  }

  @Test
  void sixtyWindowsOfSkewedDataThroughTheSinkGiveHourlyAndDailyPercentilesWithinOnePercent(StackEndpoints stack, TestNames names)
      throws Exception {
    // Given 60 one-minute windows of one group: lognormal latencies (a slow spell in minutes 30-39) and Pareto costs
    SinkFixture fixture = new SinkFixture(stack, names.topic("metrics"), names.table("db"), names.group("sink"));
    fixture.createTopic(2);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.createTopics(List.of(new NewTopic(names.topic("spans"), 1, (short) 1), new NewTopic(names.topic("traces"), 1, (short) 1)))
          .all().get();
    }
    Instant hour = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofHours(20));
    Random random = new Random(20260604L);
    List<double[]> latencies = new ArrayList<>();
    List<double[]> costs = new ArrayList<>();
    List<MetricWindow> windows = new ArrayList<>();
    DDSketch mergedLatency = Sketches.of(new double[0]);
    DDSketch mergedCost = Sketches.of(new double[0]);
    for (int minute = 0; minute < 60; minute++) {
      int calls = 300 + random.nextInt(2_000);
      double[] latency = Sketches.lognormal(random, calls, minute >= 30 && minute < 40 ? 7.6 : 6.5, 1.0);
      double[] cost = Sketches.pareto(random, calls, 0.002, 1.3);
      latencies.add(latency);
      costs.add(cost);
      DDSketch latencySketch = Sketches.of(latency);
      DDSketch costSketch = Sketches.of(cost);
      mergedLatency.mergeWith(latencySketch);
      mergedCost.mergeWith(costSketch);
      Instant start = hour.plusSeconds(60L * minute);
      windows.add(MetricWindow.newBuilder().setWindowStart(start).setWindowEnd(start.plusSeconds(60)).setMetricName("llm.spans")
          .setDimensions(Map.of("tenant_id", "acme", "feature_name", "support_chatbot", "kind", "LLM"))
          .setGroupId("support-llm").setCount(calls).setSum(sum(latency))
          .setP50(latencySketch.getValueAtQuantile(0.5)).setP95(latencySketch.getValueAtQuantile(0.95))
          .setLatencySketch(Sketches.bins(latencySketch)).setCostSum(sum(cost)).setPricedCount(calls)
          .setCostSketch(Sketches.bins(costSketch)).build());
    }

    // When they go through Kafka and the sink into metrics_1m
    MetricsSinkIT.produce(fixture, windows);
    try (ClickHouseSink sink = ClickHouseSink.start(fixture.config(Map.of("llmtrace.topics.metrics", fixture.topic,
        "llmtrace.topics.redacted", names.topic("spans"), "llmtrace.topics.traces", names.topic("traces"))))) {
      Await.until(Duration.ofSeconds(60), "60 windows", () -> fixture.count("SELECT count() FROM metrics_1m") >= 60);
    }

    // Then the hour and the day, read with the documented SQL, are within 1% of the exact percentiles,
    // and equal to the library's merged sketch
    double[] allLatencies = Sketches.sortedCopy(latencies.toArray(double[][]::new));
    double[] allCosts = Sketches.sortedCopy(costs.toArray(double[][]::new));
    for (String table : List.of("metrics_1h", "metrics_1d")) {
      JsonNode row = fixture.rows("SELECT sum(windows) AS windows, "
          + "llmtrace_sketch_quantile(0.5, sumMap(latency_bins), sum(latency_zero_count)) AS latency_p50, "
          + "llmtrace_sketch_quantile(0.95, sumMap(latency_bins), sum(latency_zero_count)) AS latency_p95, "
          + "llmtrace_sketch_quantile(0.99, sumMap(latency_bins), sum(latency_zero_count)) AS latency_p99, "
          + "llmtrace_sketch_quantile(0.5, sumMap(cost_bins), sum(cost_zero_count)) AS cost_p50, "
          + "llmtrace_sketch_quantile(0.95, sumMap(cost_bins), sum(cost_zero_count)) AS cost_p95, "
          + "llmtrace_sketch_quantile(0.99, sumMap(cost_bins), sum(cost_zero_count)) AS cost_p99 "
          + "FROM " + table + " WHERE tenant_id = 'acme' AND level = 'llm.spans' AND group_id = 'support-llm'").get(0);
      assertThat(row.get("windows").asLong()).isEqualTo(60);
      StringBuilder figures = new StringBuilder(table + " (" + allLatencies.length + " calls in 60 windows):");
      for (double q : QUANTILES) {
        String p = "p" + Math.round(q * 100);
        figures.append(check(table, "latency_" + p, row, Sketches.exactQuantile(allLatencies, q), mergedLatency.getValueAtQuantile(q)));
        figures.append(check(table, "cost_" + p, row, Sketches.exactQuantile(allCosts, q), mergedCost.getValueAtQuantile(q)));
      }
      System.out.println(figures);
    }

    // and one minute of metrics_1m alone too
    double[] minute = Sketches.sortedCopy(latencies.get(35));
    JsonNode single = fixture.rows("SELECT llmtrace_sketch_quantile(0.99, latency_bins, latency_zero_count) AS p99 FROM metrics_1m FINAL "
        + "WHERE group_id = 'support-llm' AND window_start = '" + MetricsSinkIT.clickhouse(hour.plusSeconds(60 * 35)) + "'").get(0);
    assertThat(SketchAccuracyTest.relativeError(single.get("p99").asDouble(), Sketches.exactQuantile(minute, 0.99)))
        .isLessThanOrEqualTo(SketchAccuracyTest.MAX_RELATIVE_ERROR);
  }

  private static String check(String table, String column, JsonNode row, double exact, double library) {
    double actual = row.get(column).asDouble();
    double error = SketchAccuracyTest.relativeError(actual, exact);
    assertThat(error).as("%s %s: %s, exact %s", table, column, actual, exact).isLessThanOrEqualTo(SketchAccuracyTest.MAX_RELATIVE_ERROR);
    assertThat(Math.abs(actual - library) / library).as("%s %s vs sketches-java", table, column).isLessThanOrEqualTo(SAME_VALUE);
    return String.format(" %s %.4g (exact %.4g, error %.5f)", column, actual, exact, error);
  }

  private static double sum(double[] values) {
    double sum = 0;
    for (double value : values) {
      sum += value;
    }
    return sum;
  }

  private static SinkFixture migrated(StackEndpoints stack, TestNames names) {
    SinkFixture fixture = new SinkFixture(stack, "unused", names.table("db"), "unused");
    SinkConfig.ClickHouse config = fixture.config(Map.of()).clickhouse();
    try (ClickHouseTarget target = ClickHouseTarget.connect(config)) {
      new Migrations(target, config).apply();
    }
    return fixture;
  }
}
