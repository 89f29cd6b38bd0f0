package io.llmtrace.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmtrace.schemas.avro.EvaluationStats;
import io.llmtrace.schemas.avro.Exemplars;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.SketchBins;
import io.llmtrace.schemas.avro.TraceSummary;
import io.llmtrace.schemas.serde.AvroSerdes;
import io.llmtrace.schemas.testing.TestRecords;
import io.llmtrace.sink.config.SinkConfig;
import io.llmtrace.sink.db.ClickHouseTarget;
import io.llmtrace.sink.db.Migrations;
import io.llmtrace.sink.encoding.RowBinaryBuffer;
import io.llmtrace.sink.mapping.MetricRows;
import io.llmtrace.stack.Await;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sink as {@link ClickHouseSink#start(SinkConfig)} wires it, reading MetricWindow records from a real
 * topic: a window becomes one metrics_1m row equal to it, the materialized views add it into its hour and
 * day, a re-sent insert does not reach the rollups twice, a window emitted twice is one row with FINAL,
 * and windows that cannot be rows become dead letters while the stream goes on.
 */
@ExtendWith(LocalStackExtension.class)
class MetricsSinkIT {

  /** 02:00 of the previous day: the test's windows fall into hours 02:00 and 03:00 of one day. */
  static final Instant HOUR = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofHours(22));
  static final String GROUP = TestRecords.metricWindow().getGroupId();

  @Test
  void writesEachWindowAsARowEqualToItAndRollsItUpIntoItsHourAndDay(StackEndpoints stack, TestNames names) throws Exception {
    // Given the fully populated window in three minutes of two hours, a minimal window and one with odd text
    SinkFixture fixture = fixture(stack, names, 2);
    MetricWindow first = window(TestRecords.metricWindow(), HOUR.plusSeconds(60 * 5));
    MetricWindow second = MetricWindow.newBuilder(window(TestRecords.metricWindow(), HOUR.plusSeconds(60 * 6))).setCount(100)
        .setErrorCount(7).setCostSum(0.5).setMin(120.0).setMax(20_000.0)
        .setLatencySketch(SketchBins.newBuilder().setRelativeAccuracy(0.01).setZeroCount(0).setIndexes(List.of(250, 296, 600))
            .setCounts(List.of(10L, 80L, 10L)).build())
        .setEvaluations(Map.of("answer_cites_source", EvaluationStats.newBuilder().setPassed(90).setFailed(10).setScoreSum(80.0)
            .setScoreCount(100).build(), "json_valid", EvaluationStats.newBuilder().setPassed(100).build()))
        .setPolicyFailuresBySeverity(Map.of("high", 1L, "low", 3L))
        .setExemplars(Exemplars.newBuilder().setErrors(List.of("trace-b")).build())
        .build();
    MetricWindow nextHour = window(TestRecords.metricWindow(), HOUR.plusSeconds(60 * 65));
    MetricWindow minimal = MetricWindow.newBuilder().setWindowStart(HOUR).setWindowEnd(HOUR.plusSeconds(60))
        .setMetricName("llm.traces").setDimensions(Map.of("tenant_id", "globex")).setGroupId("minimal").setCount(0).build();
    MetricWindow odd = MetricWindow.newBuilder(minimal).setGroupId("odd \"quoted\" \\ tab\t ✓ 𝄞")
        .setDimensions(Map.of("tenant_id", "globex", "feature_name", "résumé", "customer_tier", "ключ")).build();
    List<MetricWindow> windows = List.of(first, second, nextHour, minimal, odd);
    produce(fixture, windows);

    // When the sink runs with the pipeline's mappings
    try (ClickHouseSink sink = ClickHouseSink.start(config(fixture, names))) {
      Await.until(Duration.ofSeconds(60), "5 metric rows", () -> fixture.count("SELECT count() FROM metrics_1m") >= 5);

      // Then each window is one row that reads back as the window
      assertThat(readAll(fixture, "SELECT * FROM metrics_1m")).containsExactlyElementsOf(sorted(windows));
      assertThat(fixture.count("SELECT count() = uniqExact(kafka_partition, kafka_offset) FROM metrics_1m")).isEqualTo(1);
      assertThat(fixture.rows("SELECT tenant_id, feature_name, kind, prompt_version FROM metrics_1m WHERE group_id = 'odd \"quoted\" \\\\ tab\\t ✓ 𝄞'"))
          .extracting(row -> row.get("tenant_id").asText() + "/" + row.get("feature_name").asText() + "/" + row.get("kind").asText()
              + "/" + row.get("prompt_version").asText())
          .containsExactly("globex/résumé//");
      assertThat(SinkFixture.get("http://127.0.0.1:" + sink.adminPort() + "/metrics"))
          .contains("llmtrace_sink_rows_written_total{table=\"metrics_1m\"} 5.0");
      assertThat(SinkFixture.get("http://127.0.0.1:" + sink.adminPort() + "/health")).contains("\"status\":\"UP\"", "\"table\":\"metrics_1m\"");
    }

    // and the hour of the first two windows is their sum: counts added, bins and maps added by key, min of mins
    JsonNode hour = fixture.rows("SELECT windows, observations, error_count, cost_sum, latency_min_ms, latency_max_ms, latency_bins, "
        + "latency_zero_count, eval_passed, eval_failed, policy_failures_by_severity, arraySort(exemplar_errors) AS errors, "
        + "feature_name, dimensions FROM metrics_1h WHERE group_id = '" + GROUP + "' AND window_start = '" + clickhouse(HOUR) + "'").get(0);
    assertThat(hour.get("windows").asLong()).isEqualTo(2);
    assertThat(hour.get("observations").asLong()).isEqualTo(first.getCount() + second.getCount());
    assertThat(hour.get("error_count").asLong()).isEqualTo(first.getErrorCount() + second.getErrorCount());
    assertThat(hour.get("cost_sum").asDouble()).isEqualTo(first.getCostSum() + second.getCostSum());
    assertThat(hour.get("latency_min_ms").asDouble()).isEqualTo(120.0);
    assertThat(hour.get("latency_max_ms").asDouble()).isEqualTo(20_000.0);
    assertThat(hour.get("latency_bins").toString()).isEqualTo("{\"250\":10,\"296\":200,\"354\":70,\"459\":9,\"600\":10}");
    assertThat(hour.get("latency_zero_count").asLong()).isEqualTo(1);
    assertThat(hour.get("eval_passed").toString()).isEqualTo("{\"answer_cites_source\":270,\"json_valid\":100}");
    assertThat(hour.get("eval_failed").toString()).isEqualTo("{\"answer_cites_source\":30,\"json_valid\":0}");
    assertThat(hour.get("policy_failures_by_severity").toString()).isEqualTo("{\"high\":3,\"low\":3}");
    assertThat(hour.get("errors")).extracting(JsonNode::asText)
        .containsExactlyElementsOf(Stream.concat(first.getExemplars().getErrors().stream(), Stream.of("trace-b")).sorted().toList());
    assertThat(hour.get("feature_name").asText()).isEqualTo("support_chatbot");
    // and the day holds all three windows of the group
    assertThat(fixture.count("SELECT sum(windows) FROM metrics_1d WHERE group_id = '" + GROUP + "'")).isEqualTo(3);
    assertThat(fixture.count("SELECT sum(observations) FROM metrics_1d WHERE group_id = '" + GROUP + "'"))
        .isEqualTo(first.getCount() + second.getCount() + nextHour.getCount());
    assertThat(fixture.count("SELECT count() FROM metrics_1h WHERE group_id = '" + GROUP + "'")).as("two hours").isEqualTo(2);

    String ddl = fixture.rows("SELECT create_table_query FROM system.tables WHERE database = currentDatabase() AND name = 'metrics_1m'")
        .get(0).get("create_table_query").asText();
    assertThat(ddl).contains("ENGINE = ReplacingMergeTree", "PARTITION BY toDate(window_start)",
        "ORDER BY (tenant_id, level, toStartOfHour(window_start), group_id, window_start, shard)",
        "`latency_bins` Map(Int32, UInt64)", "`tenant_id` LowCardinality(String) MATERIALIZED dimensions['tenant_id']",
        "non_replicated_deduplication_window = 1000");
  }

  @Test
  void aReSentInsertDoesNotReachTheRollupsTwiceAndAWindowEmittedTwiceIsOneRowWithFinal(StackEndpoints stack, TestNames names)
      throws Exception {
    // Given the tables, and a batch of two windows inserted with a token
    SinkFixture fixture = new SinkFixture(stack, "unused", names.table("db"), "unused");
    SinkConfig.ClickHouse config = fixture.config(Map.of()).clickhouse();
    MetricWindow window = window(TestRecords.metricWindow(), HOUR);
    MetricWindow other = window(TestRecords.metricWindow(), HOUR.plusSeconds(60));
    try (ClickHouseTarget target = ClickHouseTarget.connect(config)) {
      new Migrations(target, config).apply();
      RowBinaryBuffer batch = new RowBinaryBuffer(4096);
      MetricRows.encode(window, 0, 10, batch);
      MetricRows.encode(other, 0, 11, batch);
      target.insertRowBinary("metrics_1m", MetricRows.COLUMNS, batch.stream(0, batch.size()), "llm.metrics-0-10-11");

      // When the same batch is sent again with the same token (the sink's retry after an unknown outcome)
      target.insertRowBinary("metrics_1m", MetricRows.COLUMNS, batch.stream(0, batch.size()), "llm.metrics-0-10-11");

      // Then neither metrics_1m nor its rollups have it twice
      assertThat(fixture.count("SELECT count() FROM metrics_1m")).isEqualTo(2);
      assertThat(fixture.count("SELECT sum(windows) FROM metrics_1h")).isEqualTo(2);
      assertThat(fixture.count("SELECT sum(observations) FROM metrics_1d")).isEqualTo(2 * window.getCount());

      // When the stream app emits the first window again (a replay after a reset), corrected, at a later offset
      RowBinaryBuffer again = new RowBinaryBuffer(4096);
      MetricRows.encode(MetricWindow.newBuilder(window).setCount(201).build(), 0, 12, again);
      target.insertRowBinary("metrics_1m", MetricRows.COLUMNS, again.stream(0, again.size()), "llm.metrics-0-12-12");
    }

    // Then metrics_1m read with FINAL holds the last copy only, as the cookbook reads it; the rollups count both
    // copies (documented in V007: rebuild them from metrics_1m FINAL after a replay)
    assertThat(fixture.count("SELECT count() FROM metrics_1m FINAL")).isEqualTo(2);
    assertThat(fixture.count("SELECT sum(observations) FROM metrics_1m FINAL")).isEqualTo(201 + window.getCount());
    assertThat(fixture.count("SELECT sum(windows) FROM metrics_1h")).isEqualTo(3);
  }

  @Test
  void windowsThatAreNoRowsBecomeDeadLettersAndTheStreamContinues(StackEndpoints stack, TestNames names) throws Exception {
    // Given a good window, a trace summary produced to the metrics topic by mistake, a window without a tenant,
    // one whose sketch has another relative accuracy, and a good one
    SinkFixture fixture = fixture(stack, names, 1);
    MetricWindow before = window(TestRecords.metricWindow(), HOUR);
    MetricWindow after = MetricWindow.newBuilder(before).setGroupId("after").build();
    produce(fixture, List.of(before));
    produce(fixture, List.of(TestRecords.traceSummary()));
    produce(fixture, List.of(MetricWindow.newBuilder(before).setGroupId("no-tenant").setDimensions(Map.of("feature_name", "x")).build()));
    produce(fixture, List.of(MetricWindow.newBuilder(before).setGroupId("coarse").setLatencySketch(SketchBins.newBuilder()
        .setRelativeAccuracy(0.02).setIndexes(List.of(1)).setCounts(List.of(1L)).build()).build()));
    produce(fixture, List.of(after));

    try (ClickHouseSink sink = ClickHouseSink.start(config(fixture, names))) {
      Await.until(Duration.ofSeconds(60), "2 metric rows and 3 dead letters", () -> fixture.count("SELECT count() FROM metrics_1m") >= 2
          && fixture.count("SELECT count() FROM dead_letters") >= 3);
      assertThat(fixture.rows("SELECT group_id FROM metrics_1m ORDER BY group_id")).extracting(row -> row.get("group_id").asText())
          .containsExactly(GROUP, "after");
      assertThat(fixture.rows("SELECT target_table, offset, error_class, reason FROM dead_letters ORDER BY offset"))
          .extracting(row -> row.get("target_table").asText() + " " + row.get("offset").asLong() + " " + row.get("error_class").asText())
          .containsExactly("metrics_1m 1 undecodable", "metrics_1m 2 unmappable", "metrics_1m 3 unmappable");
      assertThat(fixture.rows("SELECT reason FROM dead_letters WHERE offset >= 2 ORDER BY offset"))
          .extracting(row -> row.get("reason").asText())
          .satisfiesExactly(reason -> assertThat(reason).contains("no-tenant", "has no tenant_id dimension"),
              reason -> assertThat(reason).contains("latency_sketch has relative accuracy 0.02"));
      assertThat(SinkFixture.get("http://127.0.0.1:" + sink.adminPort() + "/metrics"))
          .contains("llmtrace_sink_dead_letters_total{error_class=\"undecodable\",table=\"metrics_1m\"} 1.0",
              "llmtrace_sink_dead_letters_total{error_class=\"unmappable\",table=\"metrics_1m\"} 2.0");
    }
  }

  /** The window at the span level, moved to one minute from {@code start}, so the row TTL keeps it. */
  static MetricWindow window(MetricWindow window, Instant start) {
    return MetricWindow.newBuilder(window).setMetricName("llm.spans").setWindowStart(start).setWindowEnd(start.plusSeconds(60)).build();
  }

  static String clickhouse(Instant time) {
    return time.toString().replace('T', ' ').replace("Z", "");
  }

  private static List<MetricWindow> sorted(List<MetricWindow> windows) {
    return windows.stream().sorted(Comparator.comparing(MetricWindow::getGroupId).thenComparing(MetricWindow::getWindowStart)).toList();
  }

  private static List<MetricWindow> readAll(SinkFixture fixture, String sql) {
    List<MetricWindow> rows = new ArrayList<>();
    for (JsonNode row : fixture.rows(sql)) {
      rows.add(MetricRowReader.read(row));
    }
    return sorted(rows);
  }

  /** The fixture's topic is the metrics topic; the spans and traces topics, which the sink reads too, exist as well. */
  private static SinkFixture fixture(StackEndpoints stack, TestNames names, int partitions) throws Exception {
    SinkFixture fixture = new SinkFixture(stack, names.topic("metrics"), names.table("db"), names.group("sink"));
    fixture.createTopic(partitions);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.createTopics(List.of(new NewTopic(names.topic("spans"), 1, (short) 1), new NewTopic(names.topic("traces"), 1, (short) 1)))
          .all().get();
    }
    return fixture;
  }

  private static SinkConfig config(SinkFixture fixture, TestNames names) {
    return fixture.config(Map.of("llmtrace.topics.metrics", fixture.topic, "llmtrace.topics.redacted", names.topic("spans"),
        "llmtrace.topics.traces", names.topic("traces")));
  }

  /** Produces the records keyed as the stream apps key them and waits for every acknowledgement. */
  static void produce(SinkFixture fixture, List<? extends SpecificRecord> records) throws Exception {
    fixture.produceRecords(new ArrayList<SpecificRecord>(records), record -> record instanceof MetricWindow window ? window.getGroupId() : ((TraceSummary) record).getTraceId());
  }
}
