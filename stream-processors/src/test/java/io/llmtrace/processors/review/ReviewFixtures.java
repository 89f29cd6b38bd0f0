package io.llmtrace.processors.review;

import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertSeverity;
import io.llmtrace.schemas.avro.AlertState;
import io.llmtrace.schemas.avro.Evaluation;
import io.llmtrace.schemas.avro.EvaluationOutcome;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.TraceOutcome;
import io.llmtrace.schemas.avro.TraceStatus;
import io.llmtrace.schemas.avro.TraceSummary;
import io.llmtrace.schemas.testing.TestRecords;
import io.llmtrace.schemas.testing.TestSpans;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The review tests' inputs, built on the shared samples ({@link TestRecords}, {@link TestSpans}): a trace that
 * qualifies for nothing (each test adds what makes it qualify), a reviewer's decision span, an alert event,
 * and policies with chosen reasons on at rate 1.
 */
final class ReviewFixtures {

  /** Where event time starts in the review tests. */
  static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  static final String TENANT = "acme";
  static final String REVIEWER = "uid_0123456789abcdef";

  private ReviewFixtures() {}

  /**
   * Version 1 of trace {@code n}: production support chatbot, prompt support_answer@v35 on gpt-4.1-mini, two
   * tool calls, no evaluation and no feedback, started at T0 + n seconds, assembled 35 s later.
   */
  static TraceSummary.Builder quietTrace(long n) {
    Instant start = T0.plusSeconds(n);
    return TraceSummary.newBuilder(TestRecords.traceSummary())
        .setTraceId(TestSpans.traceId(n))
        .setTenantId(TENANT)
        .setEnvironment("production")
        .setServiceName("support-api")
        .setFeatureName("support_chatbot")
        .setStartTime(start)
        .setEndTime(start.plusSeconds(5))
        .setDurationMicros(5_000_000)
        .setAssembledAt(start.plusSeconds(35))
        .setVersion(1)
        .setStatus(TraceStatus.OK)
        .setOutcome(TraceOutcome.SUCCESS)
        .setFirstError(null)
        .setErrorCount(0)
        .setPolicyCheckFailures(0)
        .setFailedEvaluations(0)
        .setEvaluations(new HashMap<>())
        .setPositiveFeedback(0)
        .setNegativeFeedback(0)
        .setFeedbackCount(0)
        .setToolCalls(2)
        .setPromptNames(new ArrayList<>(List.of("support_answer")))
        .setPromptVersionsUsed(new ArrayList<>(List.of("support_answer@v35")))
        .setModelsUsed(new ArrayList<>(List.of("gpt-4.1-mini")))
        .setTruncated(false)
        .setIncomplete(false);
  }

  /** Trace {@code n} with answer_cites_source failed once of three (min score 0.72: a sure judge, not low confidence). */
  static TraceSummary.Builder failedTrace(long n) {
    return quietTrace(n).setFailedEvaluations(1)
        .setEvaluations(new HashMap<>(Map.of("answer_cites_source", outcome(2, 1, 0.72))));
  }

  static EvaluationOutcome outcome(int passed, int failed, Double minScore) {
    return EvaluationOutcome.newBuilder().setPassed(passed).setFailed(failed).setMinScore(minScore).build();
  }

  /** The trace's next version, assembled {@code later} after the first. */
  static TraceSummary.Builder nextVersion(TraceSummary trace, Duration later) {
    return TraceSummary.newBuilder(trace).setVersion(trace.getVersion() + 1).setAssembledAt(trace.getAssembledAt().plus(later));
  }

  /** A reviewer's decision on trace {@code n}: an EVALUATION span, child of its LLM span, by {@link #REVIEWER}. */
  static LlmSpan decision(long n, String label, String note, Instant at) {
    return LlmSpan.newBuilder(TestSpans.minimal())
        .setTraceId(TestSpans.traceId(n))
        .setSpanId("00000000000000d1")
        .setParentSpanId("0000000000000003")
        .setTenantId(TENANT)
        .setKind(SpanKind.EVALUATION)
        .setName("human_review")
        .setEnvironment("production")
        .setFeatureName("support_chatbot")
        .setUserId(REVIEWER)
        .setStartTime(at)
        .setEndTime(at.plusMillis(1))
        .setEvaluations(new ArrayList<>(List.of(Evaluation.newBuilder().setEvaluatorName(ReviewPolicy.HUMAN_REVIEW).setLabel(label)
            .setExplanation(note).build())))
        .build();
  }

  /** An alert event of acme's support chatbot naming the example traces. */
  static AlertEvent alert(String alertId, AlertState state, AlertSeverity severity, Instant firedAt, String... exampleTraceIds) {
    return AlertEvent.newBuilder(TestRecords.alertEvent())
        .setAlertId(alertId)
        .setRuleId("critical_workflow_p95_latency")
        .setSeverity(severity)
        .setState(state)
        .setGroupDimensions(new HashMap<>(Map.of("tenant_id", TENANT, "feature_name", "support_chatbot", "environment", "production")))
        .setExampleTraceIds(new ArrayList<>(List.of(exampleTraceIds)))
        .setFiredAt(firedAt)
        .build();
  }

  /** The shipped policy with only {@code on} enabled, each at rate 1 with its shipped priority. */
  static ReviewPolicy only(ReviewReason... on) {
    ReviewPolicy shipped = ReviewPolicy.bundled();
    Map<ReviewReason, ReviewPolicy.Rule> rules = new EnumMap<>(ReviewReason.class);
    shipped.rules().forEach((reason, rule) -> rules.put(reason, new ReviewPolicy.Rule(false, 1.0, rule.priority())));
    for (ReviewReason reason : on) {
      rules.put(reason, new ReviewPolicy.Rule(true, 1.0, shipped.rule(reason).priority()));
    }
    return new ReviewPolicy(rules, shipped.scoreBelow(), shipped.judges(), shipped.highRiskFeatures(), shipped.newVersionFor(),
        shipped.canaryEnvironments(), shipped.maxToolCalls(), shipped.labels(), shipped.reviewerPattern());
  }
}
