package io.llmtrace.schemas.testing;

import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertSeverity;
import io.llmtrace.schemas.avro.AlertState;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.ReviewItem;
import io.llmtrace.schemas.avro.ReviewPriority;
import io.llmtrace.schemas.avro.ReviewStatus;
import io.llmtrace.schemas.avro.TraceStatus;
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
        .setRootSpanName("support_chatbot.request")
        .setStartTime(TestSpans.START)
        .setEndTime(TestSpans.START.plusMillis(4_820))
        .setSpanCount(TestSpans.RAG_SPAN_COUNT)
        .setErrorCount(1)
        .setTotalTokens(TestSpans.RAG_TOTAL_TOKENS)
        .setTotalCost(TestSpans.RAG_TOTAL_COST)
        .setModelsUsed(list("gpt-4.1-mini"))
        .setPromptVersionsUsed(list("support_refund_policy@v23"))
        .setStatus(TraceStatus.ERROR)
        .setVersion(2)
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
        .setP95(8_400.0)
        .setP99(9_700.0)
        .setErrorCount(3)
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
        .setStatus(ReviewStatus.IN_REVIEW)
        .build();
  }
}
