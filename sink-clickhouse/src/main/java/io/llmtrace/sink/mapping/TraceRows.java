package io.llmtrace.sink.mapping;

import io.llmtrace.schemas.avro.CriticalStep;
import io.llmtrace.schemas.avro.EvaluationOutcome;
import io.llmtrace.schemas.avro.SlowestSpan;
import io.llmtrace.schemas.avro.TraceError;
import io.llmtrace.schemas.avro.TraceSummary;
import io.llmtrace.sink.encoding.RowBinaryBuffer;
import java.util.List;
import java.util.Map;

/**
 * One {@link TraceSummary} version as one row of the {@code traces} table (migration
 * {@code V005__traces.sql}): the nested records flattened with a prefix ({@code first_error_*},
 * {@code slowest_span_*}, all null when the record is absent), the critical path as
 * {@code Array(Tuple)}, the evaluations as a {@code Map} of tuples, enums as their symbol.
 *
 * <p>{@link #COLUMNS} is the insert column list, in the order {@link #encode} writes them; columns the
 * table computes itself ({@code duration_ms}, {@code inserted_at}) are not in it.
 */
public final class TraceRows {

  public static final List<String> COLUMNS = List.of(
      "trace_id", "tenant_id", "environment", "service_name", "feature_name", "app_version",
      "request_id", "session_id", "user_id", "root_span_name", "root_span_kind",
      "start_time", "end_time", "duration_micros", "span_count", "span_counts_by_kind",
      "llm_calls", "tool_calls", "retrieval_calls", "retries", "fallbacks", "timeouts", "rate_limited",
      "error_count", "policy_check_failures", "failed_evaluations", "status",
      "first_error_span_id", "first_error_span_name", "first_error_type", "first_error_message", "outcome",
      "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens", "total_tokens",
      "total_cost", "unknown_cost_spans", "prompt_names", "prompt_versions_used", "models_used",
      "slowest_span_id", "slowest_span_name", "slowest_span_kind", "slowest_span_duration_micros",
      "critical_path_micros", "critical_path", "evaluations",
      "positive_feedback", "negative_feedback", "feedback_count", "truncated", "incomplete",
      "version", "assembled_at", "kafka_partition", "kafka_offset");

  private TraceRows() {}

  /** Appends the summary as one RowBinary row; {@code partition}/{@code offset} record where it was read. */
  public static void encode(TraceSummary trace, int partition, long offset, RowBinaryBuffer out) {
    if (trace.getVersion() < 1) {
      // readers keep the highest version per trace; a version below the first one has no place in that order
      throw new IllegalArgumentException("trace " + trace.getTraceId() + " has version " + trace.getVersion() + ", versions start at 1");
    }
    out.string(trace.getTraceId()).string(trace.getTenantId()).nullableString(trace.getEnvironment())
        .nullableString(trace.getServiceName()).nullableString(trace.getFeatureName()).nullableString(trace.getAppVersion())
        .nullableString(trace.getRequestId()).nullableString(trace.getSessionId()).nullableString(trace.getUserId())
        .nullableString(trace.getRootSpanName()).nullableString(trace.getRootSpanKind());
    out.dateTime64Micros(trace.getStartTime()).dateTime64Micros(trace.getEndTime()).int64(trace.getDurationMicros())
        .int32(trace.getSpanCount()).stringToInt32Map(trace.getSpanCountsByKind());
    out.int32(trace.getLlmCalls()).int32(trace.getToolCalls()).int32(trace.getRetrievalCalls()).int32(trace.getRetries())
        .int32(trace.getFallbacks()).int32(trace.getTimeouts()).int32(trace.getRateLimited())
        .int32(trace.getErrorCount()).int32(trace.getPolicyCheckFailures()).int32(trace.getFailedEvaluations())
        .string(trace.getStatus().name());
    firstError(trace.getFirstError(), out);
    out.string(trace.getOutcome().name());
    out.int64(trace.getInputTokens()).int64(trace.getOutputTokens()).int64(trace.getCacheReadTokens())
        .int64(trace.getCacheWriteTokens()).int64(trace.getReasoningTokens()).int64(trace.getTotalTokens())
        .nullableFloat64(trace.getTotalCost()).int32(trace.getUnknownCostSpans());
    out.stringArray(trace.getPromptNames()).stringArray(trace.getPromptVersionsUsed()).stringArray(trace.getModelsUsed());
    slowestSpan(trace.getSlowestSpan(), out);
    out.nullableInt64(trace.getCriticalPathMicros());
    criticalPath(trace.getCriticalPath(), out);
    evaluations(trace.getEvaluations(), out);
    out.int32(trace.getPositiveFeedback()).int32(trace.getNegativeFeedback()).int32(trace.getFeedbackCount())
        .bool(trace.getTruncated()).bool(trace.getIncomplete());
    out.int64(trace.getVersion()); // UInt64 column: the same 8 little-endian bytes for a positive long
    out.nullableDateTime64Micros(trace.getAssembledAt());
    out.int32(partition).int64(offset);
  }

  private static void firstError(TraceError error, RowBinaryBuffer out) {
    if (error == null) {
      nulls(out, 4);
      return;
    }
    out.nullableString(error.getSpanId()).nullableString(error.getSpanName()).nullableString(error.getErrorType())
        .nullableString(error.getErrorMessage());
  }

  private static void slowestSpan(SlowestSpan span, RowBinaryBuffer out) {
    if (span == null) {
      nulls(out, 4);
      return;
    }
    out.nullableString(span.getSpanId()).nullableString(span.getName()).nullableString(span.getKind())
        .nullableInt64(span.getDurationMicros());
  }

  private static void criticalPath(List<CriticalStep> steps, RowBinaryBuffer out) {
    out.varUInt(steps.size());
    for (CriticalStep step : steps) {
      out.string(step.getName()).int64(step.getMicros());
    }
  }

  private static void evaluations(Map<String, EvaluationOutcome> evaluations, RowBinaryBuffer out) {
    out.varUInt(evaluations.size());
    for (Map.Entry<String, EvaluationOutcome> entry : evaluations.entrySet()) {
      EvaluationOutcome outcome = entry.getValue();
      out.string(entry.getKey()).int32(outcome.getPassed()).int32(outcome.getFailed()).nullableFloat64(outcome.getMinScore());
    }
  }

  private static void nulls(RowBinaryBuffer out, int count) {
    for (int i = 0; i < count; i++) {
      out.present(null);
    }
  }
}
