package io.llmtrace.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmtrace.schemas.avro.Cost;
import io.llmtrace.schemas.avro.CostSource;
import io.llmtrace.schemas.avro.Evaluation;
import io.llmtrace.schemas.avro.Feedback;
import io.llmtrace.schemas.avro.LlmOutput;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.Message;
import io.llmtrace.schemas.avro.ModelInfo;
import io.llmtrace.schemas.avro.PromptInfo;
import io.llmtrace.schemas.avro.RedactionSummary;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.SpanStatus;
import io.llmtrace.sink.config.SinkConfig;
import io.llmtrace.sink.db.ClickHouseTarget;
import io.llmtrace.sink.db.Migrations;
import io.llmtrace.sink.mapping.SpanRows;
import io.llmtrace.sink.encoding.RowBinaryBuffer;
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
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every query of {@code deploy/clickhouse/queries} run on one fixture with known answers: prompt
 * versions v32-v35 of {@code support_answer} (10 calls each, as a WORKFLOW root + LLM child per
 * trace) for tenant acme, with set error, eval pass and thumbs-down counts, one call whose cost is
 * unknown (t35-9: NULL, not 0), and two invoice extraction calls of tenant globex.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CookbookIT {

  static final Path QUERIES = Path.of("..", "deploy", "clickhouse", "queries");
  static final Map<Integer, Integer> ERRORS = Map.of(32, 2, 33, 3, 34, 1, 35, 0);
  static final Map<Integer, Integer> PASSES = Map.of(32, 6, 33, 5, 34, 8, 35, 9);
  static final Map<Integer, Integer> THUMBS_DOWN = Map.of(32, 3, 33, 4, 34, 2, 35, 1);
  /** The one call whose model had no price: its cost (0.010 if priced) is unknown. */
  static final String UNPRICED = "t35-9";
  static final DateTimeFormatter CLICKHOUSE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

  private final Set<String> tested = new HashSet<>();
  private SinkFixture fixture;
  private Instant t0;

  @BeforeAll
  void loadFixture(StackEndpoints stack, TestNames names) {
    fixture = new SinkFixture(stack, "unused", names.table("cookbook"), "unused");
    t0 = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);
    SinkConfig config = fixture.config(Map.of());
    try (ClickHouseTarget target = ClickHouseTarget.connect(config.clickhouse())) {
      new Migrations(target, config.clickhouse()).apply();
      RowBinaryBuffer rows = new RowBinaryBuffer(1 << 16);
      List<LlmSpan> spans = spans();
      for (int i = 0; i < spans.size(); i++) {
        SpanRows.encode(spans.get(i), 0, i, rows);
      }
      target.insertRowBinary("spans", SpanRows.COLUMNS, rows.stream(0, rows.size()), "cookbook-fixture");
    } catch (ClickHouseTarget.InsertException e) {
      throw new IllegalStateException(e);
    }
  }

  List<LlmSpan> spans() {
    List<LlmSpan> spans = new ArrayList<>();
    for (int v = 32; v <= 35; v++) {
      for (int i = 0; i < 10; i++) {
        String trace = "t" + v + "-" + i;
        Instant start = t0.plus(Duration.ofMinutes(10L * (v - 32))).plusSeconds(10L * i);
        long llmMillis = 100L * (i + 1);
        boolean error = i < ERRORS.get(v);
        String release = v < 34 ? "2026.11.1" : "2026.11.2";
        spans.add(span(trace, "root", null, SpanKind.WORKFLOW, "support_chatbot.request", start, llmMillis + 100, error)
            .setFeatureName("support_chatbot").setAppVersion(release).build());
        boolean passed = i < PASSES.get(v);
        LlmSpan.Builder llm = span(trace, "llm", "root", SpanKind.LLM, "support_answer", start.plusMillis(50), llmMillis, error)
            .setFeatureName("support_chatbot").setAppVersion(release)
            .setPrompt(PromptInfo.newBuilder().setName("support_answer").setVersion("v" + v)
                .setMessages(List.of(Message.newBuilder().setRole("user").setContent("question " + i).build())).build())
            .setModel(i % 2 == 0 ? ModelInfo.newBuilder().setProvider("openai").setName("gpt-4.1-mini").build()
                : ModelInfo.newBuilder().setProvider("anthropic").setName("claude-sonnet-4").build())
            .setOutput(LlmOutput.newBuilder().setText("answer v" + v + " #" + i).build())
            .setCost(trace.equals(UNPRICED) ? Cost.newBuilder().setAmount(null).setCurrency("USD").setSource(CostSource.UNKNOWN).build()
                : Cost.newBuilder().setAmount(0.001 * (i + 1)).setCurrency("USD").setSource(CostSource.COMPUTED).build())
            .setEvaluations(List.of(Evaluation.newBuilder().setEvaluatorName("answer_cites_source").setPassed(passed)
                .setScore(trace.equals("t33-9") ? 0.05 : passed ? 0.9 : 0.2).build()))
            .setFeedback(i < THUMBS_DOWN.get(v) ? List.of(Feedback.newBuilder().setKind("thumbs").setValue("down").build()) : List.of())
            .setRedaction(RedactionSummary.newBuilder().setApplied(true)
                .setCountsByDetector(i % 3 == 0 ? Map.of("email", 1) : i == 5 ? Map.of("phone", 2) : Map.of()).build());
        if (error) {
          llm.setErrorType("RateLimitError");
        }
        if (i == 9) {
          llm.setAttempt(3).setRetryOfSpanId(trace + "-llm-attempt-2");
        }
        spans.add(llm.build());
      }
    }
    for (int i = 0; i < 2; i++) {
      spans.add(span("g-" + i, "llm", null, SpanKind.LLM, "invoice_extraction", t0.plusSeconds(i), 400, i == 1)
          .setTenantId("globex").setFeatureName("invoice_extraction")
          .setCost(Cost.newBuilder().setAmount(0.01).setCurrency("USD").setSource(CostSource.REPORTED).build())
          .setRedaction(RedactionSummary.newBuilder().setApplied(i == 0).setCountsByDetector(i == 0 ? Map.of("iban", 3) : Map.of()).build())
          .build());
    }
    return spans;
  }

  private static LlmSpan.Builder span(String trace, String id, String parent, SpanKind kind, String name, Instant start,
      long millis, boolean error) {
    return LlmSpan.newBuilder().setTraceId(trace).setSpanId(trace + "-" + id).setParentSpanId(parent == null ? null : trace + "-" + parent)
        .setTenantId("acme").setKind(kind).setName(name).setStartTime(start).setEndTime(start.plusMillis(millis))
        .setStatus(error ? SpanStatus.ERROR : SpanStatus.OK);
  }

  List<JsonNode> run(String file, Map<String, String> parameters) throws IOException {
    tested.add(file);
    String sql = Files.readString(QUERIES.resolve(file)).strip();
    sql = sql.endsWith(";") ? sql.substring(0, sql.length() - 1) : sql;
    Map<String, String> params = new HashMap<>();
    parameters.forEach((key, value) -> params.put("param_" + key, value));
    return fixture.rows(sql, params);
  }

  String since() {
    return CLICKHOUSE_TIME.format(t0.minus(Duration.ofHours(1)));
  }

  @Test
  void traceSpansInOrderWithPromptModelInputAndOutput() throws IOException {
    List<JsonNode> rows = run("trace_spans.sql", Map.of("trace_id", "t33-2"));
    assertThat(rows).extracting(r -> r.get("span_id").asText()).containsExactly("t33-2-root", "t33-2-llm");
    JsonNode llm = rows.get(1);
    assertThat(llm.get("prompt_version").asText()).isEqualTo("v33");
    assertThat(llm.get("model_name").asText()).isEqualTo("gpt-4.1-mini");
    assertThat(llm.get("input").asText()).isEqualTo("user: question 2");
    assertThat(llm.get("output").asText()).isEqualTo("answer v33 #2");
    assertThat(llm.get("duration_ms").asDouble()).isEqualTo(300.0);
  }

  @Test
  void promptVersionThatProducedAnOutput() throws IOException {
    List<JsonNode> rows = run("prompt_version_for_output.sql", Map.of("tenant", "acme", "output_contains", "ANSWER v34 #7", "since", since()));
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).get("trace_id").asText()).isEqualTo("t34-7");
    assertThat(rows.get(0).get("prompt_version").asText()).isEqualTo("v34");
    assertThat(rows.get(0).get("model_name").asText()).isEqualTo("claude-sonnet-4");
  }

  @Test
  void promptVersionComparisonLikeThePromptHistoryView() throws IOException {
    List<JsonNode> rows = run("prompt_version_comparison.sql", Map.of("tenant", "acme", "prompt_name", "support_answer", "since", since()));
    assertThat(rows).extracting(r -> r.get("prompt_version").asText()).containsExactly("v32", "v33", "v34", "v35");
    for (JsonNode row : rows) {
      int v = Integer.parseInt(row.get("prompt_version").asText().substring(1));
      assertThat(row.get("calls").asLong()).isEqualTo(10);
      assertThat(row.get("error_rate").asDouble()).isEqualTo(ERRORS.get(v) / 10.0);
      assertThat(row.get("p50_ms").asDouble()).isCloseTo(550.0, within(1.0));
      assertThat(row.get("p95_ms").asDouble()).isCloseTo(955.0, within(10.0));
      // the unknown cost is left out of the average, not counted as free: v35 averages its 9 priced calls
      assertThat(row.get("priced_calls").asLong()).isEqualTo(v == 35 ? 9 : 10);
      assertThat(row.get("cost_per_call").asDouble()).isCloseTo(v == 35 ? 0.045 / 9 : 0.0055, within(1e-9));
      assertThat(row.get("eval_pass_rate").asDouble()).isEqualTo(PASSES.get(v) / 10.0);
      assertThat(row.get("negative_feedback_rate").asDouble()).isEqualTo(THUMBS_DOWN.get(v) / 10.0);
    }
  }

  @Test
  void costPerCompletedTaskByTenantAndFeature() throws IOException {
    List<JsonNode> rows = run("cost_per_completed_task.sql", Map.of("since", since()));
    assertThat(rows).hasSize(2);
    JsonNode acme = rows.get(0);
    assertThat(acme.get("tenant_id").asText() + "/" + acme.get("feature").asText()).isEqualTo("acme/support_chatbot");
    assertThat(acme.get("tasks").asLong()).isEqualTo(40);
    assertThat(acme.get("completed_tasks").asLong()).isEqualTo(34);
    assertThat(acme.get("total_cost").asDouble()).isCloseTo(0.21, within(1e-9));
    assertThat(acme.get("cost_per_completed_task").asDouble()).isCloseTo(0.21 / 34, within(1e-6));
    assertThat(acme.get("unpriced_spans").asLong()).as("the total is a lower bound").isEqualTo(1);
    JsonNode globex = rows.get(1);
    assertThat(globex.get("feature").asText()).isEqualTo("invoice_extraction");
    assertThat(globex.get("completed_tasks").asLong()).isEqualTo(1);
    assertThat(globex.get("cost_per_completed_task").asDouble()).isCloseTo(0.02, within(1e-9));
    assertThat(globex.get("unpriced_spans").asLong()).isZero();
  }

  @Test
  void latencyPercentilesByModelAndSpanKind() throws IOException {
    Map<String, JsonNode> rows = run("latency_by_model_and_kind.sql", Map.of("tenant", "acme", "since", since())).stream()
        .collect(Collectors.toMap(r -> r.get("model").asText() + "/" + r.get("kind").asText(), r -> r));
    assertThat(rows).containsOnlyKeys("(none)/WORKFLOW", "claude-sonnet-4/LLM", "gpt-4.1-mini/LLM");
    assertThat(rows.get("gpt-4.1-mini/LLM").get("spans").asLong()).isEqualTo(20);
    assertThat(rows.get("gpt-4.1-mini/LLM").get("p50_ms").asDouble()).isCloseTo(500.0, within(1.0));
    assertThat(rows.get("claude-sonnet-4/LLM").get("p50_ms").asDouble()).isCloseTo(600.0, within(1.0));
    assertThat(rows.get("(none)/WORKFLOW").get("spans").asLong()).isEqualTo(40);
    assertThat(rows.get("(none)/WORKFLOW").get("p50_ms").asDouble()).isCloseTo(650.0, within(1.0));
    assertThat(rows.get("(none)/WORKFLOW").get("p99_ms").asDouble()).isCloseTo(1100.0, within(10.0));
  }

  @Test
  void outlierRequestsWithTheirTraceIds() throws IOException {
    Map<String, Set<String>> byCategory = run("outliers.sql", Map.of("tenant", "acme", "since", since(), "top", "3")).stream()
        .collect(Collectors.groupingBy(r -> r.get("category").asText(), Collectors.mapping(r -> r.get("trace_id").asText(), Collectors.toSet())));
    assertThat(byCategory.get("slowest")).containsExactlyInAnyOrder("t32-9", "t33-9", "t34-9");
    assertThat(byCategory.get("most_expensive")).containsExactlyInAnyOrder("t32-9", "t33-9", "t34-9");
    assertThat(byCategory.get("most_retried")).containsExactlyInAnyOrder("t32-9", "t33-9", "t34-9");
    assertThat(byCategory.get("lowest_eval_score")).containsExactlyInAnyOrder("t33-9", "t32-6", "t32-7");
  }

  @Test
  void failuresSinceARelease() throws IOException {
    List<JsonNode> rows = run("failures_since_release.sql", Map.of("tenant", "acme", "release", "2026.11.2"));
    assertThat(rows).extracting(r -> r.get("kind").asText() + "/" + r.get("name").asText())
        .containsExactly("LLM/support_answer", "WORKFLOW/support_chatbot.request");
    JsonNode llm = rows.get(0);
    assertThat(llm.get("spans_since").asLong()).isEqualTo(20);
    assertThat(llm.get("errors_since").asLong()).isEqualTo(1);
    assertThat(llm.get("error_rate_since").asDouble()).isEqualTo(0.05);
    assertThat(llm.get("error_rate_before").asDouble()).isEqualTo(0.25);
    assertThat(llm.get("top_error_types").get(0).asText()).isEqualTo("RateLimitError");
    assertThat(llm.get("example_trace_id").asText()).isEqualTo("t34-0");
  }

  @Test
  void redactionCountsByDetectorAndTenant() throws IOException {
    List<JsonNode> rows = run("redaction_by_detector.sql", Map.of("since", since()));
    assertThat(rows).extracting(r -> r.get("tenant_id").asText() + "/" + r.get("detector").asText() + "="
        + r.get("redactions").asLong() + "/" + r.get("spans_affected").asLong())
        .containsExactly("acme/email=16/16", "acme/phone=8/4", "globex/iban=3/1");
  }

  @AfterAll
  void everyCookbookQueryIsTested() throws IOException {
    try (Stream<Path> files = Files.list(QUERIES)) {
      // the other prefixes read other tables and are asserted by TracesCookbookIT, MetricsCookbookIT, AlertsCookbookIT
      // (alerts_*, releases_*) and ReviewQueueCookbookIT
      assertThat(tested).containsExactlyInAnyOrderElementsOf(files.map(f -> f.getFileName().toString())
          .filter(name -> Stream.of("traces_", "metrics_", "alerts_", "releases_", "review_").noneMatch(name::startsWith)).toList());
    }
  }
}
