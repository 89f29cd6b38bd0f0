package io.llmtrace.processors.alert;

import static io.llmtrace.processors.alert.AlertDriver.T0;
import static io.llmtrace.processors.alert.AlertDriver.errors;
import static io.llmtrace.processors.alert.AlertDriver.evaluations;
import static io.llmtrace.processors.alert.AlertDriver.failedEvaluations;
import static io.llmtrace.processors.alert.AlertDriver.spans;
import static io.llmtrace.processors.alert.AlertDriver.traces;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.processors.aggregate.Sketches;
import io.llmtrace.processors.aggregate.state.Bins;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertSeverity;
import io.llmtrace.schemas.avro.AlertState;
import io.llmtrace.schemas.avro.EvaluationStats;
import io.llmtrace.schemas.avro.Exemplars;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.ReleaseMarker;
import io.llmtrace.schemas.avro.SketchBins;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.SpanStatus;
import io.llmtrace.schemas.testing.TestSpans;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * One scenario per rule of the shipped rules file ({@code deploy/config/alert-rules.yaml}), through the
 * real topology: windows minute by minute (hour by hour for hourly rules), each rule fires at the first
 * evaluation where its window (and {@code for}) is satisfied and not one minute earlier, never below its
 * minimum volume or outside its scope, resolves once, and carries the offending windows' example traces.
 * Expected minutes are worked out in the comments: after minute m's windows the evaluation is at the end
 * of minute m.
 */
class AlertScenariosTest {

  /** "rule STATE@minute" for the rule's events while windows of minutes [from, to) are piped. */
  private static List<String> run(AlertDriver driver, String rule, int from, int to, IntFunction<List<MetricWindow>> minute) {
    List<String> events = new ArrayList<>();
    for (int m = from; m < to; m++) {
      for (AlertEvent event : driver.minute(minute.apply(m))) {
        if (event.getRuleId().equals(rule)) {
          events.add(event.getState() + "@" + m);
        }
      }
    }
    return events;
  }

  private static List<AlertEvent> of(AlertDriver driver, String rule) {
    return driver.seen.stream().filter(e -> e.getRuleId().equals(rule)).toList();
  }

  private static MetricWindow policyChecks(int m, long checks, long failures) {
    return spans(m, checks, "environment", "production", "feature_name", "support_chatbot", "kind", "POLICY_CHECK", "span_name",
        "policy_check").setPolicyFailuresBySeverity(failures == 0 ? Map.of() : Map.of("high", failures))
        .setExemplars(failures == 0 ? null : errors("t-policy-" + m)).build();
  }

  @Test
  void policyCheckFailureSpikeFiresAfterThirtyMinutesAboveFivePercentAndResolvesAfterItsDelay() {
    try (AlertDriver driver = new AlertDriver()) {
      // 10% failing from minute 0; the 5-minute window is first covered at the end of minute 4 → pending from T=5,
      // fires at T=35 (end of minute 34); good from minute 40: the window holds 3 bad minutes (6%) until T=42,
      // 2 (4%) at T=43 → false; keep_firing_for 5m → resolved at T=47 (end of minute 46)
      List<String> events = run(driver, "policy_check_failure_spike", 0, 60, m -> List.of(policyChecks(m, 10, m < 40 ? 1 : 0)));
      assertThat(events).containsExactly("FIRING@34", "RESOLVED@46");
      AlertEvent firing = of(driver, "policy_check_failure_spike").get(0);
      assertThat(firing.getMeasuredValue()).isEqualTo(0.1);
      assertThat(firing.getVolume()).isEqualTo(50);
      assertThat(firing.getExampleTraceIds()).containsExactly("t-policy-34", "t-policy-33", "t-policy-32", "t-policy-31", "t-policy-30");
      assertThat(firing.getStartedAt()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
      assertThat(firing.getOwner()).isEqualTo("ai-engineering");
      assertThat(firing.getAction()).isEqualTo("Review traces, compare prompt versions, roll back if needed");
      assertThat(firing.getGroupDimensions()).containsEntry("feature_name", "support_chatbot").containsEntry("environment", "production");
      assertThat(of(driver, "policy_check_failure_spike").get(1).getAlertId()).isEqualTo(firing.getAlertId());
    }
  }

  @Test
  void aBacklogEvaluatedInOnePunctuationGivesTheSameEpisodesAsLiveTraffic() {
    List<String> live;
    try (AlertDriver driver = new AlertDriver()) {
      run(driver, "policy_check_failure_spike", 0, 60, m -> List.of(policyChecks(m, 10, m < 40 ? 1 : 0)));
      live = of(driver, "policy_check_failure_spike").stream().map(AlertScenariosTest::describe).toList();
    }
    try (AlertDriver driver = new AlertDriver()) {
      for (int m = 0; m < 60; m++) {
        driver.pipe(policyChecks(m, 10, m < 40 ? 1 : 0));
      }
      driver.tick(Duration.ofSeconds(1));
      assertThat(of(driver, "policy_check_failure_spike").stream().map(AlertScenariosTest::describe).toList()).isEqualTo(live).hasSize(2);
    }
  }

  private static String describe(AlertEvent e) {
    return e.getAlertId() + " " + e.getState() + " window " + e.getWindowStart() + ".." + e.getWindowEnd() + " since " + e.getStartedAt()
        + " value " + e.getMeasuredValue() + " examples " + e.getExampleTraceIds();
  }

  @Test
  void policyCheckFailuresBelowTheMinimumVolumeNeverFire() {
    try (AlertDriver driver = new AlertDriver()) {
      // 33% failing, but 3 checks a minute: 15 in the window, below min_volume 20
      assertThat(run(driver, "policy_check_failure_spike", 0, 60, m -> List.of(policyChecks(m, 3, 1)))).isEmpty();
    }
  }

  private static MetricWindow llmCalls(int m, long calls, String... more) {
    List<String> dims = new ArrayList<>(List.of("environment", "production", "feature_name", "invoice_extraction", "kind", "LLM",
        "span_name", "extract_invoice", "prompt_name", "extract_invoice", "prompt_version", "v7", "model_provider", "openai",
        "model_name", "gpt-4.1-mini"));
    dims.addAll(List.of(more));
    return spans(m, calls, dims.toArray(String[]::new)).build();
  }

  @Test
  void jsonSchemaFailuresFireOverTheLastFiveHundredCalls() {
    try (AlertDriver driver = new AlertDriver()) {
      // 100 calls a minute, 2 schema failures (2%) until minute 9: 500 calls are first reached at the end of minute 4;
      // good from minute 10: the last 500 calls hold 4 bad minutes (1.6%) at T=11, 3 (1.2%) at T=12, 2 (0.8%) at T=13;
      // keep_firing_for 10m → resolved at T=22 (end of minute 21)
      List<String> events = run(driver, "json_schema_failures", 0, 30, m -> {
        MetricWindow w = llmCalls(m, 100);
        w.setSchemaValidationFailures(m < 10 ? 2 : 0);
        return List.of(w);
      });
      assertThat(events).containsExactly("FIRING@4", "RESOLVED@21");
      AlertEvent firing = of(driver, "json_schema_failures").get(0);
      assertThat(firing.getEvaluationWindow()).isEqualTo("500 calls");
      assertThat(firing.getVolume()).isEqualTo(500);
      assertThat(firing.getWindowStart()).isEqualTo(T0);
    }
  }

  private static MetricWindow hourlyTasks(int hour, String feature, long tasks, double cost) {
    return traces(hour * 60, tasks, "environment", "production", "feature_name", feature, "app_version", "2026.06.1")
        .setCostSum(cost).setPricedCount(tasks).setSuccessful(tasks).build();
  }

  @Test
  void costPerTaskDayOverDayComparesTheLastDayWithTheDayBefore() {
    try (AlertDriver driver = new AlertDriver()) {
      // hourly rule: one window per hour, 100 tasks; 0.02 per task for two days, then 0.03. At T = hour h the last 24 h
      // hold k = h - 48 expensive hours against a cheap day before: (48 + k) / 48 > 1.3 first at k = 15 → T = 63 h
      List<String> events = run(driver, "cost_per_task_day_over_day", 0, 110,
          h -> List.of(hourlyTasks(h, "support_chatbot", 100, h < 48 ? 2.0 : 3.0)));
      // the hourly rule's minutes are hours here (one window per hour): the index is the hour
      assertThat(events).first().isEqualTo("FIRING@63");
      assertThat(events).containsExactly("FIRING@63", "RESOLVED@" + events.get(1).substring("RESOLVED@".length()));
      AlertEvent firing = of(driver, "cost_per_task_day_over_day").get(0);
      assertThat(firing.getBaseline()).isEqualTo("day_before");
      assertThat(firing.getBaselineValue()).isCloseTo(0.02, org.assertj.core.data.Offset.offset(1e-12));
      assertThat(firing.getMeasuredValue()).isCloseTo(63.0 / 2400, org.assertj.core.data.Offset.offset(1e-12));
      assertThat(firing.getWindowStart()).isEqualTo(T0.plus(Duration.ofHours(39)));
      // once the day before is expensive too, the ratio falls back to 1: resolved while both days overlap the change
      int resolvedAt = Integer.parseInt(events.get(1).substring("RESOLVED@".length()));
      assertThat(resolvedAt).isBetween(64, 96);
    }
  }

  private static MetricWindow citations(int m, double coverage) {
    return spans(m, 10, "environment", "production", "feature_name", "support_chatbot", "kind", "LLM", "span_name", "answer")
        .setCitationCoverageSum(10 * coverage).setCitationCoverageCount(10)
        .setExemplars(coverage < 0.9 ? failedEvaluations("t-cite-" + m) : null).build();
  }

  @Test
  void citationCoverageBelowNinetyPercentOverAnHourWithTheWorstMinutesAsExamples() {
    try (AlertDriver driver = new AlertDriver()) {
      // 0.95 for an hour, then 0.6: the hour's mean is 0.95 - 0.35 k / 60 with k bad minutes, below 0.9 from k = 9
      // → T = 69 (end of minute 68); never before the hour is covered
      List<String> events = run(driver, "citation_coverage_low", 0, 70, m -> List.of(citations(m, m < 60 ? 0.95 : 0.6)));
      assertThat(events).containsExactly("FIRING@68");
      assertThat(of(driver, "citation_coverage_low").get(0).getExampleTraceIds())
          .containsExactly("t-cite-68", "t-cite-67", "t-cite-66", "t-cite-65", "t-cite-64");
    }
  }

  @Test
  void aLeakedCanaryPagesAtOnceAndJoinsTheOpenEpisodeUntilQuiet() {
    try (AlertDriver driver = new AlertDriver()) {
      AlertEvent leak = io.llmtrace.processors.redact.RedactionProcessor.failureEvent(TestSpans.minimal(), 1);
      driver.pipeRedactionEvent(leak);
      List<AlertEvent> first = driver.drain();
      assertThat(first).extracting(AlertEvent::getRuleId, AlertEvent::getState, AlertEvent::getSeverity)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("redaction_failure", AlertState.FIRING, AlertSeverity.PAGE));
      assertThat(first.get(0).getExampleTraceIds()).containsExactly(TestSpans.minimal().getTraceId());
      assertThat(first.get(0).getOwner()).isEqualTo("security");
      driver.pipeRedactionEvent(leak);
      assertThat(driver.tick(Duration.ofMinutes(29))).isEmpty();
      List<AlertEvent> resolved = driver.tick(Duration.ofMinutes(1));
      assertThat(resolved).extracting(AlertEvent::getState).containsExactly(AlertState.RESOLVED);
      assertThat(resolved.get(0).getAlertId()).isEqualTo(first.get(0).getAlertId());
      assertThat(resolved.get(0).getVolume()).isEqualTo(2);
    }
  }

  private static MetricWindow toolCalls(int m, String environment, String feature, String tool, long calls, long argumentFailures,
      long callFailures) {
    return spans(m, calls, "environment", environment, "feature_name", feature, "kind", "TOOL", "span_name", tool)
        .setToolArgumentFailures(argumentFailures).setToolCallFailures(callFailures)
        .setExemplars(argumentFailures + callFailures > 0 ? errors("t-" + feature + "-" + m) : null).build();
  }

  @Test
  void toolArgumentFailuresPageOnlyForProductionWriteActionAgents() {
    try (AlertDriver driver = new AlertDriver()) {
      // 20% of a production refund agent's tool calls fail validation: the 10-minute window is covered at the end of
      // minute 9; the same numbers in staging or on a read-only feature are out of scope
      List<String> events = run(driver, "write_action_tool_argument_failures", 0, 12, m -> List.of(
          toolCalls(m, "production", "refund_agent", "issue_refund", 5, 1, 0),
          toolCalls(m, "staging", "refund_agent", "issue_refund", 5, 1, 0),
          toolCalls(m, "production", "support_chatbot", "issue_refund", 5, 1, 0)));
      assertThat(events).containsExactly("FIRING@9");
      assertThat(of(driver, "write_action_tool_argument_failures").get(0).getGroupDimensions())
          .containsEntry("feature_name", "refund_agent").containsEntry("environment", "production").containsEntry("span_name", "issue_refund");
    }
  }

  private static MetricWindow hourlyParse(int hour, long calls, long failures) {
    MetricWindow w = llmCalls(hour * 60, calls);
    w.setJsonParseFailures(failures);
    return w;
  }

  @Test
  void jsonParseFailuresAtTwiceTheSevenDayBaseline() {
    try (AlertDriver driver = new AlertDriver()) {
      // 1% for 7 days (hours 0..167), then 2.5%: the baseline is covered from T = 169 h, whose last hour (168) is bad
      assertThat(run(driver, "json_parse_failures_vs_7d", 0, 172, h -> List.of(hourlyParse(h, 1000, h < 168 ? 10 : 25))))
          .containsExactly("FIRING@169");
      AlertEvent firing = of(driver, "json_parse_failures_vs_7d").get(0);
      assertThat(firing.getBaseline()).isEqualTo("prior_7d_mean");
      assertThat(firing.getBaselineValue()).isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-12));
      assertThat(firing.getMeasuredValue()).isCloseTo(0.025, org.assertj.core.data.Offset.offset(1e-12));
    }
    try (AlertDriver driver = new AlertDriver()) {
      // 1.5%: a rise, not a doubling
      assertThat(run(driver, "json_parse_failures_vs_7d", 0, 175, h -> List.of(hourlyParse(h, 1000, h < 168 ? 10 : 15)))).isEmpty();
    }
  }

  private static MetricWindow workflows(int m, String release, double costPerSuccess) {
    return traces(m, 10, "environment", "production", "feature_name", "support_chatbot", "app_version", release)
        .setSuccessful(8).setCostSum(8 * costPerSuccess).setPricedCount(10).build();
  }

  @Test
  void costPerSuccessfulWorkflowAfterAReleaseAgainstTheTwoHoursBeforeIt() {
    try (AlertDriver driver = new AlertDriver()) {
      // release 2026.06.2 first seen at minute 180 (no marker): after-window [180, 300) complete at T = 300 (end of
      // minute 299): 0.15 per success against 0.10 in [60, 180) → 1.5 > 1.2
      List<String> events = run(driver, "cost_per_successful_workflow_after_release", 0, 305,
          m -> List.of(workflows(m, m < 180 ? "2026.06.1" : "2026.06.2", m < 180 ? 0.10 : 0.15)));
      assertThat(events).containsExactly("FIRING@299");
      AlertEvent firing = of(driver, "cost_per_successful_workflow_after_release").get(0);
      assertThat(firing.getRelease()).isEqualTo("app_version=2026.06.2");
      assertThat(firing.getBaseline()).startsWith("before_release (first seen at 2026-11-30T13:00:00Z, no release marker)");
      assertThat(firing.getBaselineValue()).isCloseTo(0.10, org.assertj.core.data.Offset.offset(1e-12));
    }
    try (AlertDriver driver = new AlertDriver()) {
      // with a marker at minute 170 the release is the marker's time: after-window [170, 290) → T = 290
      driver.pipe(ReleaseMarker.newBuilder().setReleaseId("r-17").setTenantId("acme").setServiceName("support-api")
          .setAppVersion("2026.06.2").setReleasedAt(T0.plus(Duration.ofMinutes(170))).setReceivedAt(T0).build());
      List<String> events = run(driver, "cost_per_successful_workflow_after_release", 0, 295,
          m -> List.of(workflows(m, m < 180 ? "2026.06.1" : "2026.06.2", m < 180 ? 0.10 : 0.15)));
      assertThat(events).containsExactly("FIRING@289");
      assertThat(of(driver, "cost_per_successful_workflow_after_release").get(0).getBaseline())
          .isEqualTo("before_release (release marker r-17 at 2026-11-30T12:50:00Z)");
    }
  }

  private static MetricWindow faithfulness(int hour, long scored, double score) {
    return spans(hour * 60, scored, "environment", "production", "feature_name", "support_chatbot", "kind", "EVALUATION", "span_name",
        "judge").setEvaluations(Map.of("citation_faithfulness", EvaluationStats.newBuilder().setScoreSum(scored * score)
        .setScoreCount(scored).build())).build();
  }

  @Test
  void citationFaithfulnessBelowPointEightFiveOnMoreThanFiftySampledTracesInADay() {
    try (AlertDriver driver = new AlertDriver()) {
      // 3 scored traces an hour at 0.8: the day is covered at T = 24 h with 72 > 50
      assertThat(run(driver, "citation_faithfulness_low", 0, 26, h -> List.of(faithfulness(h, 3, 0.8)))).containsExactly("FIRING@24");
      assertThat(of(driver, "citation_faithfulness_low").get(0).getSeverity()).isEqualTo(AlertSeverity.REVIEW);
    }
    try (AlertDriver driver = new AlertDriver()) {
      // 2 an hour: 48 in a day, not more than 50
      assertThat(run(driver, "citation_faithfulness_low", 0, 30, h -> List.of(faithfulness(h, 2, 0.8)))).isEmpty();
    }
  }

  private static MetricWindow providerCalls(int m, long calls, long errors) {
    return spans(m, calls, "environment", "production", "kind", "LLM", "span_name", "draft_response", "model_provider", "openai",
        "model_name", "gpt-4.1-mini").setErrorCount(errors).setExemplars(errors > 0 ? errors("t-openai-" + m) : null).build();
  }

  @Test
  void providerErrorRateFiresOnceAndDoesNotFlapOnARelapseWithinItsResolveDelay() {
    try (AlertDriver driver = new AlertDriver()) {
      // 20 calls a minute; 1 error (5%) in minutes 0..9 → fires at the end of minute 4. Good from minute 10: false from
      // T = 13 (2 errors in 100: not above 2%); a relapse at minute 14 (3 errors) is true again before the 5-minute
      // resolve delay ran out (no RESOLVED, no second FIRING); the window holds minute 14 until T = 19 → resolved at T = 24
      List<String> events = run(driver, "provider_error_rate", 0, 30,
          m -> List.of(providerCalls(m, 20, m < 10 ? 1 : m == 14 ? 3 : 0)));
      assertThat(events).containsExactly("FIRING@4", "RESOLVED@23");
    }
  }

  @Test
  void timeoutRateAboveOnePercentForTenMinutesNotBelowItsVolume() {
    try (AlertDriver driver = new AlertDriver()) {
      List<String> events = run(driver, "timeout_rate", 0, 12, m -> List.of(
          spans(m, 20, "environment", "production", "service_name", "support-api", "span_name", "call_llm", "kind", "LLM").setTimeouts(1)
              .build(),
          spans(m, 5, "environment", "production", "service_name", "billing-api", "span_name", "call_llm", "kind", "LLM").setTimeouts(1)
              .build()));
      // support-api: 200 calls in 10 minutes, 5% → fires when the window is covered; billing-api: 50 calls < 100
      assertThat(events).containsExactly("FIRING@9");
      assertThat(of(driver, "timeout_rate").get(0).getGroupDimensions()).containsEntry("service_name", "support-api");
    }
  }

  private static SketchBins latencies(double... values) {
    Bins bins = Sketches.empty();
    for (double value : values) {
      Sketches.add(bins, value, 1);
    }
    return Sketches.toRecord(bins);
  }

  @Test
  void criticalWorkflowP95LatencyAboveEightSecondsForTenMinutes() {
    try (AlertDriver driver = new AlertDriver()) {
      // 5 tasks a minute; from minute 3 one of them takes 12 s (20% of the tasks: the p95 is 12 s within 1%) → the
      // window [0, 10) is covered at the end of minute 9 and its p95 is above 8 s then (7 slow of 50 = 14%)
      List<String> events = run(driver, "critical_workflow_p95_latency", 0, 11, m -> List.of(
          traces(m, 5, "environment", "production", "feature_name", "refund_agent")
              .setLatencySketch(m < 3 ? latencies(2000, 2100, 2200, 2300, 2400) : latencies(2000, 2100, 2200, 2300, 12_000))
              .setExemplars(Exemplars.newBuilder().setSlowest(List.of("t-slow-" + m)).build()).build()));
      assertThat(events).containsExactly("FIRING@9");
      AlertEvent firing = of(driver, "critical_workflow_p95_latency").get(0);
      assertThat(firing.getMeasuredValue()).isCloseTo(12_000, org.assertj.core.data.Percentage.withPercentage(1));
      assertThat(firing.getExampleTraceIds()).startsWith("t-slow-9");
    }
  }

  @Test
  void p95CostPerRequestUpFiftyPercentAgainstThePrevious24Hours() {
    try (AlertDriver driver = new AlertDriver()) {
      // hourly: 200 calls an hour at 0.010 for 25 hours, then 0.020; covered from T = 25 h; hour 25 is in the window at T = 26
      assertThat(run(driver, "cost_p95_vs_previous_24h", 0, 28, h -> {
        MetricWindow w = llmCalls(h * 60, 200);
        double cost = h < 25 ? 0.010 : 0.020;
        double[] values = new double[200];
        java.util.Arrays.fill(values, cost);
        w.setCostSketch(latencies(values));
        return List.of(w);
      })).containsExactly("FIRING@26");
      AlertEvent firing = of(driver, "cost_p95_vs_previous_24h").get(0);
      assertThat(firing.getBaseline()).isEqualTo("previous_24h");
      assertThat(firing.getMeasuredValue() / firing.getBaselineValue()).isCloseTo(2.0, org.assertj.core.data.Percentage.withPercentage(2));
    }
  }

  @Test
  void evalPassRateBelowNinetyTwoPercentForAProductionPromptVersion() {
    try (AlertDriver driver = new AlertDriver()) {
      List<String> events = run(driver, "eval_pass_rate_production_prompt", 0, 61, m -> List.of(
          spans(m, 10, "environment", "production", "prompt_name", "support_answer", "prompt_version", "v35", "kind", "LLM")
              .setEvaluations(evaluations("answer_cites_source", 9, 1)).build(),
          spans(m, 10, "environment", "staging", "prompt_name", "support_answer", "prompt_version", "v36", "kind", "LLM")
              .setEvaluations(evaluations("answer_cites_source", 5, 5)).build()));
      // 90% in production: the hour is covered at the end of minute 59; staging is out of scope
      assertThat(events).containsExactly("FIRING@59");
      assertThat(of(driver, "eval_pass_rate_production_prompt").get(0).getGroupDimensions()).containsEntry("prompt_version", "v35");
    }
  }

  private static LlmSpan policyViolation(String environment, String severity, Instant at) {
    LlmSpan span = TestSpans.startingAt(TestSpans.minimal(), at);
    span.setKind(SpanKind.POLICY_CHECK);
    span.setName("refund_policy_check");
    span.setStatus(SpanStatus.ERROR);
    span.setEnvironment(environment);
    span.setFeatureName("refund_agent");
    span.setPolicySeverity(severity);
    return span;
  }

  @Test
  void aSeverePolicyViolationInProductionPagesAtOnceAndRemindsHourly() {
    try (AlertDriver driver = new AlertDriver()) {
      driver.pipe(policyViolation("staging", "critical", T0));
      driver.pipe(policyViolation("production", "low", T0));
      assertThat(driver.drain()).isEmpty();
      driver.pipe(policyViolation("production", "critical", T0));
      List<AlertEvent> fired = driver.drain();
      assertThat(fired).extracting(AlertEvent::getRuleId, AlertEvent::getState)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("severe_policy_violation", AlertState.FIRING));
      assertThat(fired.get(0).getGroupDimensions()).containsEntry("feature_name", "refund_agent")
          .containsEntry("span_name", "refund_policy_check").containsEntry("environment", "production");
      // another one 70 minutes later (event time) within the quiet time: one reminder, the same episode
      driver.pipe(policyViolation("production", "high", T0.plus(Duration.ofMinutes(70))));
      List<AlertEvent> reminder = driver.drain();
      assertThat(reminder).extracting(AlertEvent::getState, AlertEvent::getNotification).containsExactly(
          org.assertj.core.groups.Tuple.tuple(AlertState.RENOTIFY, 1));
      assertThat(reminder.get(0).getAlertId()).isEqualTo(fired.get(0).getAlertId());
      assertThat(driver.tick(Duration.ofMinutes(30))).extracting(AlertEvent::getState).containsExactly(AlertState.RESOLVED);
    }
  }

  private static MetricWindow promptCalls(int m, String version, long calls, long errors) {
    return spans(m, calls, "environment", "production", "kind", "LLM", "span_name", "support_answer", "prompt_name", "support_answer",
        "prompt_version", version, "model_name", "claude-3-5-sonnet").setErrorCount(errors)
        .setExemplars(errors > 0 ? errors("t-" + version + "-" + m) : null).build();
  }

  @Test
  void aNewPromptVersionFailingTwiceAsOftenAsThePreviousAfterTwoHundredRequests() {
    try (AlertDriver driver = new AlertDriver()) {
      // v34: 50 calls a minute at 2% (minutes 0..9, 500 calls); v35 from minute 10 at 6%: 200 requests at the end of
      // minute 13 → 3× → fires; v36 from minute 20 ends v35's episode
      List<String> events = run(driver, "new_prompt_version_failure_rate", 0, 22, m -> List.of(
          m < 10 ? promptCalls(m, "v34", 50, 1) : m < 20 ? promptCalls(m, "v35", 50, 3) : promptCalls(m, "v36", 50, 1)));
      assertThat(events).containsExactly("FIRING@13", "RESOLVED@20");
      AlertEvent firing = of(driver, "new_prompt_version_failure_rate").get(0);
      assertThat(firing.getRelease()).isEqualTo("prompt_version=v35");
      assertThat(firing.getBaseline()).isEqualTo("previous_version (prompt_version=v34)");
      assertThat(firing.getMeasuredValue()).isCloseTo(0.06, org.assertj.core.data.Offset.offset(1e-12));
      assertThat(firing.getBaselineValue()).isCloseTo(0.02, org.assertj.core.data.Offset.offset(1e-12));
      assertThat(firing.getExampleTraceIds()).containsExactly("t-v35-10", "t-v35-11", "t-v35-12", "t-v35-13");
    }
  }

  @Test
  void criticalToolFailureRateAboveThreePercentForFiveMinutes() {
    try (AlertDriver driver = new AlertDriver()) {
      List<String> events = run(driver, "critical_tool_failure_rate", 0, 7, m -> List.of(
          toolCalls(m, "production", "refund_agent", "issue_refund", 10, 0, 1),
          toolCalls(m, "production", "refund_agent", "search_docs", 10, 0, 1)));
      // issue_refund is a critical tool (10% failing, covered at the end of minute 4); search_docs is not in the scope
      assertThat(events).containsExactly("FIRING@4");
      assertThat(of(driver, "critical_tool_failure_rate").get(0).getGroupDimensions()).containsEntry("span_name", "issue_refund");
    }
  }

  private static MetricWindow supportAnswers(int m, String tier, long passed, long failed) {
    return spans(m, passed + failed, "environment", "production", "feature_name", "support_chatbot", "kind", "LLM", "span_name",
        "support_answer", "prompt_name", "support_answer", "prompt_version", "v35", "model_provider", "anthropic", "model_name",
        "claude-3-5-sonnet", "customer_tier", tier).setEvaluations(evaluations("answer_cites_source", passed, failed))
        .setExemplars(failed > 0 ? failedEvaluations("t-" + tier + "-" + m) : null).build();
  }

  @Test
  void supportAnswerEvalRegressionByPromptVersionModelAndCustomerTier() {
    try (AlertDriver driver = new AlertDriver()) {
      // enterprise: 80% over 10 evaluations a minute → the 15-minute window (150 ≥ 100) is covered at the end of minute 14;
      // starter passes at 95%; pro fails at 60% but with 5 a minute (75 < 100)
      List<String> events = run(driver, "support_answer_eval_regression", 0, 16, m -> List.of(
          supportAnswers(m, "enterprise", 8, 2), supportAnswers(m, "starter", 19, 1), supportAnswers(m, "pro", 3, 2)));
      assertThat(events).containsExactly("FIRING@14");
      AlertEvent firing = of(driver, "support_answer_eval_regression").get(0);
      assertThat(firing.getGroupDimensions()).containsEntry("prompt_version", "v35").containsEntry("model_name", "claude-3-5-sonnet")
          .containsEntry("customer_tier", "enterprise").containsEntry("feature_name", "support_chatbot")
          .containsEntry("prompt_name", "support_answer").containsEntry("environment", "production");
      assertThat(firing.getOwner()).isEqualTo("on-call, ai-product-owner");
      assertThat(firing.getAction()).isEqualTo("Compare against the last good version, roll back");
      assertThat(firing.getMeasuredValue()).isCloseTo(0.8, org.assertj.core.data.Offset.offset(1e-12));
      assertThat(firing.getExampleTraceIds()).containsExactly("t-enterprise-14", "t-enterprise-13", "t-enterprise-12", "t-enterprise-11",
          "t-enterprise-10");
    }
  }

  @Test
  void aFiringEpisodeResolvesWhenItsGroupsDataStopsInEventTimeAndWallClock() {
    try (AlertDriver driver = new AlertDriver()) {
      // support-api times out and then stops sending; billing-api keeps the task's clock moving. no_data_after is 10
      // minutes (the default for a 10-minute window) of event time and of wall clock: one second of wall clock per
      // minute here, so the event-time silence alone (from the end of minute 21) does not resolve it
      IntFunction<List<MetricWindow>> minute = m -> {
        List<MetricWindow> windows = new ArrayList<>();
        windows.add(spans(m, 200, "environment", "production", "service_name", "billing-api", "span_name", "charge", "kind", "TOOL").build());
        if (m < 12) {
          windows.add(spans(m, 20, "environment", "production", "service_name", "support-api", "span_name", "call_llm", "kind", "LLM")
              .setTimeouts(1).build());
        }
        return windows;
      };
      assertThat(run(driver, "timeout_rate", 0, 40, minute)).containsExactly("FIRING@9");
      // ten minutes of wall clock since the group's last window: resolved
      assertThat(driver.tick(Duration.ofMinutes(10))).extracting(AlertEvent::getRuleId, AlertEvent::getState)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("timeout_rate", AlertState.RESOLVED));
      assertThat(of(driver, "timeout_rate").get(1).getSummary()).contains("data stopped");
    }
  }

  @Test
  void unreadableWindowsAndTombstonesGoToTheDeadLettersAndEvaluationGoesOn() {
    try (AlertDriver driver = new AlertDriver()) {
      driver.pipeRawMetrics("garbage", new byte[] {0, 0, 0, 0, 42, 1, 2});
      driver.pipeRawMetrics("tombstone", null);
      assertThat(driver.deadLetters.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("garbage", "tombstone");
      assertThat(run(driver, "critical_tool_failure_rate", 0, 5, m -> List.of(toolCalls(m, "production", "refund_agent", "issue_refund",
          10, 0, 1)))).containsExactly("FIRING@4");
    }
  }

  @Test
  void aRuleThatKeepsItsStateWhenDataStopsStaysFiring() {
    List<AlertRule> rules = AlertRules.parse(new java.io.ByteArrayInputStream("""
        rules:
          - name: timeouts_kept
            metric: timeout_rate
            comparator: ">"
            threshold: 0.01
            window: 10m
            min_volume: 100
            group_by: [service]
            when_data_stops: keep
            severity: notify
            owner: platform-engineering
            runbook: docs/RUNBOOKS.md#timeout_rate
            action: Check provider and tool latency
        """.getBytes(java.nio.charset.StandardCharsets.UTF_8)), "test.yaml");
    try (AlertDriver driver = new AlertDriver(rules)) {
      List<String> events = run(driver, "timeouts_kept", 0, 40, m -> {
        List<MetricWindow> windows = new ArrayList<>();
        windows.add(spans(m, 200, "service_name", "billing-api", "kind", "TOOL").build());
        if (m < 12) {
          windows.add(spans(m, 20, "service_name", "support-api", "kind", "LLM").setTimeouts(1).build());
        }
        return windows;
      });
      assertThat(events).containsExactly("FIRING@9");
      assertThat(driver.tick(Duration.ofHours(2))).isEmpty();
    }
  }
}
