package io.llmtrace.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmtrace.schemas.avro.SlowestSpan;
import io.llmtrace.schemas.avro.TraceError;
import io.llmtrace.schemas.avro.TraceOutcome;
import io.llmtrace.schemas.avro.TraceStatus;
import io.llmtrace.schemas.avro.TraceSummary;
import io.llmtrace.schemas.testing.TestRecords;
import io.llmtrace.sink.config.SinkConfig;
import io.llmtrace.sink.db.ClickHouseTarget;
import io.llmtrace.sink.db.Migrations;
import io.llmtrace.sink.encoding.RowBinaryBuffer;
import io.llmtrace.sink.mapping.TraceRows;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@code traces_*} queries of {@code deploy/clickhouse/queries} on trace summaries with known
 * answers, several of them in more than one version, so that every answer depends on reading the
 * newest version of each trace: a late root that completes an incomplete trace and moves its start
 * earlier (s-late-root), a late failure that turns SUCCESS into RESCUED and replaces the request id,
 * inserted before its first version (s-late-fail), a trace whose newest version ends after midnight,
 * in the next day's partition (s-midnight), one whose late root started before the queried range
 * (s-before-window), and one version delivered twice (s-ok-1). Times count from the last midnight (M);
 * the range queried is [M - 1 h, M + 1 h).
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracesCookbookIT {

  static final Path QUERIES = Path.of("..", "deploy", "clickhouse", "queries");
  static final DateTimeFormatter CLICKHOUSE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);
  static final String CHATBOT = "support_chatbot";
  static final String INVOICES = "invoice_extraction";

  private final Set<String> tested = new HashSet<>();
  private final Instant midnight = Instant.now().truncatedTo(ChronoUnit.DAYS);
  private SinkFixture fixture;

  @BeforeAll
  void loadFixture(StackEndpoints stack, TestNames names) throws ClickHouseTarget.InsertException {
    fixture = new SinkFixture(stack, "unused", names.table("traces_cookbook"), "unused");
    SinkConfig.ClickHouse config = fixture.config(Map.of()).clickhouse();
    try (ClickHouseTarget target = ClickHouseTarget.connect(config)) {
      new Migrations(target, config).apply();
      long offset = 0;
      // one insert per list, so versions of a trace sit in different parts as they do in production
      for (List<TraceSummary> insert : inserts()) {
        RowBinaryBuffer rows = new RowBinaryBuffer(1 << 14);
        for (TraceSummary trace : insert) {
          TraceRows.encode(trace, 0, offset++, rows);
        }
        target.insertRowBinary("traces", TraceRows.COLUMNS, rows.stream(0, rows.size()), "traces-cookbook-" + offset);
      }
    }
  }

  List<List<TraceSummary>> inserts() {
    List<TraceSummary> first = List.of(
        trace("s-ok-1", CHATBOT, minutes(-50), 1_000, TraceOutcome.SUCCESS, 0.010, 1).setRequestId("req-dup")
            .setSlowestSpan(slowest("support_answer", "LLM", 600)).build(),
        trace("s-ok-2", CHATBOT, minutes(-40), 1_500, TraceOutcome.SUCCESS, 0.020, 1).setRequestId("req-dup")
            .setSlowestSpan(slowest("support_answer", "LLM", 900)).build(),
        trace("s-failed", CHATBOT, minutes(-30), 2_000, TraceOutcome.FAILED, 0.030, 1).setErrorCount(1)
            .setFirstError(TraceError.newBuilder().setSpanId("s-failed-3").setSpanName("crm_lookup")
                .setErrorType("provider_timeout").build())
            .setSlowestSpan(slowest("crm_lookup", "TOOL", 1_500)).build(),
        trace("s-late-root", CHATBOT, minutes(-20).plusSeconds(5), 1_000, TraceOutcome.INCOMPLETE, 0.010, 1)
            .setSlowestSpan(slowest("support_answer", "LLM", 400)).build(),
        trace("s-unpriced", CHATBOT, minutes(-5), 500, TraceOutcome.INCOMPLETE, null, 1).setUnknownCostSpans(2).build(),
        trace("s-midnight", CHATBOT, midnight.minusSeconds(90), 30_000, TraceOutcome.SUCCESS, 0.010, 1)
            .setSlowestSpan(slowest("support_answer", "LLM", 20_000)).build(),
        trace("s-before-window", CHATBOT, minutes(-60).plusSeconds(30), 1_000, TraceOutcome.INCOMPLETE, 0.010, 1).build(),
        trace("s-later", CHATBOT, minutes(61), 1_000, TraceOutcome.SUCCESS, 0.010, 1).build(),
        trace("i-ok", INVOICES, minutes(-45), 800, TraceOutcome.SUCCESS, 0.005, 1)
            .setSlowestSpan(slowest("extract_fields", "LLM", 500)).build(),
        trace("i-rescued", INVOICES, minutes(-35), 1_200, TraceOutcome.RESCUED, 0.007, 1).setPolicyCheckFailures(1).setRetries(2)
            .setSlowestSpan(slowest("extract_fields", "LLM", 700)).build(),
        trace("i-incomplete", INVOICES, minutes(-25), 600, TraceOutcome.INCOMPLETE, 0.001, 1).setSpanCount(2).build(),
        trace("g-1", CHATBOT, minutes(-30), 1_000, TraceOutcome.SUCCESS, 1.0, 1).setTenantId("globex").setRequestId("req-5")
            .setSlowestSpan(slowest("support_answer", "LLM", 999)).build());
    // s-late-fail's second version reaches the table before its first: the version decides, not the arrival
    List<TraceSummary> second = List.of(
        trace("s-late-fail", CHATBOT, minutes(-10), 4_000, TraceOutcome.RESCUED, 0.060, 2).setRequestId("req-5")
            .setPolicyCheckFailures(1).setRetries(1).setSlowestSpan(slowest("support_answer", "LLM", 2_500)).build(),
        trace("s-ok-1", CHATBOT, minutes(-50), 1_000, TraceOutcome.SUCCESS, 0.010, 1).setRequestId("req-dup")
            .setSlowestSpan(slowest("support_answer", "LLM", 600)).build());
    List<TraceSummary> third = List.of(
        trace("s-late-fail", CHATBOT, minutes(-10), 2_000, TraceOutcome.SUCCESS, 0.040, 1).setRequestId("req-5a")
            .setSlowestSpan(slowest("support_answer", "LLM", 1_000)).build(),
        trace("s-late-root", CHATBOT, minutes(-20), 3_000, TraceOutcome.RESCUED, 0.050, 2).setRequestId("req-late")
            .setPolicyCheckFailures(1).setRetries(1).setSlowestSpan(slowest("policy_guard", "GUARDRAIL", 1_200)).build(),
        trace("s-midnight", CHATBOT, midnight.minusSeconds(90), 95_000, TraceOutcome.RESCUED, 0.015, 2)
            .setPolicyCheckFailures(1).setFallbacks(1).setSlowestSpan(slowest("support_answer", "LLM", 20_000)).build(),
        trace("s-before-window", CHATBOT, minutes(-61), 90_000, TraceOutcome.SUCCESS, 0.020, 2).build(),
        trace("i-incomplete", INVOICES, minutes(-25), 900, TraceOutcome.INCOMPLETE, 0.002, 2).setSpanCount(3)
            .setSlowestSpan(slowest("ocr_page", "TOOL", 450)).build());
    return List.of(first, second, third);
  }

  /**
   * The shared fully populated summary with this trace's identity, times, outcome, cost and version;
   * counts of failures start at 0 and the status follows the outcome.
   */
  static TraceSummary.Builder trace(String id, String feature, Instant start, long millis, TraceOutcome outcome, Double cost,
      long version) {
    boolean incomplete = outcome == TraceOutcome.INCOMPLETE;
    return TraceSummary.newBuilder(TestRecords.traceSummary()).setTraceId(id).setTenantId("acme").setFeatureName(feature)
        .setRequestId(null).setRootSpanName(incomplete ? null : feature + ".request").setRootSpanKind(incomplete ? null : "WORKFLOW")
        .setStartTime(start).setEndTime(start.plusMillis(millis)).setDurationMicros(millis * 1_000)
        .setOutcome(outcome).setIncomplete(incomplete).setTruncated(false)
        .setStatus(outcome == TraceOutcome.FAILED ? TraceStatus.ERROR : incomplete ? TraceStatus.UNSET : TraceStatus.OK)
        .setRetries(0).setFallbacks(0).setTimeouts(0).setRateLimited(0).setErrorCount(0).setPolicyCheckFailures(0)
        .setFailedEvaluations(0).setFirstError(null).setSlowestSpan(null).setTotalCost(cost).setUnknownCostSpans(0)
        .setVersion(version).setAssembledAt(start.plusMillis(millis).plusSeconds(30L * version));
  }

  static SlowestSpan slowest(String name, String kind, long millis) {
    return SlowestSpan.newBuilder().setSpanId(name + "-span").setName(name).setKind(kind).setDurationMicros(millis * 1_000).build();
  }

  Instant minutes(long offset) {
    return midnight.plus(Duration.ofMinutes(offset));
  }

  Map<String, String> range(String... more) {
    Map<String, String> parameters = new HashMap<>(Map.of("tenant", "acme",
        "since", CLICKHOUSE_TIME.format(minutes(-60)), "until", CLICKHOUSE_TIME.format(minutes(60))));
    for (int i = 0; i < more.length; i += 2) {
      parameters.put(more[i], more[i + 1]);
    }
    return parameters;
  }

  List<JsonNode> run(String file, Map<String, String> parameters) throws IOException {
    tested.add(file);
    String sql = Files.readString(QUERIES.resolve(file)).strip();
    sql = sql.endsWith(";") ? sql.substring(0, sql.length() - 1) : sql;
    Map<String, String> params = new HashMap<>(Map.of("output_format_json_named_tuples_as_objects", "1"));
    parameters.forEach((key, value) -> params.put("param_" + key, value));
    return fixture.rows(sql, params);
  }

  static List<String> ids(List<JsonNode> rows) {
    return rows.stream().map(row -> row.get("trace_id").asText()).toList();
  }

  @Test
  void traceListOfAFeatureShowsEachTraceOnceAsItsNewestVersion() throws IOException {
    List<JsonNode> rows = run("traces_list.sql", range("feature", CHATBOT, "outcomes", "[]", "min_cost", "0",
        "min_duration_ms", "0", "limit", "100"));
    // s-before-window's late root started before the range, s-later starts after it, g-1 is globex's
    assertThat(ids(rows)).containsExactly("s-midnight", "s-unpriced", "s-late-fail", "s-late-root", "s-failed", "s-ok-2", "s-ok-1");
    assertThat(rows).extracting(row -> row.get("version").asLong()).containsExactly(2L, 1L, 2L, 2L, 1L, 1L, 1L);
    JsonNode lateFail = rows.get(2);
    assertThat(lateFail.get("outcome").asText()).isEqualTo("RESCUED");
    assertThat(lateFail.get("total_cost").asDouble()).isEqualTo(0.06);
    assertThat(lateFail.get("duration_ms").asDouble()).isEqualTo(4_000.0);
    assertThat(lateFail.get("request_id").asText()).isEqualTo("req-5");
    JsonNode lateRoot = rows.get(3);
    assertThat(lateRoot.get("start_time").asText()).isEqualTo(CLICKHOUSE_TIME.format(minutes(-20)));
    assertThat(lateRoot.get("root_span_name").asText()).isEqualTo("support_chatbot.request");
    assertThat(rows.get(1).get("total_cost").isNull()).as("unpriced, not free").isTrue();
  }

  @Test
  void traceListFiltersOutcomeCostAndDurationOnTheNewestVersion() throws IOException {
    assertThat(ids(run("traces_list.sql", range("feature", CHATBOT, "outcomes", "['RESCUED']", "min_cost", "0.02",
        "min_duration_ms", "3000", "limit", "100"))))
        .as("s-midnight is RESCUED but cheaper; the first versions of both were not RESCUED")
        .containsExactly("s-late-fail", "s-late-root");
    assertThat(ids(run("traces_list.sql", range("feature", "", "outcomes", "['INCOMPLETE']", "min_cost", "0",
        "min_duration_ms", "0", "limit", "100"))))
        .as("every feature; s-late-root and s-before-window were incomplete only in their first version")
        .containsExactly("s-unpriced", "i-incomplete");
    assertThat(ids(run("traces_list.sql", range("feature", "", "outcomes", "['INCOMPLETE']", "min_cost", "0.0015",
        "min_duration_ms", "0", "limit", "100"))))
        .as("a minimum cost leaves out the unpriced trace and i-incomplete's first version (0.001)")
        .containsExactly("i-incomplete");
    assertThat(ids(run("traces_list.sql", range("feature", "", "outcomes", "[]", "min_cost", "0",
        "min_duration_ms", "0", "limit", "100")))).as("7 support_chatbot and 3 invoice_extraction traces").hasSize(10);
    assertThat(ids(run("traces_list.sql", range("feature", "", "outcomes", "[]", "min_cost", "0",
        "min_duration_ms", "0", "limit", "3")))).containsExactly("s-midnight", "s-unpriced", "s-late-fail");
    assertThat(ids(run("traces_list.sql", range("feature", "", "outcomes", "['SUCCESS', 'FAILED']", "min_cost", "0",
        "min_duration_ms", "1500", "limit", "100"))))
        .as("s-late-fail and s-midnight were SUCCESS and long enough in their first versions only")
        .containsExactly("s-failed", "s-ok-2");
  }

  @Test
  void costPerCompletedAndPerSuccessfulTaskByFeature() throws IOException {
    List<JsonNode> rows = run("traces_cost_per_task.sql", range());
    assertThat(rows).extracting(row -> row.get("feature").asText()).containsExactly(INVOICES, CHATBOT);
    JsonNode invoices = rows.get(0);
    assertThat(counts(invoices)).isEqualTo("tasks=3 completed=2 successful=1 incomplete=1 unpriced=0");
    assertThat(invoices.get("cost").asDouble()).isCloseTo(0.014, within(1e-9));
    assertThat(invoices.get("cost_per_completed_task").asDouble()).isCloseTo(0.007, within(1e-9));
    assertThat(invoices.get("cost_per_successful_task").asDouble()).isCloseTo(0.014, within(1e-9));
    JsonNode chatbot = rows.get(1);
    // s-late-fail counts as RESCUED (0.060), not as its first SUCCESS (0.040); s-ok-1 once
    assertThat(counts(chatbot)).isEqualTo("tasks=7 completed=5 successful=2 incomplete=1 unpriced=1");
    assertThat(chatbot.get("cost").asDouble()).isCloseTo(0.185, within(1e-9));
    assertThat(chatbot.get("cost_per_completed_task").asDouble()).isCloseTo(0.037, within(1e-9));
    assertThat(chatbot.get("cost_per_successful_task").asDouble()).isCloseTo(0.0925, within(1e-9));
  }

  static String counts(JsonNode row) {
    return "tasks=" + row.get("tasks").asLong() + " completed=" + row.get("completed_tasks").asLong()
        + " successful=" + row.get("successful_tasks").asLong() + " incomplete=" + row.get("incomplete_tasks").asLong()
        + " unpriced=" + row.get("unpriced_tasks").asLong();
  }

  @Test
  void tracesThatFailedAPolicyCheckAndWereRescuedByARetry() throws IOException {
    List<JsonNode> rows = run("traces_rescued_policy_failures.sql", range());
    // s-midnight was rescued by a fallback, without a retry
    assertThat(ids(rows)).containsExactly("i-rescued", "s-late-root", "s-late-fail");
    assertThat(rows).extracting(row -> row.get("retries").asInt() + "/" + row.get("policy_check_failures").asInt() + "/v"
        + row.get("version").asLong()).containsExactly("2/1/v1", "1/1/v2", "1/1/v2");
  }

  @Test
  void slowestStepByFeature() throws IOException {
    List<JsonNode> rows = run("traces_slowest_step_by_feature.sql", range("top", "2"));
    assertThat(rows).extracting(row -> row.get("feature").asText() + "/" + row.get("step").asText() + "/" + row.get("kind").asText()
        + " traces=" + row.get("traces").asLong() + " share=" + row.get("share").asDouble() + " p50=" + row.get("p50_ms").asDouble()
        + " p95=" + row.get("p95_ms").asDouble() + " max=" + row.get("max_ms").asDouble())
        .containsExactly(
            "invoice_extraction/extract_fields/LLM traces=2 share=0.6667 p50=700.0 p95=700.0 max=700.0",
            "invoice_extraction/ocr_page/TOOL traces=1 share=0.3333 p50=450.0 p95=450.0 max=450.0",
            // newest versions: s-late-fail's 2500 ms (not 1000), s-late-root's policy_guard (not support_answer)
            "support_chatbot/support_answer/LLM traces=4 share=0.6667 p50=2500.0 p95=20000.0 max=20000.0",
            "support_chatbot/crm_lookup/TOOL traces=1 share=0.1667 p50=1500.0 p95=1500.0 max=1500.0");
  }

  @Test
  void incompleteTracesAreThoseWhoseNewestVersionHasNoRoot() throws IOException {
    List<JsonNode> rows = run("traces_incomplete.sql", range());
    assertThat(ids(rows)).containsExactly("i-incomplete", "s-unpriced");
    assertThat(rows.get(0).get("span_count").asInt()).isEqualTo(3);
    assertThat(rows.get(0).get("version").asLong()).isEqualTo(2);
    assertThat(rows.get(0).get("span_counts_by_kind").get("LLM").asInt()).isEqualTo(1);
  }

  @Test
  void traceByRequestIdAsItsNewestVersion() throws IOException {
    List<JsonNode> late = run("traces_by_request_id.sql", Map.of("tenant", "acme", "request_id", "req-late"));
    assertThat(ids(late)).containsExactly("s-late-root");
    JsonNode trace = late.get(0);
    assertThat(trace.get("outcome").asText()).isEqualTo("RESCUED");
    assertThat(trace.get("version").asLong()).isEqualTo(2);
    assertThat(trace.get("slowest_span_name").asText()).isEqualTo("policy_guard");
    assertThat(trace.get("evaluations").get("answer_cites_source").get("failed").asInt()).isEqualTo(1);
    assertThat(trace.get("critical_path").get(0).get("name").asText()).isEqualTo("support_answer");

    assertThat(ids(run("traces_by_request_id.sql", Map.of("tenant", "acme", "request_id", "req-5"))))
        .as("acme's, not globex's g-1").containsExactly("s-late-fail");
    assertThat(run("traces_by_request_id.sql", Map.of("tenant", "acme", "request_id", "req-5a")))
        .as("only s-late-fail's first version named req-5a").isEmpty();
    assertThat(ids(run("traces_by_request_id.sql", Map.of("tenant", "acme", "request_id", "req-dup"))))
        .as("a retried request: two traces, s-ok-1 once although delivered twice").containsExactly("s-ok-1", "s-ok-2");
  }

  @Test
  void finalAgreesWithTheNewestVersionOnThisEngine() {
    // The DDL comment says FINAL is correct here with any WHERE; the queries do not rely on it.
    List<JsonNode> rows = fixture.rows("SELECT trace_id, version FROM traces FINAL WHERE tenant_id = 'acme' AND feature_name = '"
        + CHATBOT + "' AND outcome != 'INCOMPLETE' AND start_time >= '" + CLICKHOUSE_TIME.format(minutes(-60))
        + "' AND start_time < '" + CLICKHOUSE_TIME.format(minutes(60)) + "' ORDER BY start_time DESC");
    assertThat(rows).extracting(row -> row.get("trace_id").asText() + "@" + row.get("version").asLong())
        .containsExactly("s-midnight@2", "s-late-fail@2", "s-late-root@2", "s-failed@1", "s-ok-2@1", "s-ok-1@1");
  }

  @AfterAll
  void everyTracesQueryIsTested() throws IOException {
    try (Stream<Path> files = Files.list(QUERIES)) {
      assertThat(tested).containsExactlyInAnyOrderElementsOf(files.map(f -> f.getFileName().toString())
          .filter(name -> name.startsWith("traces_")).toList());
    }
  }
}
