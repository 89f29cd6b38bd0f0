package io.llmtrace.schemas.testing;

import io.llmtrace.schemas.avro.Cost;
import io.llmtrace.schemas.avro.CostSource;
import io.llmtrace.schemas.avro.Evaluation;
import io.llmtrace.schemas.avro.Feedback;
import io.llmtrace.schemas.avro.GenerationSettings;
import io.llmtrace.schemas.avro.LlmOutput;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.Message;
import io.llmtrace.schemas.avro.ModelInfo;
import io.llmtrace.schemas.avro.OutputValidation;
import io.llmtrace.schemas.avro.PromptInfo;
import io.llmtrace.schemas.avro.RedactionSummary;
import io.llmtrace.schemas.avro.RetrievedDocument;
import io.llmtrace.schemas.avro.Retrieval;
import io.llmtrace.schemas.avro.SpanEvent;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.SpanStatus;
import io.llmtrace.schemas.avro.TokenUsage;
import io.llmtrace.schemas.avro.ToolCall;
import io.llmtrace.schemas.avro.ToolDefinition;
import io.llmtrace.schemas.avro.ToolExecution;
import io.llmtrace.schemas.avro.ToolExecutionStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Canonical sample spans every module's tests share (Zipkin's TestObjects idea): one span with every
 * field set, one with only the required fields, and a small RAG trace. Each call returns fresh
 * instances, because generated Avro records are mutable. Timestamps have microsecond precision so
 * they survive an Avro round trip unchanged.
 */
public final class TestSpans {

  /** Tenant of every sample span. */
  public static final String TENANT_ID = "tenant-acme";
  /** Trace id of {@link #fullyPopulated()}, {@link #minimal()} and {@link #ragTrace()}. */
  public static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  /** Start of {@link #ragTrace()} and of the sample spans. */
  public static final Instant START = Instant.parse("2026-06-04T14:12:00.123456Z");

  /** Number of spans in a RAG trace. */
  public static final int RAG_SPAN_COUNT = 4;
  /** Sum of total_tokens over a RAG trace (only its LLM span uses tokens). */
  public static final long RAG_TOTAL_TOKENS = 1870;
  /** Sum of cost amounts over a RAG trace, in USD. */
  public static final double RAG_TOTAL_COST = 0.0042;
  /** Duration of a RAG trace's root span, in microseconds (4,820 ms). */
  public static final long RAG_DURATION_MICROS = 4_820_000;

  private TestSpans() {}

  /** A 32-hex-char trace id derived from {@code n}, for tests that need many distinct traces. */
  public static String traceId(long n) {
    return String.format("%016x%016x", 0x4bf92f3577b34da6L, n);
  }

  /** A span with only the required fields set; everything else is its schema default. */
  public static LlmSpan minimal() {
    return LlmSpan.newBuilder()
        .setTraceId(TRACE_ID)
        .setSpanId("00f067aa0ba902b7")
        .setTenantId(TENANT_ID)
        .setKind(SpanKind.LLM)
        .setName("chat.completions")
        .setStartTime(START)
        .setEndTime(START.plusMillis(812))
        .build();
  }

  /**
   * An LLM span with every field, nested ones included, set to a non-default value: a retried,
   * rate-limited fallback call that errored. FieldCoverage checks it stays complete as fields are added.
   */
  public static LlmSpan fullyPopulated() {
    return LlmSpan.newBuilder()
        .setTraceId(TRACE_ID)
        .setSpanId("b7ad6b7169203331")
        .setParentSpanId("00f067aa0ba902b7")
        .setRequestId("req-7f3c2a")
        .setSessionId("sess-19d2")
        .setTenantId(TENANT_ID)
        .setProjectId("support")
        .setEnvironment("production")
        .setServiceName("support-api")
        .setFeatureName("support_chatbot")
        .setAppVersion("2026.06.04-a1b2c3d")
        .setUserId("u_5f4dcc3b")
        .setKind(SpanKind.LLM)
        .setName("support_answer")
        .setStartTime(START.plusMillis(400))
        .setEndTime(START.plusMillis(2_500))
        .setStatus(SpanStatus.ERROR)
        .setErrorType("RateLimitError")
        .setErrorMessage("429 Too Many Requests: retry after 2s")
        .setAttempt(2)
        .setRetryOfSpanId("a1ad6b7169203330")
        .setFallback(true)
        .setRateLimited(true)
        .setTimedOut(true)
        .setPrompt(prompt())
        .setModel(
            ModelInfo.newBuilder()
                .setProvider("openai")
                .setName("gpt-4.1-mini")
                .setVersion("gpt-4.1-mini-2025-04-14")
                .setRegion("eu-west-1")
                .build())
        .setGenerationSettings(
            GenerationSettings.newBuilder()
                .setTemperature(0.2)
                .setMaxTokens(512)
                .setTopP(0.9)
                .setSeed(42L)
                .setResponseFormat("json_object")
                .setToolChoice("auto")
                .setTools(list(crmTool()))
                .build())
        .setOutput(
            LlmOutput.newBuilder()
                .setText("Your annual plan can be refunded within 30 days.")
                .setStructuredOutputJson("{\"refund_eligible\":true,\"days_left\":12}")
                .setFinishReason("tool_calls")
                .setToolCalls(list(crmToolCall()))
                .build())
        .setUsage(usage())
        .setCost(
            Cost.newBuilder()
                .setAmount(RAG_TOTAL_COST)
                .setCurrency("USD")
                .setSource(CostSource.COMPUTED)
                .setPriceTableVersion("prices-2026-06-01")
                .build())
        .setRetrieval(retrieval())
        .setToolExecution(
            ToolExecution.newBuilder()
                .setName("crm_account_lookup")
                .setCallId("call_8e1")
                .setArgumentsJson("{\"account_id\":\"acc_[REDACTED]\"}")
                .setResultContent("{\"plan\":\"annual\",\"status\":\"active\"}")
                .setStatus(ToolExecutionStatus.TIMEOUT)
                .build())
        .setEvaluations(
            list(
                Evaluation.newBuilder()
                    .setEvaluatorName("answer_cites_source")
                    .setEvaluatorVersion("v3")
                    .setScore(0.25)
                    .setPassed(false)
                    .setLabel("missing_citation")
                    .setExplanation("The answer states a policy without citing a document.")
                    .build()))
        .setFeedback(
            list(
                Feedback.newBuilder()
                    .setKind("thumbs")
                    .setValue("down")
                    .setComment("Did not mention the enterprise exception.")
                    .build()))
        .setAttributes(map("http.route", "/v1/chat", "queue_ms", "35"))
        .setEvents(
            list(
                SpanEvent.newBuilder()
                    .setName("first_token")
                    .setTime(START.plusMillis(910))
                    .setAttributes(map("stream", "true"))
                    .build()))
        .setRedaction(
            RedactionSummary.newBuilder()
                .setApplied(true)
                .setCountsByDetector(map("email", 2, "account_id", 1))
                .setPolicyVersion("redaction-policy-v5")
                .build())
        .setPolicySeverity("high")
        .setCitationCoverage(0.5)
        .setOutputValidation(
            OutputValidation.newBuilder()
                .setJsonRequested(true)
                .setJsonParseFailed(true)
                .setSchemaValidationFailed(true)
                .setToolArgumentFailures(1)
                .setChecksNotRun(1)
                .setErrors(list("output.text: not JSON (line 1, column 5)",
                    "output.tool_calls[0].arguments_json: /account_id type"))
                .build())
        .build();
  }

  /**
   * A model call whose price is unknown: it used tokens, but the model (an Anthropic snapshot sent by
   * an OpenTelemetry SDK) has no price in the table, so its cost amount is null, never 0.
   */
  public static LlmSpan unknownCost() {
    return LlmSpan.newBuilder(minimal())
        .setSpanId("c3ad6b7169203332")
        .setServiceName("support-api")
        .setModel(ModelInfo.newBuilder().setProvider("anthropic").setName("claude-3-5-sonnet-20241022").build())
        .setUsage(usage())
        .setCost(
            Cost.newBuilder()
                .setAmount(null)
                .setCurrency("USD")
                .setSource(CostSource.UNKNOWN)
                .setPriceTableVersion("prices-2026-06-01")
                .build())
        .build();
  }

  /**
   * {@link #fullyPopulated()} with sections and optional values dropped or changed at random: for
   * tests that hold two encoders of the same span byte-identical (non-ASCII text, several attributes,
   * times before the epoch with sub-second parts included).
   */
  public static LlmSpan randomVariant(Random random) {
    LlmSpan span = fullyPopulated();
    if (random.nextBoolean()) span.setPrompt(null);
    if (random.nextBoolean()) span.setModel(null);
    if (random.nextBoolean()) span.setGenerationSettings(null);
    if (random.nextBoolean()) span.setOutput(null);
    if (random.nextBoolean()) span.setUsage(null);
    if (random.nextBoolean()) span.setCost(null);
    if (span.getCost() != null && random.nextBoolean()) {
      span.getCost().setAmount(null);
      span.getCost().setSource(CostSource.UNKNOWN);
    }
    if (random.nextBoolean()) span.setRetrieval(null);
    if (random.nextBoolean()) span.setToolExecution(null);
    if (random.nextBoolean()) span.setRedaction(null);
    if (random.nextBoolean()) span.setOutputValidation(null);
    if (span.getOutputValidation() != null && random.nextBoolean()) {
      span.getOutputValidation().setErrors(List.of());
      span.getOutputValidation().setJsonParseFailed(random.nextBoolean());
      span.getOutputValidation().setToolArgumentFailures(random.nextInt(3));
    }
    if (random.nextBoolean()) span.setPolicySeverity(null);
    if (random.nextBoolean()) span.setCitationCoverage(random.nextBoolean() ? null : random.nextDouble());
    if (span.getPrompt() != null && random.nextBoolean()) span.getPrompt().setTemplate(null);
    if (span.getToolExecution() != null && random.nextBoolean()) span.getToolExecution().setCallId(null);
    if (random.nextBoolean()) span.setEvaluations(List.of());
    if (random.nextBoolean()) span.setEvents(List.of());
    if (random.nextBoolean()) span.setAttempt(null);
    if (random.nextBoolean()) span.setParentSpanId(null);
    if (random.nextBoolean()) span.setErrorMessage("ошибка ✓ 𝄞 " + random.nextInt());
    if (span.getRetrieval() != null && random.nextBoolean()) {
      span.getRetrieval().getDocuments().forEach(d -> d.setIncludedInPrompt(random.nextBoolean() ? null : random.nextBoolean()));
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    for (int a = random.nextInt(4); a > 0; a--) {
      attributes.put("k" + random.nextInt(100), "v" + random.nextInt());
    }
    span.setAttributes(attributes);
    Instant start = Instant.ofEpochSecond(random.nextInt(2_000_000_000) - 1_000_000_000L, random.nextInt(1_000_000) * 1_000L);
    span.setEndTime(start.plus(java.time.Duration.between(span.getStartTime(), span.getEndTime())));
    span.setStartTime(start);
    return span;
  }

  /**
   * The span moved in time so that it starts at {@code start} (end and event times move with it): the
   * fixtures are dated months back, and stores with TTLs want recent data.
   */
  public static LlmSpan startingAt(LlmSpan span, Instant start) {
    java.time.Duration shift = java.time.Duration.between(span.getStartTime(), start);
    span.setStartTime(start);
    span.setEndTime(span.getEndTime().plus(shift));
    span.getEvents().forEach(event -> event.setTime(event.getTime().plus(shift)));
    return span;
  }

  /** {@link #ragTrace(String, Instant)} with {@link #TRACE_ID} and {@link #START}. */
  public static List<LlmSpan> ragTrace() {
    return ragTrace(TRACE_ID, START);
  }

  /**
   * A support-chatbot request as four spans of one trace, in start order: the root WORKFLOW span,
   * a RETRIEVAL child, an LLM child (the only one with tokens and cost) and a TOOL child. All OK.
   */
  public static List<LlmSpan> ragTrace(String traceId, Instant start) {
    LlmSpan root =
        common(traceId, "0000000000000001", null, SpanKind.WORKFLOW, "support_chatbot.request", start, 0, 4_820)
            .build();
    LlmSpan retrieval =
        common(traceId, "0000000000000002", root.getSpanId(), SpanKind.RETRIEVAL, "help_center.search", start, 50, 350)
            .setRetrieval(retrieval())
            .build();
    LlmSpan llm =
        common(traceId, "0000000000000003", root.getSpanId(), SpanKind.LLM, "support_answer", start, 400, 2_500)
            .setAttempt(1)
            .setPrompt(prompt())
            .setModel(ModelInfo.newBuilder().setProvider("openai").setName("gpt-4.1-mini").build())
            .setGenerationSettings(
                GenerationSettings.newBuilder().setTemperature(0.2).setTools(list(crmTool())).build())
            .setOutput(
                LlmOutput.newBuilder()
                    .setFinishReason("tool_calls")
                    .setToolCalls(list(crmToolCall()))
                    .build())
            .setUsage(usage())
            .setCost(
                Cost.newBuilder()
                    .setAmount(RAG_TOTAL_COST)
                    .setCurrency("USD")
                    .setSource(CostSource.REPORTED)
                    .build())
            .build();
    LlmSpan tool =
        common(traceId, "0000000000000004", root.getSpanId(), SpanKind.TOOL, "crm_account_lookup", start, 2_600, 4_700)
            .setToolExecution(
                ToolExecution.newBuilder()
                    .setName("crm_account_lookup")
                    .setCallId("call_8e1")
                    .setArgumentsJson("{\"account_id\":\"acc_[REDACTED]\"}")
                    .setResultContent("{\"plan\":\"annual\",\"status\":\"active\"}")
                    .setStatus(ToolExecutionStatus.SUCCESS)
                    .build())
            .build();
    return list(root, retrieval, llm, tool);
  }

  private static LlmSpan.Builder common(
      String traceId, String spanId, String parentId, SpanKind kind, String name, Instant start,
      long fromMillis, long toMillis) {
    return LlmSpan.newBuilder()
        .setTraceId(traceId)
        .setSpanId(spanId)
        .setParentSpanId(parentId)
        .setRequestId("req-" + traceId.substring(0, 8))
        .setSessionId("sess-19d2")
        .setTenantId(TENANT_ID)
        .setEnvironment("production")
        .setServiceName("support-api")
        .setFeatureName("support_chatbot")
        .setAppVersion("2026.06.04-a1b2c3d")
        .setKind(kind)
        .setName(name)
        .setStartTime(start.plusMillis(fromMillis))
        .setEndTime(start.plusMillis(toMillis))
        .setStatus(SpanStatus.OK);
  }

  /** Fixtures hold mutable collections, like records decoded by Avro, so tests may modify them. */
  @SafeVarargs
  static <E> List<E> list(E... items) {
    List<E> list = new ArrayList<>(items.length);
    for (E item : items) {
      list.add(item);
    }
    return list;
  }

  static <V> Map<String, V> map(String key, V value) {
    Map<String, V> map = new LinkedHashMap<>();
    map.put(key, value);
    return map;
  }

  static <V> Map<String, V> map(String key, V value, String key2, V value2) {
    Map<String, V> map = map(key, value);
    map.put(key2, value2);
    return map;
  }

  private static PromptInfo prompt() {
    return PromptInfo.newBuilder()
        .setName("support_refund_policy")
        .setVersion("v23")
        .setTemplateId("tmpl_9c1e")
        .setTemplate("Answer the refund question of a {customer_tier} customer in {locale}, citing the policy.")
        .setVariables(map("customer_tier", "enterprise", "locale", "en-GB"))
        .setMessages(
            list(
                Message.newBuilder()
                    .setRole("system")
                    .setContent("You answer refund questions using the cited policy only.")
                    .setName("policy_bot")
                    .setToolCallId("none")
                    .build(),
                Message.newBuilder()
                    .setRole("tool")
                    .setContent("{\"plan\":\"annual\"}")
                    .setName("crm_account_lookup")
                    .setToolCallId("call_8e1")
                    .build()))
        .build();
  }

  private static ToolDefinition crmTool() {
    return ToolDefinition.newBuilder()
        .setName("crm_account_lookup")
        .setDescription("Looks up the customer's plan and account status.")
        .setParametersJson(
            "{\"type\":\"object\",\"properties\":{\"account_id\":{\"type\":\"string\"}}}")
        .build();
  }

  private static TokenUsage usage() {
    return TokenUsage.newBuilder()
        .setInputTokens(1_500L)
        .setOutputTokens(370L)
        .setCacheReadTokens(1_024L)
        .setCacheWriteTokens(128L)
        .setReasoningTokens(64L)
        .setTotalTokens(RAG_TOTAL_TOKENS)
        .build();
  }

  private static Retrieval retrieval() {
    return Retrieval.newBuilder()
        .setQuery("refund annual enterprise contract")
        .setIndexName("help_center")
        .setIndexVersion("help_center_index_v12")
        .setEmbeddingModel("text-embedding-3-small")
        .setDocuments(
            list(
                document("kb-refunds", "kb-refunds#3", 0.83, 0.91, true),
                document("kb-enterprise", "kb-enterprise#1", 0.79, 0.42, false)))
        .build();
  }

  private static RetrievedDocument document(
      String docId, String chunkId, double score, double rerankScore, boolean included) {
    return RetrievedDocument.newBuilder()
        .setDocId(docId)
        .setChunkId(chunkId)
        .setScore(score)
        .setRerankScore(rerankScore)
        .setIncludedInPrompt(included)
        .setContent("Annual plans can be refunded within 30 days of renewal (" + docId + ").")
        .build();
  }

  /** The CRM lookup the LLM span requests; shared by the fully populated span and the RAG trace. */
  private static ToolCall crmToolCall() {
    return ToolCall.newBuilder()
        .setId("call_8e1")
        .setName("crm_account_lookup")
        .setArgumentsJson("{\"account_id\":\"acc_[REDACTED]\"}")
        .build();
  }
}
