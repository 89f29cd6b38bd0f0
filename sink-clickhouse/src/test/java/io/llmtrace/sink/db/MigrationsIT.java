package io.llmtrace.sink.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.clickhouse.client.api.query.GenericRecord;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.schemas.testing.TestSpans;
import io.llmtrace.sink.encoding.RowBinaryBuffer;
import io.llmtrace.sink.mapping.SpanRows;
import io.llmtrace.sink.config.SinkConfig;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The migrations on the real engine: tables as designed, idempotent, safe in parallel, edits refused. */
@ExtendWith(LocalStackExtension.class)
class MigrationsIT {

  static SinkConfig.ClickHouse config(StackEndpoints stack, String database, Map<String, String> extra) {
    Map<String, String> settings = new java.util.HashMap<>(Map.of("llmtrace.clickhouse.url", stack.clickhouseUrl(),
        "llmtrace.clickhouse.database", database));
    settings.putAll(extra);
    return SinkConfig.from(Settings.of(settings)).clickhouse();
  }

  @Test
  void createsTheTablesOnceAndRecordsEachVersion(StackEndpoints stack, TestNames names) {
    SinkConfig.ClickHouse config = config(stack, names.table("db"), Map.of("llmtrace.clickhouse.text-ttl", "14d"));
    try (ClickHouseTarget target = ClickHouseTarget.connect(config)) {
      assertThat(new Migrations(target, config).apply()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
      assertThat(new Migrations(target, config).apply()).as("second run").isEmpty();

      String db = config.database();
      assertThat(target.query("SELECT version, name FROM " + db + ".schema_migrations FINAL ORDER BY version"))
          .extracting(row -> row.getLong("version") + ":" + row.getString("name"))
          .containsExactly("1:spans", "2:trace_index", "3:dead_letters", "4:nullable_cost", "5:traces", "6:span_quality",
              "7:metrics", "8:alerts", "9:releases", "10:review_queue");
      assertThat(target.query("SELECT name FROM system.tables WHERE database = '" + db + "' ORDER BY name"))
          .extracting(row -> row.getString("name"))
          .containsExactly("alert_episodes", "alerts", "dead_letters", "metrics_1d", "metrics_1d_mv", "metrics_1h", "metrics_1h_mv",
              "metrics_1m", "releases", "review_queue", "schema_migrations", "spans", "trace_index", "trace_index_mv", "traces");

      String spans = target.query("SELECT create_table_query AS q FROM system.tables WHERE database = '" + db + "' AND name = 'spans'")
          .get(0).getString("q");
      assertThat(spans).contains("PARTITION BY toDate(start_time)", "ORDER BY (tenant_id, toStartOfHour(start_time), kind, name, start_time)",
          "TTL toDateTime(start_time) + toIntervalDay(90)", "ttl_only_drop_parts = 1", "non_replicated_deduplication_window = 1000",
          "INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1",
          "`output_text` Nullable(String) CODEC(ZSTD(3)) TTL toDateTime(start_time) + toIntervalDay(14)",
          "`tenant_id` LowCardinality(String)", "`attributes` Map(LowCardinality(String), String)");
      assertThat(target.query("SELECT compression_codec AS c FROM system.columns WHERE database = '" + db
          + "' AND table = 'spans' AND name = 'output_text'").get(0).getString("c")).isEqualTo("CODEC(ZSTD(3))");
      GenericRecord cost = target.query("SELECT type, comment FROM system.columns WHERE database = '" + db
          + "' AND table = 'spans' AND name = 'cost_amount'").get(0);
      assertThat(cost.getString("type")).isEqualTo("Nullable(Float64)");
      assertThat(cost.getString("comment")).startsWith("Cost in cost_currency; NULL = unknown");
    }
  }

  @Test
  void anUnknownCostReadsBackAsNullAndV004KeepsRowsWithoutAMutation(StackEndpoints stack, TestNames names) throws Exception {
    // Given the tables with a priced span and a span whose cost is unknown
    SinkConfig.ClickHouse config = config(stack, names.table("db"), Map.of());
    try (ClickHouseTarget target = ClickHouseTarget.connect(config)) {
      new Migrations(target, config).apply();
      RowBinaryBuffer rows = new RowBinaryBuffer(1 << 12);
      SpanRows.encode(TestSpans.startingAt(TestSpans.fullyPopulated(), Instant.now()), 0, 0, rows);
      SpanRows.encode(TestSpans.startingAt(TestSpans.unknownCost(), Instant.now()), 0, 1, rows);
      target.insertRowBinary("spans", SpanRows.COLUMNS, rows.stream(0, rows.size()), "unknown-cost");

      // When V004 runs again over the rows (as on a database whose spans table predates it)
      Migrations.Migration v004 = Migrations.load().stream().filter(m -> m.version() == 4).findFirst().orElseThrow();
      for (String statement : Migrations.statements(Migrations.render(v004.template(), Migrations.variables(config)))) {
        target.execute(statement);
      }

      // Then the unknown cost is NULL, not 0, the priced one kept its amount, and no data was rewritten
      String db = config.database();
      assertThat(target.query("SELECT kafka_offset, cost_source, isNull(cost_amount) AS unknown, ifNull(cost_amount, -1) AS amount FROM "
              + db + ".spans ORDER BY kafka_offset"))
          .extracting(row -> row.getString("cost_source") + " " + row.getLong("unknown") + " " + row.getDouble("amount"))
          .containsExactly("COMPUTED 0 " + TestSpans.RAG_TOTAL_COST, "UNKNOWN 1 -1.0");
      assertThat(target.query("SELECT count() AS n FROM system.mutations WHERE database = '" + db + "'").get(0).getLong("n"))
          .as("V004 changes metadata only").isZero();
    }
  }

  @Test
  void v006AddsTheQualityColumnsOldRowsReadNullAndNewRowsCarryThem(StackEndpoints stack, TestNames names) throws Exception {
    // Given a spans table as V001..V005 made it, with one row written then (the columns SpanRows wrote before V006)
    SinkConfig.ClickHouse config = config(stack, names.table("db"), Map.of());
    String db = config.database();
    List<String> v006Columns = List.of("prompt_template", "tool_call_id", "policy_severity", "citation_coverage",
        "validation_json_requested", "validation_json_parse_failed", "validation_schema_failed",
        "validation_tool_argument_failures", "validation_checks_not_run", "validation_errors");
    try (ClickHouseTarget target = ClickHouseTarget.connect(config)) {
      new Migrations(target, config).apply();
      for (String column : v006Columns) {
        target.execute("ALTER TABLE " + db + ".spans DROP COLUMN " + column);
      }
      target.execute("INSERT INTO " + db + ".spans (trace_id, span_id, tenant_id, kind, name, start_time, end_time, status, "
          + "fallback, rate_limited, timed_out, kafka_partition, kafka_offset) VALUES ('t', 's', 'tenant-acme', 'LLM', 'old', "
          + "now64(6), now64(6), 'OK', false, false, false, 0, 0)");

      // When V006 runs (as on a database migrated before it) and a span with every field is inserted
      Migrations.Migration v006 = Migrations.load().stream().filter(m -> m.version() == 6).findFirst().orElseThrow();
      for (String statement : Migrations.statements(Migrations.render(v006.template(), Migrations.variables(config)))) {
        target.execute(statement);
      }
      RowBinaryBuffer rows = new RowBinaryBuffer(1 << 12);
      SpanRows.encode(TestSpans.startingAt(TestSpans.fullyPopulated(), Instant.now()), 0, 1, rows);
      target.insertRowBinary("spans", SpanRows.COLUMNS, rows.stream(0, rows.size()), "span-quality");

      // Then the columns sit where documented, the old row reads NULL / empty, the new one its values
      assertThat(target.query("SELECT name, type FROM system.columns WHERE database = '" + db + "' AND table = 'spans' "
              + "AND name IN ('" + String.join("', '", v006Columns) + "') ORDER BY position"))
          .extracting(row -> row.getString("name") + " " + row.getString("type"))
          .containsExactly("prompt_template Nullable(String)", "tool_call_id Nullable(String)",
              "policy_severity LowCardinality(Nullable(String))", "citation_coverage Nullable(Float64)",
              "validation_json_requested Nullable(Bool)", "validation_json_parse_failed Nullable(Bool)",
              "validation_schema_failed Nullable(Bool)", "validation_tool_argument_failures Nullable(Int32)",
              "validation_checks_not_run Nullable(Int32)", "validation_errors Array(String)");
      assertThat(target.query("SELECT kafka_offset, ifNull(tool_call_id, '-') AS call, ifNull(policy_severity, '-') AS severity, "
              + "ifNull(citation_coverage, -1) AS coverage, ifNull(validation_tool_argument_failures, -1) AS failures, "
              + "length(validation_errors) AS errors, isNull(prompt_template) AS no_template FROM " + db + ".spans ORDER BY kafka_offset"))
          .extracting(row -> row.getString("call") + " " + row.getString("severity") + " " + row.getDouble("coverage") + " "
              + row.getLong("failures") + " " + row.getLong("errors") + " " + row.getLong("no_template"))
          .containsExactly("- - -1.0 -1 0 1", "call_8e1 high 0.5 1 2 0");
      assertThat(target.query("SELECT comment FROM system.columns WHERE database = '" + db
          + "' AND table = 'spans' AND name = 'validation_checks_not_run'").get(0).getString("comment")).contains("schema_invalid");
    }
  }

  @Test
  void severalInstancesStartingTogetherAllSucceed(StackEndpoints stack, TestNames names) throws Exception {
    SinkConfig.ClickHouse config = config(stack, names.table("db"), Map.of());
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Callable<List<Integer>>> instances = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        instances.add(() -> {
          try (ClickHouseTarget target = ClickHouseTarget.connect(config)) {
            return new Migrations(target, config).apply();
          }
        });
      }
      for (Future<List<Integer>> result : pool.invokeAll(instances)) {
        assertThat(result.get()).isSubsetOf(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
      }
    } finally {
      pool.shutdownNow();
    }
    try (ClickHouseTarget target = ClickHouseTarget.connect(config)) {
      assertThat(target.query("SELECT count() AS n FROM " + config.database() + ".schema_migrations FINAL").get(0).getLong("n")).isEqualTo(10);
      assertThat(new Migrations(target, config).apply()).isEmpty();
    }
  }

  @Test
  void aMigrationEditedAfterItWasAppliedStopsTheStart(StackEndpoints stack, TestNames names) {
    SinkConfig.ClickHouse config = config(stack, names.table("db"), Map.of());
    try (ClickHouseTarget target = ClickHouseTarget.connect(config)) {
      new Migrations(target, config).apply();
      target.execute("INSERT INTO " + config.database() + ".schema_migrations (version, name, checksum, applied_by, applied_at) "
          + "VALUES (2, 'trace_index', 'edited', 'test', now64(3) + 1)");
      assertThatThrownBy(() -> new Migrations(target, config).apply())
          .hasMessageContaining("migration V2 (trace_index) was changed after it was applied")
          .hasMessageContaining("recorded checksum edited");
    }
  }
}
