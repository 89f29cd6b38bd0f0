package io.llmtrace.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.fasterxml.jackson.databind.JsonNode;
import io.llmtrace.schemas.avro.EvaluationStats;
import io.llmtrace.schemas.avro.Exemplars;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.sink.config.SinkConfig;
import io.llmtrace.sink.db.ClickHouseTarget;
import io.llmtrace.sink.db.Migrations;
import io.llmtrace.sink.encoding.RowBinaryBuffer;
import io.llmtrace.sink.mapping.MetricRows;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@code metrics_*} queries of {@code deploy/clickhouse/queries} on metric windows with known answers,
 * written with MetricRows into metrics_1m (the materialized views fill metrics_1h and metrics_1d): the
 * seed's prompt history v32..v35 of {@code draft_response} (calls, errors, evaluations, thumbs down and cost
 * chosen so that the pass rates are its 84/81/89/94%), two releases of the support chatbot at trace level,
 * a refund agent's days with a gap, a failing CRM tool, a group too small to rank, an overflow group, and
 * other tenants, prompts, levels and times that every query must leave out. Times count from the last
 * midnight M; 1m and 1h queries read [M - 1 h, M + 1 h), the span-level prompt history [M - 1 h, M). Expected
 * percentiles come from sketches-java merging the same windows.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsCookbookIT {

  static final Path QUERIES = Path.of("..", "deploy", "clickhouse", "queries");
  static final DateTimeFormatter CLICKHOUSE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);
  static final DateTimeFormatter CLICKHOUSE_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
  static final String PROMPT = "draft_response";

  private final Set<String> tested = new HashSet<>();
  private final Instant midnight = Instant.now().truncatedTo(ChronoUnit.DAYS);
  private final Random random = new Random(35L);
  /** Latencies (or durations) of every window, by a label the test asks for: "v32", "release 2026.06.1", ... */
  private final Map<String, List<double[]>> latencies = new HashMap<>();
  private final Map<String, List<double[]>> successCosts = new HashMap<>();
  private SinkFixture fixture;

  @BeforeAll
  void loadFixture(StackEndpoints stack, TestNames names) throws ClickHouseTarget.InsertException {
    fixture = new SinkFixture(stack, "unused", names.table("metrics_cookbook"), "unused");
    SinkConfig.ClickHouse config = fixture.config(Map.of()).clickhouse();
    try (ClickHouseTarget target = ClickHouseTarget.connect(config)) {
      new Migrations(target, config).apply();
      long offset = 0;
      // one insert per list, so a group's windows sit in different parts and the rollups merge them in the query
      for (List<MetricWindow> insert : List.of(spanWindows(), traceWindows())) {
        RowBinaryBuffer rows = new RowBinaryBuffer(1 << 16);
        long first = offset;
        for (MetricWindow window : insert) {
          MetricRows.encode(window, 0, offset++, rows);
        }
        target.insertRowBinary("metrics_1m", MetricRows.COLUMNS, rows.stream(0, rows.size()), "metrics-cookbook-" + first);
      }
    }
  }

  List<MetricWindow> spanWindows() {
    List<MetricWindow> windows = new ArrayList<>();
    // the prompt history, in the hour before midnight: calls, errors, passed, failed, thumbs down, cost
    windows.add(prompt("v32", -50, 600, 40, 50, 10, 18, 19.2).setExemplars(errors("t32-1")).build());
    windows.add(prompt("v32", -49, 400, 21, 34, 6, 12, 12.8).build());
    // one window of v33 from two stream tasks (the spans of a group sit on several partitions): the queries sum the shards
    windows.add(prompt("v33", -40, 600, 44, 50, 11, 25, 18.0).setExemplars(errors("t33-1", "t33-2")).build());
    windows.add(prompt("v33", -40, 400, 30, 31, 8, 15, 12.0).setShard(1).build());
    windows.add(prompt("v34", -30, 500, 24, 89, 11, 10, 16.0).build());
    windows.add(prompt("v35", -20, 500, 11, 50, 3, 3, 17.5).build());
    windows.add(prompt("v35", -10, 500, 11, 44, 3, 2, 17.5).build());
    // v35 after midnight, judged by a second evaluator as well
    windows.add(prompt("v35", 5, 800, 8, 90, 10, 4, 28.0).setEvaluations(Map.of(
        "answer_cites_source", evaluations(90, 10), "no_refund_promise", evaluations(49, 1))).build());
    // left out of the history: before the range, another prompt, another tenant
    windows.add(prompt("v32", -70, 100, 50, 1, 1, 1, 1.0).build());
    windows.add(span("classify_ticket", "v3", "LLM", "classify_ticket", -30, 200, 0, 10, 0, 0, 2.0).build());
    MetricWindow.Builder globex = prompt("globex-v35", -20, 999, 999, 0, 999, 999, 99.0);
    windows.add(globex.setDimensions(with(with(globex.getDimensions(), "tenant_id", "globex"), "prompt_version", "v35"))
        .setGroupId("globex-v35").build());
    // top error groups: a failing tool over two windows, a tiny group, the tenant's overflow group
    windows.add(span("", "", "TOOL", "crm_lookup", -35, 300, 45, 0, 0, 0, 0).setTimeouts(30)
        .setExemplars(errors("t-crm-1", "t-crm-2")).build());
    windows.add(span("", "", "TOOL", "crm_lookup", -5, 200, 35, 0, 0, 0, 0).setTimeouts(5)
        .setExemplars(errors("t-crm-2", "t-crm-3")).build());
    windows.add(span("", "", "TOOL", "send_email", -25, 5, 5, 0, 0, 0, 0).build());
    windows.add(span("", "", "LLM", "overflow", -15, 400, 40, 0, 0, 0, 0).setOverflow(true)
        .setDimensions(Map.of("tenant_id", "acme", "overflow", "true")).setGroupId("acme-overflow").build());
    return windows;
  }

  List<MetricWindow> traceWindows() {
    List<MetricWindow> windows = new ArrayList<>();
    // two releases of the support chatbot: tasks, successful, rescued, failed, incomplete, cost, passed, failed evals, thumbs down
    windows.add(task("support_chatbot", "2026.06.1", minutes(-45), 200, 150, 20, 20, 10, 7.0, 160, 40, 10));
    windows.add(task("support_chatbot", "2026.06.1", minutes(-15), 100, 80, 5, 10, 5, 3.2, 85, 15, 4));
    windows.add(task("support_chatbot", "2026.06.2", minutes(10), 400, 360, 20, 12, 8, 12.8, 380, 20, 4));
    windows.add(task("invoice_extraction", "2026.06.2", minutes(20), 50, 50, 0, 0, 0, 0.5, 0, 0, 0));
    // a refund agent, day by day: three days ago, two days ago, nothing yesterday, today
    windows.add(task("refund_agent", "2026.05.9", days(-3).plus(Duration.ofHours(10)), 100, 80, 0, 20, 0, 2.4, 0, 0, 0));
    windows.add(task("refund_agent", "2026.05.9", days(-2).plus(Duration.ofHours(9)), 60, 45, 0, 15, 0, 1.8, 0, 0, 0));
    windows.add(task("refund_agent", "2026.05.9", days(-2).plus(Duration.ofHours(15)), 40, 30, 0, 10, 0, 1.2, 0, 0, 0));
    windows.add(task("refund_agent", "2026.06.1", minutes(30), 50, 45, 0, 5, 0, 1.35, 0, 0, 0));
    // another tenant's release
    MetricWindow other = task("globex's chatbot", "2026.06.2", minutes(10), 1_000, 0, 0, 1_000, 0, 50.0, 0, 0, 0);
    windows.add(MetricWindow.newBuilder(other).setDimensions(with(with(other.getDimensions(), "tenant_id", "globex"), "feature_name",
        "support_chatbot")).setGroupId("globex-release").build());
    return windows;
  }

  /** A window of the draft_response prompt (LLM span, Claude, enterprise tier). */
  MetricWindow.Builder prompt(String version, long minute, long calls, long errors, long passed, long failed, long thumbsDown,
      double cost) {
    return span(PROMPT, version, "LLM", PROMPT, minute, calls, errors, passed, failed, thumbsDown, cost);
  }

  MetricWindow.Builder span(String prompt, String version, String kind, String spanName, long minute, long calls, long errors,
      long passed, long failed, long thumbsDown, double cost) {
    Map<String, String> dims = new TreeMap<>(Map.of("tenant_id", "acme", "environment", "production", "service_name", "support-api",
        "feature_name", "support_chatbot", "kind", kind, "span_name", spanName, "customer_tier", "enterprise"));
    if (!prompt.isEmpty()) {
      dims.putAll(Map.of("prompt_name", prompt, "prompt_version", version, "model_provider", "anthropic",
          "model_name", "claude-3-5-sonnet"));
    }
    double[] latency = Sketches.lognormal(random, (int) calls, version.equals("v35") ? 7.3 : 7.0, 0.6);
    // the prompt history's expected percentiles merge the windows of [M - 1 h, M) only
    String label = minute >= -60 && minute < 0 ? version : version + " outside the history";
    latencies.computeIfAbsent(label, key -> new ArrayList<>()).add(latency);
    return window("llm.spans", dims, minutes(minute), calls).setErrorCount(errors).setLatencySketch(Sketches.bins(Sketches.of(latency)))
        .setEvaluations(passed + failed == 0 ? Map.of() : Map.of("answer_cites_source", evaluations(passed, failed)))
        .setNegativeFeedback(thumbsDown).setCostSum(cost).setPricedCount(calls);
  }

  MetricWindow task(String feature, String release, Instant start, long tasks, long successful, long rescued, long failed,
      long incomplete, double cost, long passed, long failedEvaluations, long thumbsDown) {
    Map<String, String> dims = Map.of("tenant_id", "acme", "environment", "production", "feature_name", feature, "app_version", release);
    double[] duration = Sketches.lognormal(random, (int) tasks, release.equals("2026.06.2") ? 8.2 : 8.0, 0.8);
    double[] successCost = Sketches.pareto(random, (int) (successful + rescued), 0.02, 2.5);
    latencies.computeIfAbsent("release " + feature + " " + release, label -> new ArrayList<>()).add(duration);
    successCosts.computeIfAbsent(feature + " " + CLICKHOUSE_DATE.format(start), label -> new ArrayList<>()).add(successCost);
    return window("llm.traces", dims, start, tasks).setTasks(tasks).setSuccessful(successful).setRescued(rescued).setFailed(failed)
        .setIncomplete(incomplete).setCostSum(cost).setPricedCount(tasks).setLatencySketch(Sketches.bins(Sketches.of(duration)))
        .setCostPerSuccessSketch(successCost.length == 0 ? null : Sketches.bins(Sketches.of(successCost)))
        .setEvaluations(passed + failedEvaluations == 0 ? Map.of() : Map.of("task_resolved", evaluations(passed, failedEvaluations)))
        .setNegativeFeedback(thumbsDown).build();
  }

  static MetricWindow.Builder window(String level, Map<String, String> dims, Instant start, long count) {
    return MetricWindow.newBuilder().setMetricName(level).setDimensions(dims).setGroupId(level + "/" + dims)
        .setWindowStart(start).setWindowEnd(start.plusSeconds(60)).setCount(count);
  }

  static EvaluationStats evaluations(long passed, long failed) {
    return EvaluationStats.newBuilder().setPassed(passed).setFailed(failed).build();
  }

  static Exemplars errors(String... traces) {
    return Exemplars.newBuilder().setErrors(List.of(traces)).build();
  }

  static Map<String, String> with(Map<String, String> dims, String key, String value) {
    Map<String, String> copy = new TreeMap<>(dims);
    copy.put(key, value);
    return copy;
  }

  Instant minutes(long offset) {
    return midnight.plus(Duration.ofMinutes(offset));
  }

  Instant days(long offset) {
    return midnight.plus(Duration.ofDays(offset));
  }

  /** The library's quantile of the named windows merged. */
  double expected(Map<String, List<double[]>> samples, String label, double q) {
    DDSketch merged = Sketches.of(new double[0]);
    samples.get(label).forEach(values -> merged.mergeWith(Sketches.of(values)));
    return merged.getValueAtQuantile(q);
  }

  Map<String, String> range(long fromMinute, long toMinute, String... more) {
    Map<String, String> parameters = new HashMap<>(Map.of("tenant", "acme",
        "since", CLICKHOUSE_TIME.format(minutes(fromMinute)), "until", CLICKHOUSE_TIME.format(minutes(toMinute))));
    for (int i = 0; i < more.length; i += 2) {
      parameters.put(more[i], more[i + 1]);
    }
    return parameters;
  }

  List<JsonNode> run(String file, Map<String, String> parameters) throws IOException {
    tested.add(file);
    String sql = Files.readString(QUERIES.resolve(file)).strip();
    sql = sql.endsWith(";") ? sql.substring(0, sql.length() - 1) : sql;
    Map<String, String> params = new HashMap<>();
    parameters.forEach((key, value) -> params.put("param_" + key, value));
    return fixture.rows(sql, params);
  }

  @Test
  void promptVersionComparisonFromTheOneMinuteWindowsIsTheSeedsPromptHistory() throws IOException {
    List<JsonNode> rows = run("metrics_prompt_version_comparison.sql", range(-60, 0, "prompt_name", PROMPT));
    assertThat(rows).extracting(row -> row.get("prompt_version").asText() + " calls=" + row.get("calls").asLong()
            + " errors=" + row.get("error_rate").asDouble() + " cost=" + row.get("cost_per_call").asDouble()
            + " pass=" + row.get("eval_pass_rate").asDouble() + " negative=" + row.get("negative_feedback_rate").asDouble())
        .containsExactly(
            "v32 calls=1000 errors=0.061 cost=0.032 pass=0.84 negative=0.03",
            "v33 calls=1000 errors=0.074 cost=0.03 pass=0.81 negative=0.04",
            "v34 calls=500 errors=0.048 cost=0.032 pass=0.89 negative=0.02",
            "v35 calls=1000 errors=0.022 cost=0.035 pass=0.94 negative=0.005");
    for (JsonNode row : rows) {
      String version = row.get("prompt_version").asText();
      assertThat(row.get("p50_ms").asDouble()).as("%s p50", version).isCloseTo(expected(latencies, version, 0.5), within(0.051));
      assertThat(row.get("p95_ms").asDouble()).as("%s p95", version).isCloseTo(expected(latencies, version, 0.95), within(0.051));
    }
    assertThat(rows.get(3).get("p95_ms").asDouble()).as("v35's calls are slower").isGreaterThan(rows.get(2).get("p95_ms").asDouble());
    assertThat(rows.get(0).get("first_seen").asText()).isEqualTo(CLICKHOUSE_TIME.format(minutes(-50)));
    assertThat(rows.get(0).get("last_seen").asText()).isEqualTo(CLICKHOUSE_TIME.format(minutes(-49)));
    assertThat(rows.get(0).get("priced_calls").asLong()).isEqualTo(1_000);
  }

  @Test
  void evalPassRateByPromptVersionHourByHour() throws IOException {
    String before = CLICKHOUSE_TIME.format(minutes(-60)).substring(0, 19);
    String after = CLICKHOUSE_TIME.format(minutes(0)).substring(0, 19);
    assertThat(rates(run("metrics_eval_pass_rate_over_time.sql", range(-60, 60, "prompt_name", PROMPT, "evaluator", ""))))
        .containsExactly(before + " draft_response v32 84/100 0.84", before + " draft_response v33 81/100 0.81",
            before + " draft_response v34 89/100 0.89", before + " draft_response v35 94/100 0.94",
            after + " draft_response v35 139/150 0.9267");
    assertThat(rates(run("metrics_eval_pass_rate_over_time.sql", range(-60, 60, "prompt_name", PROMPT, "evaluator", "no_refund_promise"))))
        .containsExactly(after + " draft_response v35 49/50 0.98");
    assertThat(rates(run("metrics_eval_pass_rate_over_time.sql", range(-60, 60, "prompt_name", "", "evaluator", "answer_cites_source"))))
        .as("every prompt").contains(before + " classify_ticket v3 10/10 1.0", after + " draft_response v35 90/100 0.9").hasSize(6);
  }

  static List<String> rates(List<JsonNode> rows) {
    return rows.stream().map(row -> row.get("hour").asText() + " " + row.get("prompt_name").asText() + " "
        + row.get("prompt_version").asText() + " " + row.get("passed").asLong() + "/" + row.get("evaluations").asLong() + " "
        + row.get("pass_rate").asDouble()).toList();
  }

  @Test
  void releaseComparisonOfTheSupportChatbot() throws IOException {
    List<JsonNode> rows = run("metrics_release_comparison.sql", range(-60, 60, "feature", "support_chatbot"));
    assertThat(rows).extracting(row -> row.get("release").asText() + " tasks=" + row.get("tasks").asLong()
            + " success=" + row.get("success_rate").asDouble() + " completion=" + row.get("completion_rate").asDouble()
            + " failure=" + row.get("failure_rate").asDouble() + " cost/task=" + row.get("cost_per_task").asDouble()
            + " cost/success=" + row.get("cost_per_successful_task").asDouble() + " pass=" + row.get("eval_pass_rate").asDouble()
            + " negative=" + row.get("negative_feedback_rate").asDouble())
        .containsExactly(
            "2026.06.1 tasks=300 success=0.7667 completion=0.85 failure=0.1 cost/task=0.034 cost/success=0.044348 pass=0.8167 negative=0.0467",
            "2026.06.2 tasks=400 success=0.9 completion=0.95 failure=0.03 cost/task=0.032 cost/success=0.035556 pass=0.95 negative=0.01");
    for (JsonNode row : rows) {
      String label = "release support_chatbot " + row.get("release").asText();
      for (double q : new double[] {0.5, 0.95, 0.99}) {
        String column = "p" + Math.round(q * 100) + "_ms";
        assertThat(row.get(column).asDouble()).as("%s %s", label, column).isCloseTo(expected(latencies, label, q), within(0.051));
      }
    }
    assertThat(run("metrics_release_comparison.sql", range(-60, 60, "feature", ""))).extracting(row -> row.get("tasks").asLong())
        .as("every feature: the invoice extraction and refund agent tasks after midnight join 2026.06.2 and 2026.06.1")
        .containsExactly(350L, 450L);
  }

  @Test
  void costPerSuccessfulTaskDayOverDay() throws IOException {
    List<JsonNode> rows = run("metrics_cost_per_successful_task_daily.sql", Map.of("tenant", "acme", "feature", "",
        "since", CLICKHOUSE_DATE.format(days(-3)), "until", CLICKHOUSE_DATE.format(days(1))));
    Map<String, String> byFeatureAndDay = new LinkedHashMap<>();
    for (JsonNode row : rows) {
      byFeatureAndDay.put(row.get("feature").asText() + " " + row.get("day").asText(), row.get("tasks").asLong() + " tasks, "
          + row.get("successful_tasks").asLong() + " successful, cost " + row.get("cost").asDouble() + ", per success "
          + row.get("cost_per_successful_task").asDouble() + ", change " + row.get("change_from_previous_day").asText());
    }
    String d3 = CLICKHOUSE_DATE.format(days(-3));
    String d2 = CLICKHOUSE_DATE.format(days(-2));
    String d1 = CLICKHOUSE_DATE.format(days(-1));
    String d0 = CLICKHOUSE_DATE.format(days(0));
    assertThat(byFeatureAndDay).containsExactly(
        Map.entry("invoice_extraction " + d0, "50 tasks, 50 successful, cost 0.5, per success 0.01, change null"),
        Map.entry("refund_agent " + d3, "100 tasks, 80 successful, cost 2.4, per success 0.03, change null"),
        Map.entry("refund_agent " + d2, "100 tasks, 75 successful, cost 3.0, per success 0.04, change 0.3333"),
        // no refund agent task yesterday: today is not compared with two days ago
        Map.entry("refund_agent " + d0, "50 tasks, 45 successful, cost 1.35, per success 0.03, change null"),
        Map.entry("support_chatbot " + d1, "300 tasks, 230 successful, cost 10.2, per success 0.044348, change null"),
        Map.entry("support_chatbot " + d0, "400 tasks, 360 successful, cost 12.8, per success 0.035556, change -0.1983"));
    for (JsonNode row : rows) {
      String label = row.get("feature").asText() + " " + row.get("day").asText();
      assertThat(row.get("median_cost_per_completed_task").asDouble()).as(label)
          .isCloseTo(expected(successCosts, label, 0.5), within(5e-7));
    }
    assertThat(run("metrics_cost_per_successful_task_daily.sql", Map.of("tenant", "acme", "feature", "refund_agent",
        "since", d2, "until", d0))).extracting(row -> row.get("day").asText()).as("days in [since, until)").containsExactly(d2);
  }

  @Test
  void topGroupsByErrorRateWithTheirExampleTraces() throws IOException {
    List<JsonNode> rows = run("metrics_top_error_groups.sql", range(-60, 60, "min_calls", "100", "top", "3"));
    assertThat(rows).extracting(row -> row.get("kind").asText() + "/" + row.get("span_name").asText() + "/"
            + row.get("prompt_version").asText() + " " + row.get("errors").asLong() + "/" + row.get("calls").asLong() + " "
            + row.get("error_rate").asDouble() + " overflow=" + row.get("overflow").asBoolean() + " " + row.get("example_trace_ids"))
        .as("send_email (5 of 5) has too few calls; v32's window before the range does not count")
        .containsExactly(
            "TOOL/crm_lookup/ 80/500 0.16 overflow=false [\"t-crm-1\",\"t-crm-2\",\"t-crm-3\"]",
            "// 40/400 0.1 overflow=true []",
            "LLM/draft_response/v33 74/1000 0.074 overflow=false [\"t33-1\",\"t33-2\"]");
    assertThat(rows.get(0).get("timeouts").asLong()).isEqualTo(35);
    assertThat(rows.get(0).get("dimensions").get("customer_tier").asText()).isEqualTo("enterprise");
    assertThat(run("metrics_top_error_groups.sql", range(-60, 60, "min_calls", "1", "top", "1")))
        .extracting(row -> row.get("span_name").asText()).containsExactly("send_email");
  }

  @AfterAll
  void everyMetricsQueryIsTested() throws IOException {
    try (Stream<Path> files = Files.list(QUERIES)) {
      assertThat(tested).containsExactlyInAnyOrderElementsOf(files.map(f -> f.getFileName().toString())
          .filter(name -> name.startsWith("metrics_")).toList());
    }
  }
}
