package io.llmtrace.sink.mapping;

import io.llmtrace.schemas.avro.Cost;
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
import io.llmtrace.schemas.avro.TokenUsage;
import io.llmtrace.schemas.avro.ToolCall;
import io.llmtrace.schemas.avro.ToolDefinition;
import io.llmtrace.schemas.avro.ToolExecution;
import io.llmtrace.sink.encoding.RowBinaryBuffer;
import java.util.List;
import java.util.Map;

/**
 * One {@link LlmSpan} as one row of the {@code spans} table (migrations {@code V001__spans.sql},
 * {@code V006__span_quality.sql}). Nested
 * records become column groups with a prefix ({@code prompt_*}, {@code model_*}, ...), repeated records
 * become {@code Array(Tuple(...))}. An absent section and a present one whose fields are all null or
 * empty are stored alike (all columns null/empty): the table keeps every value, not the envelope.
 *
 * <p>{@link #COLUMNS} is the insert column list, in the order {@link #encode} writes them; columns
 * the table computes itself ({@code duration_ms}, {@code inserted_at}) are not in it.
 */
public final class SpanRows {

  public static final List<String> COLUMNS = List.of(
      "trace_id", "span_id", "parent_span_id", "request_id", "session_id",
      "tenant_id", "project_id", "environment", "service_name", "feature_name", "app_version", "user_id",
      "kind", "name", "start_time", "end_time", "status", "error_type", "error_message",
      "attempt", "retry_of_span_id", "fallback", "rate_limited", "timed_out",
      "prompt_name", "prompt_version", "prompt_template_id", "prompt_template", "prompt_variables", "prompt_messages",
      "model_provider", "model_name", "model_version", "model_region",
      "gen_temperature", "gen_max_tokens", "gen_top_p", "gen_seed", "gen_response_format", "gen_tool_choice", "gen_tools",
      "output_text", "output_structured_json", "output_finish_reason", "output_tool_calls",
      "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens", "total_tokens",
      "cost_amount", "cost_currency", "cost_source", "cost_price_table_version",
      "retrieval_query", "retrieval_index_name", "retrieval_index_version", "retrieval_embedding_model", "retrieval_documents",
      "tool_name", "tool_call_id", "tool_arguments_json", "tool_result_content", "tool_status",
      "evaluations", "feedback", "attributes", "events",
      "redaction_applied", "redaction_counts", "redaction_policy_version",
      "policy_severity", "citation_coverage",
      "validation_json_requested", "validation_json_parse_failed", "validation_schema_failed",
      "validation_tool_argument_failures", "validation_checks_not_run", "validation_errors",
      "kafka_partition", "kafka_offset");

  private SpanRows() {}

  /** Appends the span as one RowBinary row; {@code partition}/{@code offset} record where it was read. */
  public static void encode(LlmSpan span, int partition, long offset, RowBinaryBuffer out) {
    out.string(span.getTraceId()).string(span.getSpanId()).nullableString(span.getParentSpanId())
        .nullableString(span.getRequestId()).nullableString(span.getSessionId());
    out.string(span.getTenantId()).nullableString(span.getProjectId()).nullableString(span.getEnvironment())
        .nullableString(span.getServiceName()).nullableString(span.getFeatureName())
        .nullableString(span.getAppVersion()).nullableString(span.getUserId());
    out.string(span.getKind().name()).string(span.getName())
        .dateTime64Micros(span.getStartTime()).dateTime64Micros(span.getEndTime())
        .string(span.getStatus().name()).nullableString(span.getErrorType()).nullableString(span.getErrorMessage());
    out.nullableInt32(span.getAttempt()).nullableString(span.getRetryOfSpanId())
        .bool(span.getFallback()).bool(span.getRateLimited()).bool(span.getTimedOut());
    prompt(span.getPrompt(), out);
    model(span.getModel(), out);
    generation(span.getGenerationSettings(), out);
    output(span.getOutput(), out);
    usage(span.getUsage(), out);
    cost(span.getCost(), out);
    retrieval(span.getRetrieval(), out);
    tool(span.getToolExecution(), out);
    evaluations(span.getEvaluations(), out);
    feedback(span.getFeedback(), out);
    out.stringMap(span.getAttributes());
    events(span.getEvents(), out);
    redaction(span.getRedaction(), out);
    out.nullableString(span.getPolicySeverity()).nullableFloat64(span.getCitationCoverage());
    validation(span.getOutputValidation(), out);
    out.int32(partition).int64(offset);
  }

  private static void prompt(PromptInfo prompt, RowBinaryBuffer out) {
    if (prompt == null) {
      nulls(out, 4);
      out.varUInt(0).varUInt(0);
      return;
    }
    out.nullableString(prompt.getName()).nullableString(prompt.getVersion()).nullableString(prompt.getTemplateId())
        .nullableString(prompt.getTemplate()).stringMap(prompt.getVariables());
    List<Message> messages = prompt.getMessages();
    out.varUInt(messages.size());
    for (Message message : messages) {
      out.string(message.getRole()).nullableString(message.getContent()).nullableString(message.getName())
          .nullableString(message.getToolCallId());
    }
  }

  private static void model(ModelInfo model, RowBinaryBuffer out) {
    if (model == null) {
      nulls(out, 4);
      return;
    }
    out.nullableString(model.getProvider()).nullableString(model.getName()).nullableString(model.getVersion())
        .nullableString(model.getRegion());
  }

  private static void generation(GenerationSettings settings, RowBinaryBuffer out) {
    if (settings == null) {
      nulls(out, 6);
      out.varUInt(0);
      return;
    }
    out.nullableFloat64(settings.getTemperature()).nullableInt32(settings.getMaxTokens())
        .nullableFloat64(settings.getTopP()).nullableInt64(settings.getSeed())
        .nullableString(settings.getResponseFormat()).nullableString(settings.getToolChoice());
    List<ToolDefinition> tools = settings.getTools();
    out.varUInt(tools.size());
    for (ToolDefinition tool : tools) {
      out.string(tool.getName()).nullableString(tool.getDescription()).nullableString(tool.getParametersJson());
    }
  }

  private static void output(LlmOutput output, RowBinaryBuffer out) {
    if (output == null) {
      nulls(out, 3);
      out.varUInt(0);
      return;
    }
    out.nullableString(output.getText()).nullableString(output.getStructuredOutputJson())
        .nullableString(output.getFinishReason());
    List<ToolCall> calls = output.getToolCalls();
    out.varUInt(calls.size());
    for (ToolCall call : calls) {
      out.nullableString(call.getId()).string(call.getName()).nullableString(call.getArgumentsJson());
    }
  }

  private static void usage(TokenUsage usage, RowBinaryBuffer out) {
    if (usage == null) {
      nulls(out, 6);
      return;
    }
    out.nullableInt64(usage.getInputTokens()).nullableInt64(usage.getOutputTokens())
        .nullableInt64(usage.getCacheReadTokens()).nullableInt64(usage.getCacheWriteTokens())
        .nullableInt64(usage.getReasoningTokens()).nullableInt64(usage.getTotalTokens());
  }

  private static void cost(Cost cost, RowBinaryBuffer out) {
    if (cost == null) {
      nulls(out, 4);
      return;
    }
    out.nullableFloat64(cost.getAmount()).nullableString(cost.getCurrency()).nullableString(cost.getSource().name())
        .nullableString(cost.getPriceTableVersion());
  }

  private static void retrieval(Retrieval retrieval, RowBinaryBuffer out) {
    if (retrieval == null) {
      nulls(out, 4);
      out.varUInt(0);
      return;
    }
    out.nullableString(retrieval.getQuery()).nullableString(retrieval.getIndexName())
        .nullableString(retrieval.getIndexVersion()).nullableString(retrieval.getEmbeddingModel());
    List<RetrievedDocument> documents = retrieval.getDocuments();
    out.varUInt(documents.size());
    for (RetrievedDocument document : documents) {
      out.string(document.getDocId()).nullableString(document.getChunkId()).nullableFloat64(document.getScore())
          .nullableFloat64(document.getRerankScore()).nullableBool(document.getIncludedInPrompt())
          .nullableString(document.getContent());
    }
  }

  private static void tool(ToolExecution tool, RowBinaryBuffer out) {
    if (tool == null) {
      nulls(out, 5);
      return;
    }
    out.nullableString(tool.getName()).nullableString(tool.getCallId()).nullableString(tool.getArgumentsJson()).nullableString(tool.getResultContent())
        .nullableString(tool.getStatus().name());
  }

  private static void evaluations(List<Evaluation> evaluations, RowBinaryBuffer out) {
    out.varUInt(evaluations.size());
    for (Evaluation evaluation : evaluations) {
      out.string(evaluation.getEvaluatorName()).nullableString(evaluation.getEvaluatorVersion())
          .nullableFloat64(evaluation.getScore()).nullableBool(evaluation.getPassed())
          .nullableString(evaluation.getLabel()).nullableString(evaluation.getExplanation());
    }
  }

  private static void feedback(List<Feedback> feedback, RowBinaryBuffer out) {
    out.varUInt(feedback.size());
    for (Feedback item : feedback) {
      out.string(item.getKind()).nullableString(item.getValue()).nullableString(item.getComment());
    }
  }

  private static void events(List<SpanEvent> events, RowBinaryBuffer out) {
    out.varUInt(events.size());
    for (SpanEvent event : events) {
      out.string(event.getName()).dateTime64Micros(event.getTime()).stringMap(event.getAttributes());
    }
  }

  private static void redaction(RedactionSummary redaction, RowBinaryBuffer out) {
    if (redaction == null) {
      out.present(null);
      out.varUInt(0);
      out.present(null);
      return;
    }
    out.nullableBool(redaction.getApplied());
    Map<String, Integer> counts = redaction.getCountsByDetector();
    out.stringToInt32Map(counts).nullableString(redaction.getPolicyVersion());
  }

  /** Nullable columns, null together when the span carries no validation; the errors array is then empty. */
  private static void validation(OutputValidation validation, RowBinaryBuffer out) {
    if (validation == null) {
      nulls(out, 5);
      out.varUInt(0);
      return;
    }
    out.nullableBool(validation.getJsonRequested()).nullableBool(validation.getJsonParseFailed())
        .nullableBool(validation.getSchemaValidationFailed()).nullableInt32(validation.getToolArgumentFailures())
        .nullableInt32(validation.getChecksNotRun());
    List<String> errors = validation.getErrors();
    out.varUInt(errors.size());
    for (String error : errors) {
      out.string(error);
    }
  }

  private static void nulls(RowBinaryBuffer out, int count) {
    for (int i = 0; i < count; i++) {
      out.present(null);
    }
  }
}
