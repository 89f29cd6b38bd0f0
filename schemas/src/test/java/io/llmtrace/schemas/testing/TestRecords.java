package io.llmtrace.schemas.testing;

import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertSeverity;
import io.llmtrace.schemas.avro.AlertState;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.ReleaseMarker;
import io.llmtrace.schemas.avro.ReviewItem;
import io.llmtrace.schemas.avro.ReviewPriority;
import io.llmtrace.schemas.avro.ReviewStatus;
import io.llmtrace.schemas.avro.TraceStatus;
import io.llmtrace.schemas.avro.CriticalStep;
import io.llmtrace.schemas.avro.EvaluationOutcome;
import io.llmtrace.schemas.avro.EvaluationStats;
import io.llmtrace.schemas.avro.Exemplars;
import io.llmtrace.schemas.avro.SketchBins;
import io.llmtrace.schemas.avro.SlowestSpan;
import io.llmtrace.schemas.avro.TraceError;
import io.llmtrace.schemas.avro.TraceOutcome;
import io.llmtrace.schemas.avro.TraceSummary;
import static io.llmtrace.schemas.testing.TestSpans.list;
import static io.llmtrace.schemas.testing.TestSpans.map;

import java.time.Instant;

/**
 * Fully populated samples of the derived records (trace summary, metric window, alert, review item),
 * consistent with {@link TestSpans#ragTrace()} where they describe it. Fresh instances on every call.
 */
public final class TestRecords {

  private static final Instant WINDOW_START = Instant.parse("2026-06-04T14:10:00Z");
  private static final Instant WINDOW_END = Instant.parse("2026-06-04T14:15:00Z");

  private TestRecords() {}

  /** The summary of {@link TestSpans#ragTrace()}, second version, with an error counted. */
  public static TraceSummary traceSummary() {
    return TraceSummary.newBuilder()
        .setTraceId(TestSpans.TRACE_ID)
        .setTenantId(TestSpans.TENANT_ID)
        .setEnvironment("production")
        .setServiceName("support-api")
        .setFeatureName("support_chatbot")
        .setAppVersion("2026.06.04-a1b2c3d")
        .setRequestId("req-" + TestSpans.TRACE_ID.substring(0, 8))
        .setSessionId("sess-19d2")
        .setUserId("user-7f3a")
        .setRootSpanName("support_chatbot.request")
        .setRootSpanKind("WORKFLOW")
        .setStartTime(TestSpans.START)
        .setEndTime(TestSpans.START.plusMillis(4_820))
        .setDurationMicros(TestSpans.RAG_DURATION_MICROS)
        .setSpanCount(TestSpans.RAG_SPAN_COUNT)
        .setSpanCountsByKind(new java.util.HashMap<>(java.util.Map.of("WORKFLOW", 1, "RETRIEVAL", 1, "LLM", 1, "TOOL", 1)))
        .setLlmCalls(1)
        .setToolCalls(1)
        .setRetrievalCalls(1)
        .setRetries(1)
        .setFallbacks(1)
        .setTimeouts(1)
        .setRateLimited(1)
        .setErrorCount(1)
        .setPolicyCheckFailures(1)
        .setFailedEvaluations(1)
        .setStatus(TraceStatus.ERROR)
        .setFirstError(TraceError.newBuilder().setSpanId("0000000000000004").setSpanName("crm_account_lookup")
            .setErrorType("provider_timeout").setErrorMessage("upstream timed out after 2000 ms").build())
        .setOutcome(TraceOutcome.RESCUED)
        .setInputTokens(1_500)
        .setOutputTokens(370)
        .setCacheReadTokens(1_024)
        .setCacheWriteTokens(128)
        .setReasoningTokens(64)
        .setTotalTokens(TestSpans.RAG_TOTAL_TOKENS)
        .setTotalCost(TestSpans.RAG_TOTAL_COST)
        .setUnknownCostSpans(1)
        .setPromptNames(list("support_refund_policy"))
        .setModelsUsed(list("gpt-4.1-mini"))
        .setPromptVersionsUsed(list("support_refund_policy@v23"))
        .setSlowestSpan(SlowestSpan.newBuilder().setSpanId("0000000000000003").setName("support_answer").setKind("LLM")
            .setDurationMicros(2_100_000).build())
        .setCriticalPathMicros(4_300_000L)
        .setCriticalPath(list(CriticalStep.newBuilder().setName("support_answer").setMicros(2_100_000).build(),
            CriticalStep.newBuilder().setName("crm_account_lookup").setMicros(2_100_000).build()))
        .setEvaluations(map("answer_cites_source", EvaluationOutcome.newBuilder().setPassed(2).setFailed(1).setMinScore(0.4).build()))
        .setPositiveFeedback(1)
        .setNegativeFeedback(1)
        .setFeedbackCount(2)
        .setTruncated(true)
        .setIncomplete(true)
        .setVersion(2)
        .setAssembledAt(TestSpans.START.plusSeconds(35))
        .build();
  }

  /** p95 latency of the support chatbot over five minutes. */
  public static MetricWindow metricWindow() {
    return MetricWindow.newBuilder()
        .setWindowStart(WINDOW_START)
        .setWindowEnd(WINDOW_END)
        .setMetricName("llm.latency_ms")
        .setDimensions(map("tenant_id", TestSpans.TENANT_ID, "feature_name", "support_chatbot"))
        .setCount(200)
        .setSum(412_000.0)
        .setMin(380.0)
        .setMax(9_900.0)
        .setP50(1_200.0)
        .setP90(6_100.0)
        .setP95(8_400.0)
        .setP99(9_700.0)
        .setGroupId("3f9a1c2b5d7e8f01")
        .setShard(2)
        .setOverflow(true)
        .setLatencySketch(SketchBins.newBuilder().setRelativeAccuracy(0.01).setZeroCount(1)
            .setIndexes(list(296, 354, 459)).setCounts(list(120L, 70L, 9L)).build())
        .setErrorCount(3)
        .setTimeouts(2)
        .setRetries(4)
        .setFallbacks(1)
        .setRateLimited(1)
        .setInputTokens(240_000)
        .setOutputTokens(31_000)
        .setCacheReadTokens(120_000)
        .setCacheWriteTokens(8_000)
        .setCostSum(1.92)
        .setPricedCount(190)
        .setUnknownCostCount(10)
        .setCostSketch(SketchBins.newBuilder().setRelativeAccuracy(0.01).setZeroCount(0)
            .setIndexes(list(-263, -240)).setCounts(list(150L, 40L)).build())
        .setEvaluations(map("answer_cites_source", EvaluationStats.newBuilder().setPassed(180).setFailed(20).setScoreSum(171.5)
            .setScoreCount(200).build()))
        .setPositiveFeedback(12)
        .setNegativeFeedback(5)
        .setJsonParseFailures(2)
        .setSchemaValidationFailures(3)
        .setToolCallFailures(1)
        .setToolArgumentFailures(2)
        .setCitationCoverageSum(176.0)
        .setCitationCoverageCount(190)
        .setPolicyFailuresBySeverity(map("high", 2L))
        .setExemplars(Exemplars.newBuilder().setErrors(list(TestSpans.TRACE_ID)).setFailedEvaluations(list(TestSpans.TRACE_ID))
            .setSlowest(list(TestSpans.TRACE_ID)).setMostExpensive(list(TestSpans.TRACE_ID)).build())
        .setTasks(40)
        .setSuccessful(30)
        .setFailed(4)
        .setRescued(5)
        .setIncomplete(1)
        .setCostPerSuccessSketch(SketchBins.newBuilder().setRelativeAccuracy(0.01).setZeroCount(0)
            .setIndexes(list(-180)).setCounts(list(35L)).build())
        .setCostSuccessSum(1.40)
        .build();
  }

  /** A p95 latency alert firing for the support chatbot. */
  public static AlertEvent alertEvent() {
    return AlertEvent.newBuilder()
        .setAlertId("alert-p95-support-20260604T1415")
        .setRuleId("p95-latency-critical-workflow")
        .setRuleName("p95 latency above 8 s for 10 minutes")
        .setOwner("team-support-ai")
        .setSeverity(AlertSeverity.PAGE)
        .setRunbookUrl("https://runbooks.example.com/llm/p95-latency")
        .setAction("Check provider status, then the slowest span of the example traces.")
        .setMetricName("llm.latency_ms")
        .setGroupDimensions(map("tenant_id", TestSpans.TENANT_ID, "feature_name", "support_chatbot"))
        .setMeasuredValue(8_400.0)
        .setThreshold(8_000.0)
        .setWindowStart(WINDOW_START)
        .setWindowEnd(WINDOW_END)
        .setExampleTraceIds(list(TestSpans.TRACE_ID, TestSpans.traceId(2)))
        .setFiredAt(WINDOW_END.plusMillis(1_250))
        .setState(AlertState.RESOLVED)
        .setRuleKind("baseline")
        .setComparator(">")
        .setBaselineValue(5_600.0)
        .setBaseline("previous_24h")
        .setEvaluationWindow("10m")
        .setVolume(1_240)
        .setStartedAt(WINDOW_START.minusSeconds(600))
        .setResolvedAt(WINDOW_END)
        .setSummary("resolved: latency_p95 8400 is 1.50× previous_24h 5600 (alert when > 1.3) over 10m, 1,240 calls")
        .setRelease("app_version=2026.06.2")
        .setNotification(2)
        .build();
  }

  /** The RAG trace's LLM span queued for review after a failed evaluation. */
  public static ReviewItem reviewItem() {
    return ReviewItem.newBuilder()
        .setTraceId(TestSpans.TRACE_ID)
        .setSpanId("0000000000000003")
        .setTenantId(TestSpans.TENANT_ID)
        .setReason("eval_failed:answer_cites_source")
        .setCreatedAt(TestSpans.START.plusSeconds(6))
        .setPriority(ReviewPriority.HIGH)
        .setStatus(ReviewStatus.DECIDED)
        .setItemId(TestSpans.TENANT_ID + "/" + TestSpans.TRACE_ID + "/failed_evaluation")
        .setDetail("evaluator answer_cites_source failed (score 0.41)")
        .setEnvironment("production")
        .setServiceName("support-api")
        .setFeatureName("support_chatbot")
        .setPromptName("support_answer")
        .setPromptVersion("v35")
        .setModelName("claude-3-5-sonnet-20241022")
        .setTraceStartTime(TestSpans.START)
        .setSampleRate(0.25)
        .setAlertId("support_answer_eval_regression:0f3c2a1b9d8e7f60:1")
        .setDecisionLabel("hallucinated")
        .setDecisionNote("cites a refund policy that does not exist")
        .setReviewer("uid_4f2a9c1e0b7d3a65")
        .setDecidedAt(TestSpans.START.plusSeconds(3_600))
        .setVersion(2)
        .build();
  }

  /** A release of the support API, marked by its deploy job. */
  public static ReleaseMarker releaseMarker() {
    return ReleaseMarker.newBuilder()
        .setReleaseId("r-2026.06.2")
        .setTenantId(TestSpans.TENANT_ID)
        .setServiceName("support-api")
        .setEnvironment("production")
        .setAppVersion("2026.06.2")
        .setPromptName("support_answer")
        .setPromptVersion("v35")
        .setReleasedAt(WINDOW_START)
        .setReleasedBy("deploy-bot")
        .setNote("CHG-1234")
        .setReceivedAt(WINDOW_START.plusMillis(40))
        .build();
  }
}
