package io.llmtrace.processors.aggregate;

import static io.llmtrace.processors.aggregate.MetricsDriver.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.llmtrace.schemas.avro.Cost;
import io.llmtrace.schemas.avro.CostSource;
import io.llmtrace.schemas.avro.Evaluation;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.OutputValidation;
import io.llmtrace.schemas.avro.PromptInfo;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.SpanStatus;
import io.llmtrace.schemas.avro.TraceOutcome;
import io.llmtrace.schemas.avro.TraceSummary;
import io.llmtrace.schemas.testing.TestRecords;
import io.llmtrace.schemas.testing.TestTraces;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The metrics topology as built for production, by event time, stream time and the wall clock. */
class MetricsTopologyTest {

  @Test
  void aWindowIsEmittedOnceWhenTheWatermarkPassesItsEndPlusGrace() {
    try (MetricsDriver driver = new MetricsDriver()) {
      driver.pipe(llm("t01", T0.plusSeconds(10), 400));
      driver.pipe(llm("t02", T0.plusSeconds(20), 800));
      driver.pipe(llm("t03", T0.plusSeconds(59), 1_200));

      driver.pipe(llm("t04", T0.plusSeconds(179), 100)); // watermark 10:02:59: 10:01 + 2 min grace not passed
      assertThat(driver.metrics.isEmpty()).isTrue();

      driver.pipe(llm("t05", T0.plusSeconds(180), 100)); // 10:03:00 closes [10:00, 10:01)
      List<MetricWindow> out = driver.metrics.readValuesToList();
      assertThat(out).hasSize(1);
      MetricWindow window = out.get(0);
      assertThat(window.getWindowStart()).isEqualTo(T0);
      assertThat(window.getWindowEnd()).isEqualTo(T0.plusSeconds(60));
      assertThat(window.getMetricName()).isEqualTo(Groups.SPANS);
      assertThat(window.getCount()).isEqualTo(3);
      assertThat(window.getSum()).isCloseTo(2_400, within(1e-6));
      assertThat(window.getMin()).isEqualTo(400);
      assertThat(window.getMax()).isEqualTo(1_200);
      assertThat(window.getP50()).isCloseTo(800, within(8.0));
      assertThat(window.getDimensions()).containsEntry("prompt_version", "v35").containsEntry("model_name", "gpt-4.1-mini")
          .containsEntry("tenant_id", TestTraces.TENANT).containsEntry("kind", "LLM");
      assertThat(window.getGroupId()).isEqualTo(Groups.id(Groups.SPANS, window.getDimensions()));

      driver.pipe(llm("t06", T0.plusSeconds(300), 100));
      assertThat(driver.metrics.readValuesToList()).extracting(MetricWindow::getWindowStart).as("each window once")
          .doesNotContain(T0);
    }
  }

  @Test
  void aQuietPartitionClosesItsWindowsByTheWallClock() {
    try (MetricsDriver driver = new MetricsDriver()) {
      driver.pipe(llm("t01", T0.plusSeconds(10), 400));

      driver.advanceWallClock(Duration.ofSeconds(179));
      assertThat(driver.metrics.isEmpty()).isTrue();
      driver.advanceWallClock(Duration.ofSeconds(1)); // 10:03: quiet for 3 min, and 10:01 + grace passed

      assertThat(driver.metrics.readValuesToList()).singleElement().satisfies(w -> assertThat(w.getCount()).isEqualTo(1));
    }
  }

  @Test
  void aBacklogIsNotClosedByTheWallClockBeforeTheTasksFirstRecord() {
    // Given a task whose first wall-clock punctuation comes before its first record (Kafka Streams runs a
    // task's punctuators from its start, and its clock reads 0 while the processor initialises)
    try (MetricsDriver driver = new MetricsDriver()) {
      driver.advanceWallClock(Duration.ofSeconds(1));

      // When a backlog from ten minutes ago arrives, and stream time moves past its first window + grace
      driver.pipe(llm("t01", T0.minusSeconds(600), 400));
      driver.pipe(llm("t02", T0.minusSeconds(420), 100));

      // Then the backlog counts in its own window, none of it late
      assertThat(driver.counter("llmtrace_metrics_late_dropped", "level", "span")).isZero();
      assertThat(driver.metrics.readValuesToList()).singleElement().satisfies(w -> {
        assertThat(w.getWindowStart()).isEqualTo(T0.minusSeconds(600));
        assertThat(w.getCount()).isEqualTo(1);
      });
    }
  }

  @Test
  void spansLaterThanTheGraceAreCountedAsLateNotWindowed() {
    try (MetricsDriver driver = new MetricsDriver()) {
      driver.pipe(llm("t01", T0.plusSeconds(10), 400));
      driver.pipe(llm("t02", T0.plusSeconds(200), 400));
      assertThat(driver.metrics.readValuesToList()).hasSize(1);

      driver.pipe(llm("t03", T0.plusSeconds(30), 400)); // its window was published
      driver.pipe(llm("t04", T0.plusSeconds(65), 400)); // [10:01, 10:02) is still open: 10:03:20 - 2 min < 10:02

      assertThat(driver.counter("llmtrace_metrics_late_dropped", "level", "span")).isEqualTo(1);
      driver.pipe(llm("t05", T0.plusSeconds(300), 400));
      List<MetricWindow> out = driver.metrics.readValuesToList();
      assertThat(out).filteredOn(w -> w.getWindowStart().equals(T0.plusSeconds(60))).singleElement()
          .satisfies(w -> assertThat(w.getCount()).isEqualTo(1));
      assertThat(out).noneMatch(w -> w.getWindowStart().equals(T0));
    }
  }

  @Test
  void aLateEvaluationCountsWithTheJudgedSpansPromptVersionInItsOwnWindow() {
    try (MetricsDriver driver = new MetricsDriver()) {
      LlmSpan answer = llm("t01", T0.plusSeconds(10), 900);
      driver.pipe(answer);
      // two minutes later a judge's verdict arrives as its own span, child of the answer
      LlmSpan judge = LlmSpan.newBuilder(answer).setSpanId("00000000000000e1").setParentSpanId(answer.getSpanId())
          .setKind(SpanKind.EVALUATION).setName("gen_ai.evaluation").setPrompt(null).setModel(null).setUsage(null).setCost(null)
          .setStartTime(T0.plusSeconds(130)).setEndTime(T0.plusSeconds(131))
          .setEvaluations(new ArrayList<>(List.of(Evaluation.newBuilder().setEvaluatorName("faithfulness").setPassed(false)
              .setScore(0.3).build()))).build();
      driver.pipe(judge);
      driver.pipe(llm("t09", T0.plusSeconds(300), 100));

      List<MetricWindow> out = driver.metrics.readValuesToList();
      MetricWindow judged = out.stream().filter(w -> w.getWindowStart().equals(T0.plusSeconds(120))
          && "v35".equals(w.getDimensions().get("prompt_version"))).findFirst().orElseThrow();
      assertThat(judged.getEvaluations().get("faithfulness").getFailed()).isEqualTo(1);
      assertThat(judged.getCount()).as("the evaluation is not a call of the judged group").isZero();
      assertThat(judged.getExemplars().getFailedEvaluations()).containsExactly(answer.getTraceId());
      MetricWindow judgeOwn = out.stream().filter(w -> "EVALUATION".equals(w.getDimensions().get("kind"))).findFirst().orElseThrow();
      assertThat(judgeOwn.getCount()).isEqualTo(1);
      assertThat(judgeOwn.getEvaluations()).as("counted once, with the judged span").isEmpty();
      assertThat(driver.counter("llmtrace_metrics_attributed_evaluations")).isEqualTo(1);
    }
  }

  @Test
  void attributionsPastTheirRetentionAreForgottenAcrossMoreThanOneSweepSlice() {
    MetricsConfig.Windows d = MetricsConfig.Windows.defaults();
    MetricsConfig.Windows windows = new MetricsConfig.Windows(d.size(), d.grace(), d.idleCloseAfter(), d.groupAttributes(),
        d.maxGroupsPerTenant(), Duration.ofMinutes(10), d.punctuateInterval());
    try (MetricsDriver driver = new MetricsDriver(windows)) {
      // Given more judgeable spans than one sweep visits, all older than the retention once stream time moves on
      List<LlmSpan> old = new ArrayList<>();
      for (int i = 0; i < MetricsProcessor.SWEEP_MIN + 100; i++) {
        old.add(llm(String.format("a%03d", i), T0.plusMillis(100L * i), 50));
      }
      driver.pipeAll(old);
      driver.advanceWallClock(Duration.ofMinutes(11)); // the watermark ignores event times far ahead of the wall clock
      LlmSpan recent = llm("r001", T0.plusSeconds(660), 50);
      driver.pipe(recent);

      // When three punctuations pass (one per second of stream time)
      for (int i = 1; i <= 3; i++) {
        driver.pipe(llm(String.format("s%03d", i), T0.plusSeconds(660 + 2L * i), 50));
      }
      driver.pipe(judge(old.get(0), T0.plusSeconds(670)));
      driver.pipe(judge(old.get(old.size() - 1), T0.plusSeconds(671)));
      driver.pipe(judge(recent, T0.plusSeconds(672)));

      // Then the first and the last of the old spans were forgotten, the recent one is still remembered
      assertThat(driver.counter("llmtrace_metrics_attributed_evaluations")).isEqualTo(1);
    }
  }

  @Test
  void aTraceRemembersAtMostItsLimitOfSpansForLaterEvaluations() {
    try (MetricsDriver driver = new MetricsDriver()) {
      // Given one trace with one judgeable span more than a trace remembers
      LlmSpan first = llm("big", T0, 50);
      List<LlmSpan> spans = new ArrayList<>();
      for (int i = 0; i <= MetricsProcessor.MAX_ATTRIBUTED_SPANS; i++) {
        spans.add(LlmSpan.newBuilder(first).setSpanId(String.format("%016x", 0x5000 + i)).build());
      }
      driver.pipeAll(spans);

      // When the first and the last are judged
      driver.pipe(judge(spans.get(0), T0.plusSeconds(2)));
      driver.pipe(judge(spans.get(spans.size() - 1), T0.plusSeconds(3)));

      // Then the first counts with its group, the one past the limit with its own dimensions
      assertThat(driver.counter("llmtrace_metrics_attributed_evaluations")).isEqualTo(1);
      assertThat(driver.counter("llmtrace_metrics_attributions_skipped")).isEqualTo(1);
    }
  }

  private static LlmSpan judge(LlmSpan judged, Instant start) {
    return LlmSpan.newBuilder(judged).setSpanId("00000000000000e1").setParentSpanId(judged.getSpanId())
        .setKind(SpanKind.EVALUATION).setName("gen_ai.evaluation").setPrompt(null).setModel(null).setUsage(null).setCost(null)
        .setStartTime(start).setEndTime(start.plusSeconds(1))
        .setEvaluations(new ArrayList<>(List.of(Evaluation.newBuilder().setEvaluatorName("faithfulness").setPassed(true)
            .setScore(0.9).build()))).build();
  }

  @Test
  void aTenantsGroupsBeyondTheLimitFoldIntoItsOverflowGroup() {
    try (MetricsDriver driver = new MetricsDriver(MetricsDriver.windows(3))) {
      for (int i = 0; i < 5; i++) {
        driver.pipe(LlmSpan.newBuilder(llm("a" + i, T0.plusSeconds(10 + i), 100)).setName("step_" + i).build());
      }
      driver.pipe(LlmSpan.newBuilder(llm("b1", T0.plusSeconds(20), 100)).setTenantId("tenant-other").build());
      driver.pipe(llm("z9", T0.plusSeconds(300), 100));

      List<MetricWindow> first = driver.metrics.readValuesToList().stream().filter(w -> w.getWindowStart().equals(T0)).toList();
      assertThat(first).filteredOn(w -> w.getDimensions().get("tenant_id").equals(TestTraces.TENANT)).hasSize(4);
      assertThat(first).filteredOn(MetricWindow::getOverflow).singleElement().satisfies(w -> {
        assertThat(w.getCount()).isEqualTo(2);
        assertThat(w.getDimensions()).containsEntry("tenant_id", TestTraces.TENANT).containsEntry("overflow", "true");
      });
      assertThat(first).filteredOn(w -> w.getDimensions().get("tenant_id").equals("tenant-other")).singleElement()
          .satisfies(w -> assertThat(w.getOverflow()).isFalse());
      assertThat(driver.counter("llmtrace_metrics_overflow")).isEqualTo(2);
    }
  }

  @Test
  void exemplarsAreTheWorstOffenders() {
    try (MetricsDriver driver = new MetricsDriver()) {
      Random random = new Random(7);
      List<LlmSpan> spans = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        LlmSpan span = llm(String.format("x%02d", i), T0.plusSeconds(1 + i), 100 + random.nextInt(5_000));
        span.getCost().setAmount(random.nextInt(1_000) / 1e5);
        if (i % 7 == 0) {
          span.setStatus(SpanStatus.ERROR);
        }
        spans.add(span);
      }
      driver.pipeAll(spans);
      driver.pipe(llm("z9", T0.plusSeconds(300), 100));

      MetricWindow window = driver.metrics.readValuesToList().get(0);
      assertThat(window.getExemplars().getSlowest()).containsExactlyElementsOf(top5(spans, s -> millis(s)));
      assertThat(window.getExemplars().getMostExpensive()).containsExactlyElementsOf(top5(spans, s -> s.getCost().getAmount()));
      assertThat(window.getExemplars().getErrors()).containsExactlyElementsOf(
          top5(spans.stream().filter(s -> s.getStatus() == SpanStatus.ERROR).toList(), s -> millis(s)));
      assertThat(window.getErrorCount()).isEqualTo(6);
    }
  }

  @Test
  void percentilesAreWithinOnePercentOfExactOnSkewedLatencies() {
    try (MetricsDriver driver = new MetricsDriver()) {
      Random random = new Random(11);
      List<Double> latencies = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        long ms = Math.max(1, Math.round(Math.exp(6 + 1.2 * random.nextGaussian()))); // lognormal, median ~400 ms, long tail
        latencies.add((double) ms);
        driver.pipe(llm(String.format("p%05d", i), T0.plusMillis(i * 25L), ms));
      }
      driver.pipe(llm("z9", T0.plusSeconds(300), 100));

      MetricWindow window = driver.metrics.readValuesToList().get(0);
      latencies.sort(null);
      assertThat(window.getCount()).isEqualTo(2_000);
      assertRelative(window.getP50(), exact(latencies, 0.50));
      assertRelative(window.getP95(), exact(latencies, 0.95));
      assertRelative(window.getP99(), exact(latencies, 0.99));
    }
  }

  @Test
  void qualityCountsComeFromTheSpansOwnChecks() {
    try (MetricsDriver driver = new MetricsDriver()) {
      LlmSpan badJson = llm("q1", T0.plusSeconds(1), 100);
      badJson.setOutputValidation(OutputValidation.newBuilder().setJsonRequested(true).setJsonParseFailed(true).build());
      LlmSpan badSchema = llm("q2", T0.plusSeconds(2), 100);
      badSchema.setOutputValidation(OutputValidation.newBuilder().setJsonRequested(true).setSchemaValidationFailed(true)
          .setToolArgumentFailures(2).build());
      LlmSpan cited = llm("q3", T0.plusSeconds(3), 100);
      cited.setCitationCoverage(0.5);
      LlmSpan cited2 = llm("q4", T0.plusSeconds(4), 100);
      cited2.setCitationCoverage(1.0);
      LlmSpan check = LlmSpan.newBuilder(llm("q5", T0.plusSeconds(5), 100)).setKind(SpanKind.POLICY_CHECK).setName("policy_check")
          .setStatus(SpanStatus.ERROR).setPolicySeverity("high").setPrompt(null).setModel(null).build();
      driver.pipeAll(List.of(badJson, badSchema, cited, cited2, check));
      driver.pipe(llm("z9", T0.plusSeconds(300), 100));

      List<MetricWindow> out = driver.metrics.readValuesToList().stream().filter(w -> w.getWindowStart().equals(T0)).toList();
      MetricWindow calls = out.stream().filter(w -> "LLM".equals(w.getDimensions().get("kind"))).findFirst().orElseThrow();
      assertThat(calls.getJsonParseFailures()).isEqualTo(1);
      assertThat(calls.getSchemaValidationFailures()).isEqualTo(1);
      assertThat(calls.getToolArgumentFailures()).isEqualTo(2);
      assertThat(calls.getCitationCoverageCount()).isEqualTo(2);
      assertThat(calls.getCitationCoverageSum()).isCloseTo(1.5, within(1e-12));
      MetricWindow checks = out.stream().filter(w -> "POLICY_CHECK".equals(w.getDimensions().get("kind"))).findFirst().orElseThrow();
      assertThat(checks.getPolicyFailuresBySeverity()).containsEntry("high", 1L);
    }
  }

  @Test
  void aTraceCountsOnceWithItsLatestVersionWhileItsWindowIsOpen() {
    try (MetricsDriver driver = new MetricsDriver()) {
      TraceSummary v1 = TestRecords.traceSummary();
      v1.setStartTime(T0.plusSeconds(5));
      v1.setEndTime(T0.plusSeconds(9));
      v1.setVersion(1);
      v1.setOutcome(TraceOutcome.FAILED);
      v1.setTotalCost(0.10);
      TraceSummary v2 = TraceSummary.newBuilder(v1).setVersion(2).setOutcome(TraceOutcome.RESCUED).setTotalCost(0.25).build();
      driver.pipe(v1);
      driver.pipe(v2);
      driver.pipe(v1); // an old version replayed: ignored
      driver.pipe(llm("z9", T0.plusSeconds(300), 100));

      MetricWindow window = driver.metrics.readValuesToList().stream().filter(w -> w.getMetricName().equals(Groups.TRACES)).findFirst()
          .orElseThrow();
      assertThat(window.getTasks()).isEqualTo(1);
      assertThat(window.getFailed()).isZero();
      assertThat(window.getRescued()).isEqualTo(1);
      assertThat(window.getCostSum()).isCloseTo(0.25, within(1e-12));
      assertThat(window.getCostSuccessSum()).isCloseTo(0.25, within(1e-12));
      assertThat(window.getDimensions()).containsEntry("feature_name", "support_chatbot").containsEntry("app_version", v1.getAppVersion());
    }
  }

  private static void assertRelative(double actual, double exact) {
    assertThat(Math.abs(actual - exact) / exact).as("%s vs exact %s", actual, exact).isLessThanOrEqualTo(0.01);
  }

  private static double exact(List<Double> sorted, double q) {
    return sorted.get((int) Math.floor(q * (sorted.size() - 1)));
  }

  private static double millis(LlmSpan span) {
    return Duration.between(span.getStartTime(), span.getEndTime()).toMillis();
  }

  private static List<String> top5(List<LlmSpan> spans, java.util.function.ToDoubleFunction<LlmSpan> badness) {
    return spans.stream().sorted(Comparator.comparingDouble(badness).reversed().thenComparing(LlmSpan::getTraceId)).limit(5)
        .map(LlmSpan::getTraceId).toList();
  }

  /** An LLM call of prompt support_answer v35 on gpt-4.1-mini, trace id {@code <tag>} padded. */
  static LlmSpan llm(String tag, Instant start, long millis) {
    String traceId = (tag + "00000000000000000000000000000000").substring(0, 32);
    return LlmSpan.newBuilder(TestTraces.supportTicket(traceId, start).get(1)).setStartTime(start).setEndTime(start.plusMillis(millis))
        .setPrompt(PromptInfo.newBuilder().setName("support_answer").setVersion("v35").build())
        .setCost(Cost.newBuilder().setAmount(0.001).setSource(CostSource.REPORTED).build()).build();
  }
}
