package io.llmtrace.schemas.testing;

import io.llmtrace.schemas.avro.Cost;
import io.llmtrace.schemas.avro.CostSource;
import io.llmtrace.schemas.avro.Evaluation;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.ModelInfo;
import io.llmtrace.schemas.avro.PromptInfo;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.SpanStatus;
import io.llmtrace.schemas.avro.TokenUsage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Whole traces with known summaries, for the stages that assemble and aggregate them. The seed's
 * support-ticket workflow: classify → retrieve policy docs → draft (prompt v34) → policy check fails →
 * retry with prompt v35 → policy check passes; the root succeeds, so the trace was rescued.
 */
public final class TestTraces {

  public static final String TENANT = "tenant-acme";
  public static final int SUPPORT_SPANS = 7;
  public static final long SUPPORT_INPUT_TOKENS = 420 + 2_400 + 2_600;
  public static final long SUPPORT_OUTPUT_TOKENS = 12 + 380 + 410;
  public static final double SUPPORT_COST = 0.00018 + 0.0129 + 0.01395;
  /** Root duration. */
  public static final long SUPPORT_DURATION_MICROS = 6_900_000;

  private TestTraces() {}

  /** Span ids are {@code <n>} as 16 hex digits, 1 = root, in workflow order. */
  public static List<LlmSpan> supportTicket(String traceId, Instant start) {
    List<LlmSpan> spans = new ArrayList<>();
    spans.add(span(traceId, 1, 0, SpanKind.WORKFLOW, "support_ticket", start, 0, 6_900).build());
    spans.add(span(traceId, 2, 1, SpanKind.LLM, "classify_ticket", start, 10, 630)
        .setPrompt(prompt("classify_ticket", "v12"))
        .setModel(model("openai", "gpt-4.1-mini"))
        .setUsage(usage(420, 12))
        .setCost(cost(0.00018))
        .build());
    spans.add(span(traceId, 3, 1, SpanKind.RETRIEVAL, "retrieve_policy_docs", start, 640, 820).build());
    spans.add(span(traceId, 4, 1, SpanKind.LLM, "draft_response", start, 830, 2_970)
        .setPrompt(prompt("support_answer", "v34"))
        .setModel(model("anthropic", "claude-3-5-sonnet-20241022"))
        .setUsage(usage(2_400, 380))
        .setCost(cost(0.0129))
        .build());
    spans.add(span(traceId, 5, 1, SpanKind.POLICY_CHECK, "policy_check", start, 2_980, 3_720)
        .setStatus(SpanStatus.ERROR)
        .setErrorType("policy_violation")
        .setErrorMessage("promised refund outside policy")
        .setEvaluations(new ArrayList<>(List.of(eval("refund_policy", false, 0.2))))
        .build());
    spans.add(span(traceId, 6, 1, SpanKind.LLM, "retry_draft_response", start, 3_730, 6_010)
        .setAttempt(2)
        .setRetryOfSpanId(spanId(4))
        .setPrompt(prompt("support_answer", "v35"))
        .setModel(model("anthropic", "claude-3-5-sonnet-20241022"))
        .setUsage(usage(2_600, 410))
        .setCost(cost(0.01395))
        .build());
    spans.add(span(traceId, 7, 1, SpanKind.POLICY_CHECK, "policy_check", start, 6_020, 6_800)
        .setEvaluations(new ArrayList<>(List.of(eval("refund_policy", true, 0.95))))
        .build());
    return spans;
  }

  /**
   * A random trace of {@code 3..8} spans: a WORKFLOW root and children of mixed kinds, each parented to an
   * earlier span (so nesting varies), inside the root's interval; LLM spans carry prompt, model, usage and a
   * reported cost (sometimes unknown); some spans fail, retry, time out or carry evaluations and feedback.
   * Span ids are unique across traces ({@code <trace id prefix><n>}).
   */
  public static List<LlmSpan> random(java.util.Random random, String traceId, Instant start) {
    int count = 3 + random.nextInt(6);
    long rootMillis = 2_000 + random.nextInt(8_000);
    List<LlmSpan> spans = new ArrayList<>();
    spans.add(span(traceId, 1, 0, SpanKind.WORKFLOW, "workflow_" + random.nextInt(3), start, 0, rootMillis)
        .setSpanId(traceId.substring(0, 14) + "01")
        .setStatus(random.nextInt(10) == 0 ? SpanStatus.ERROR : SpanStatus.OK)
        .build());
    SpanKind[] kinds = {SpanKind.LLM, SpanKind.LLM, SpanKind.TOOL, SpanKind.RETRIEVAL, SpanKind.POLICY_CHECK};
    for (int i = 2; i <= count; i++) {
      LlmSpan parent = spans.get(random.nextInt(spans.size()));
      long parentFrom = parent.getStartTime().toEpochMilli() - start.toEpochMilli();
      long parentTo = parent.getEndTime().toEpochMilli() - start.toEpochMilli();
      long from = parentFrom + random.nextInt((int) Math.max(1, (parentTo - parentFrom) / 2));
      long to = from + 1 + random.nextInt((int) Math.max(1, parentTo - from));
      SpanKind kind = kinds[random.nextInt(kinds.length)];
      LlmSpan.Builder b = span(traceId, i, 0, kind, kind.name().toLowerCase(java.util.Locale.ROOT) + "_" + random.nextInt(4), start, from,
          Math.min(to, parentTo))
          .setSpanId(String.format("%s%02x", traceId.substring(0, 14), i))
          .setParentSpanId(parent.getSpanId());
      if (kind == SpanKind.LLM) {
        b.setPrompt(prompt("prompt_" + random.nextInt(3), "v" + (30 + random.nextInt(6))))
            .setModel(model("openai", random.nextBoolean() ? "gpt-4.1-mini" : "gpt-4o"))
            .setUsage(usage(100 + random.nextInt(3_000), 10 + random.nextInt(500)));
        if (random.nextInt(5) > 0) {
          b.setCost(cost(Math.round(random.nextDouble() * 1e6) / 1e8));
        }
        if (random.nextInt(4) == 0) {
          b.setAttempt(2).setRetryOfSpanId(parent.getSpanId());
        }
      }
      if (random.nextInt(8) == 0) {
        b.setStatus(SpanStatus.ERROR).setErrorType("provider_error").setTimedOut(random.nextBoolean());
      }
      if (random.nextInt(4) == 0) {
        b.setEvaluations(new ArrayList<>(List.of(eval("judge_" + random.nextInt(2), random.nextBoolean(), random.nextInt(100) / 100.0))));
      }
      if (random.nextInt(6) == 0) {
        b.setFeedback(new ArrayList<>(List.of(io.llmtrace.schemas.avro.Feedback.newBuilder().setKind("thumbs")
            .setValue(random.nextBoolean() ? "up" : "down").build())));
      }
      spans.add(b.build());
    }
    return spans;
  }

  public static String spanId(int n) {
    return String.format("%016x", n);
  }

  private static LlmSpan.Builder span(String traceId, int id, int parent, SpanKind kind, String name, Instant start, long fromMillis,
      long toMillis) {
    return LlmSpan.newBuilder()
        .setTraceId(traceId)
        .setSpanId(spanId(id))
        .setParentSpanId(parent == 0 ? null : spanId(parent))
        .setRequestId("ticket-" + traceId.substring(0, 6))
        .setSessionId("sess-" + traceId.substring(0, 4))
        .setTenantId(TENANT)
        .setEnvironment("production")
        .setServiceName("support-api")
        .setFeatureName("support_chatbot")
        .setAppVersion("2026.11.30")
        .setUserId("user-5e1f")
        .setKind(kind)
        .setName(name)
        .setStartTime(start.plusMillis(fromMillis))
        .setEndTime(start.plusMillis(toMillis))
        .setStatus(SpanStatus.OK);
  }

  private static PromptInfo prompt(String name, String version) {
    return PromptInfo.newBuilder().setName(name).setVersion(version).build();
  }

  private static ModelInfo model(String provider, String name) {
    return ModelInfo.newBuilder().setProvider(provider).setName(name).build();
  }

  private static TokenUsage usage(long input, long output) {
    return TokenUsage.newBuilder().setInputTokens(input).setOutputTokens(output).build();
  }

  private static Cost cost(double amount) {
    return Cost.newBuilder().setAmount(amount).setCurrency("USD").setSource(CostSource.REPORTED).build();
  }

  private static Evaluation eval(String name, boolean passed, double score) {
    return Evaluation.newBuilder().setEvaluatorName(name).setPassed(passed).setScore(score).build();
  }
}
