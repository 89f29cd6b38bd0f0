package io.llmtrace.sink;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmtrace.schemas.avro.CriticalStep;
import io.llmtrace.schemas.avro.EvaluationOutcome;
import io.llmtrace.schemas.avro.SlowestSpan;
import io.llmtrace.schemas.avro.TraceError;
import io.llmtrace.schemas.avro.TraceOutcome;
import io.llmtrace.schemas.avro.TraceStatus;
import io.llmtrace.schemas.avro.TraceSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code traces} row, as ClickHouse prints it in JSONEachRow (named tuples as objects), turned back
 * into a TraceSummary: an independent path from {@code TraceRows}, so a column written wrongly shows up
 * as a field that differs. First error and slowest span whose columns are all null read back as absent.
 */
final class TraceRowReader {

  private TraceRowReader() {}

  static TraceSummary read(JsonNode row) {
    TraceSummary.Builder trace = TraceSummary.newBuilder()
        .setTraceId(text(row, "trace_id")).setTenantId(text(row, "tenant_id")).setEnvironment(text(row, "environment"))
        .setServiceName(text(row, "service_name")).setFeatureName(text(row, "feature_name"))
        .setAppVersion(text(row, "app_version")).setRequestId(text(row, "request_id")).setSessionId(text(row, "session_id"))
        .setUserId(text(row, "user_id")).setRootSpanName(text(row, "root_span_name")).setRootSpanKind(text(row, "root_span_kind"))
        .setStartTime(time(field(row, "start_time"))).setEndTime(time(field(row, "end_time")))
        .setDurationMicros(field(row, "duration_micros").asLong()).setSpanCount(field(row, "span_count").asInt())
        .setSpanCountsByKind(intMap(field(row, "span_counts_by_kind")))
        .setLlmCalls(integer(row, "llm_calls")).setToolCalls(integer(row, "tool_calls"))
        .setRetrievalCalls(integer(row, "retrieval_calls")).setRetries(integer(row, "retries"))
        .setFallbacks(integer(row, "fallbacks")).setTimeouts(integer(row, "timeouts")).setRateLimited(integer(row, "rate_limited"))
        .setErrorCount(integer(row, "error_count")).setPolicyCheckFailures(integer(row, "policy_check_failures"))
        .setFailedEvaluations(integer(row, "failed_evaluations")).setStatus(TraceStatus.valueOf(text(row, "status")))
        .setOutcome(TraceOutcome.valueOf(text(row, "outcome")))
        .setInputTokens(field(row, "input_tokens").asLong()).setOutputTokens(field(row, "output_tokens").asLong())
        .setCacheReadTokens(field(row, "cache_read_tokens").asLong()).setCacheWriteTokens(field(row, "cache_write_tokens").asLong())
        .setReasoningTokens(field(row, "reasoning_tokens").asLong()).setTotalTokens(field(row, "total_tokens").asLong())
        .setTotalCost(field(row, "total_cost").isNull() ? null : field(row, "total_cost").asDouble())
        .setUnknownCostSpans(integer(row, "unknown_cost_spans"))
        .setPromptNames(strings(field(row, "prompt_names"))).setPromptVersionsUsed(strings(field(row, "prompt_versions_used")))
        .setModelsUsed(strings(field(row, "models_used")))
        .setCriticalPathMicros(field(row, "critical_path_micros").isNull() ? null : field(row, "critical_path_micros").asLong())
        .setCriticalPath(steps(field(row, "critical_path"))).setEvaluations(evaluations(field(row, "evaluations")))
        .setPositiveFeedback(integer(row, "positive_feedback")).setNegativeFeedback(integer(row, "negative_feedback"))
        .setFeedbackCount(integer(row, "feedback_count")).setTruncated(field(row, "truncated").asBoolean())
        .setIncomplete(field(row, "incomplete").asBoolean()).setVersion(field(row, "version").asLong())
        .setAssembledAt(field(row, "assembled_at").isNull() ? null : time(field(row, "assembled_at")));
    if (text(row, "first_error_span_id") != null || text(row, "first_error_span_name") != null
        || text(row, "first_error_type") != null || text(row, "first_error_message") != null) {
      trace.setFirstError(TraceError.newBuilder().setSpanId(text(row, "first_error_span_id"))
          .setSpanName(text(row, "first_error_span_name")).setErrorType(text(row, "first_error_type"))
          .setErrorMessage(text(row, "first_error_message")).build());
    }
    if (text(row, "slowest_span_id") != null) {
      trace.setSlowestSpan(SlowestSpan.newBuilder().setSpanId(text(row, "slowest_span_id")).setName(text(row, "slowest_span_name"))
          .setKind(text(row, "slowest_span_kind")).setDurationMicros(field(row, "slowest_span_duration_micros").asLong()).build());
    }
    return trace.build();
  }

  private static JsonNode field(JsonNode node, String name) {
    JsonNode value = node.get(name);
    if (value == null) {
      throw new AssertionError("no column " + name + " in " + node);
    }
    return value;
  }

  private static String text(JsonNode node, String name) {
    JsonNode value = field(node, name);
    return value.isNull() ? null : value.asText();
  }

  private static int integer(JsonNode node, String name) {
    return field(node, name).asInt();
  }

  /** DateTime64(6, 'UTC') prints as {@code 2026-11-22 10:00:00.123456}. */
  private static Instant time(JsonNode value) {
    return Instant.parse(value.asText().replace(' ', 'T') + "Z");
  }

  private static Map<String, Integer> intMap(JsonNode object) {
    Map<String, Integer> map = new HashMap<>();
    object.fields().forEachRemaining(entry -> map.put(entry.getKey(), entry.getValue().asInt()));
    return map;
  }

  private static List<String> strings(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(item -> list.add(item.asText()));
    return list;
  }

  private static List<CriticalStep> steps(JsonNode array) {
    List<CriticalStep> steps = new ArrayList<>();
    array.forEach(step -> steps.add(CriticalStep.newBuilder().setName(text(step, "name"))
        .setMicros(field(step, "micros").asLong()).build()));
    return steps;
  }

  private static Map<String, EvaluationOutcome> evaluations(JsonNode object) {
    Map<String, EvaluationOutcome> map = new HashMap<>();
    object.fields().forEachRemaining(entry -> map.put(entry.getKey(), EvaluationOutcome.newBuilder()
        .setPassed(integer(entry.getValue(), "passed")).setFailed(integer(entry.getValue(), "failed"))
        .setMinScore(field(entry.getValue(), "min_score").isNull() ? null : field(entry.getValue(), "min_score").asDouble()).build()));
    return map;
  }
}
