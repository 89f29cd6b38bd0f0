package io.llmtrace.sink;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.function.Function;

/**
 * A {@code spans} row, as ClickHouse itself prints it in JSONEachRow, turned back into an LlmSpan: an
 * independent path from the sink's RowBinary encoder, so a column written wrongly shows up as a field
 * that differs. A section whose columns are all null or empty reads back as absent.
 */
final class SpanRowReader {

  private SpanRowReader() {}

  static LlmSpan read(JsonNode row) {
    LlmSpan.Builder span = LlmSpan.newBuilder()
        .setTraceId(text(row, "trace_id")).setSpanId(text(row, "span_id")).setParentSpanId(text(row, "parent_span_id"))
        .setRequestId(text(row, "request_id")).setSessionId(text(row, "session_id"))
        .setTenantId(text(row, "tenant_id")).setProjectId(text(row, "project_id")).setEnvironment(text(row, "environment"))
        .setServiceName(text(row, "service_name")).setFeatureName(text(row, "feature_name"))
        .setAppVersion(text(row, "app_version")).setUserId(text(row, "user_id"))
        .setKind(SpanKind.valueOf(text(row, "kind"))).setName(text(row, "name"))
        .setStartTime(time(row.get("start_time"))).setEndTime(time(row.get("end_time")))
        .setStatus(SpanStatus.valueOf(text(row, "status"))).setErrorType(text(row, "error_type"))
        .setErrorMessage(text(row, "error_message")).setAttempt(integer(row, "attempt"))
        .setRetryOfSpanId(text(row, "retry_of_span_id")).setFallback(row.get("fallback").asBoolean())
        .setRateLimited(row.get("rate_limited").asBoolean()).setTimedOut(row.get("timed_out").asBoolean())
        .setAttributes(stringMap(row.get("attributes")));
    if (any(row, "prompt_name", "prompt_version", "prompt_template_id", "prompt_template", "prompt_variables", "prompt_messages")) {
      span.setPrompt(PromptInfo.newBuilder().setName(text(row, "prompt_name")).setVersion(text(row, "prompt_version"))
          .setTemplateId(text(row, "prompt_template_id")).setTemplate(text(row, "prompt_template"))
          .setVariables(stringMap(row.get("prompt_variables")))
          .setMessages(list(row.get("prompt_messages"), m -> Message.newBuilder().setRole(text(m, "role"))
              .setContent(text(m, "content")).setName(text(m, "name")).setToolCallId(text(m, "tool_call_id")).build()))
          .build());
    }
    if (any(row, "model_name")) {
      span.setModel(ModelInfo.newBuilder().setProvider(text(row, "model_provider")).setName(text(row, "model_name"))
          .setVersion(text(row, "model_version")).setRegion(text(row, "model_region")).build());
    }
    if (any(row, "gen_temperature", "gen_max_tokens", "gen_top_p", "gen_seed", "gen_response_format", "gen_tool_choice", "gen_tools")) {
      span.setGenerationSettings(GenerationSettings.newBuilder().setTemperature(decimal(row, "gen_temperature"))
          .setMaxTokens(integer(row, "gen_max_tokens")).setTopP(decimal(row, "gen_top_p")).setSeed(longValue(row, "gen_seed"))
          .setResponseFormat(text(row, "gen_response_format")).setToolChoice(text(row, "gen_tool_choice"))
          .setTools(list(row.get("gen_tools"), t -> ToolDefinition.newBuilder().setName(text(t, "name"))
              .setDescription(text(t, "description")).setParametersJson(text(t, "parameters_json")).build()))
          .build());
    }
    if (any(row, "output_text", "output_structured_json", "output_finish_reason", "output_tool_calls")) {
      span.setOutput(LlmOutput.newBuilder().setText(text(row, "output_text"))
          .setStructuredOutputJson(text(row, "output_structured_json")).setFinishReason(text(row, "output_finish_reason"))
          .setToolCalls(list(row.get("output_tool_calls"), c -> ToolCall.newBuilder().setId(text(c, "id"))
              .setName(text(c, "name")).setArgumentsJson(text(c, "arguments_json")).build()))
          .build());
    }
    if (any(row, "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens", "total_tokens")) {
      span.setUsage(TokenUsage.newBuilder().setInputTokens(longValue(row, "input_tokens"))
          .setOutputTokens(longValue(row, "output_tokens")).setCacheReadTokens(longValue(row, "cache_read_tokens"))
          .setCacheWriteTokens(longValue(row, "cache_write_tokens")).setReasoningTokens(longValue(row, "reasoning_tokens"))
          .setTotalTokens(longValue(row, "total_tokens")).build());
    }
    if (any(row, "cost_amount", "cost_source")) { // a priced span has an amount; an unknown cost only its source
      span.setCost(Cost.newBuilder().setAmount(decimal(row, "cost_amount")).setCurrency(text(row, "cost_currency"))
          .setSource(CostSource.valueOf(text(row, "cost_source"))).setPriceTableVersion(text(row, "cost_price_table_version"))
          .build());
    }
    if (any(row, "retrieval_query", "retrieval_index_name", "retrieval_index_version", "retrieval_embedding_model", "retrieval_documents")) {
      span.setRetrieval(Retrieval.newBuilder().setQuery(text(row, "retrieval_query")).setIndexName(text(row, "retrieval_index_name"))
          .setIndexVersion(text(row, "retrieval_index_version")).setEmbeddingModel(text(row, "retrieval_embedding_model"))
          .setDocuments(list(row.get("retrieval_documents"), d -> RetrievedDocument.newBuilder().setDocId(text(d, "doc_id"))
              .setChunkId(text(d, "chunk_id")).setScore(decimal(d, "score")).setRerankScore(decimal(d, "rerank_score"))
              .setIncludedInPrompt(bool(d, "included_in_prompt")).setContent(text(d, "content")).build()))
          .build());
    }
    if (any(row, "tool_name")) {
      span.setToolExecution(ToolExecution.newBuilder().setName(text(row, "tool_name")).setCallId(text(row, "tool_call_id"))
          .setArgumentsJson(text(row, "tool_arguments_json")).setResultContent(text(row, "tool_result_content"))
          .setStatus(ToolExecutionStatus.valueOf(text(row, "tool_status"))).build());
    }
    span.setEvaluations(list(row.get("evaluations"), e -> Evaluation.newBuilder().setEvaluatorName(text(e, "evaluator_name"))
        .setEvaluatorVersion(text(e, "evaluator_version")).setScore(decimal(e, "score")).setPassed(bool(e, "passed"))
        .setLabel(text(e, "label")).setExplanation(text(e, "explanation")).build()));
    span.setFeedback(list(row.get("feedback"), f -> Feedback.newBuilder().setKind(text(f, "kind"))
        .setValue(text(f, "value")).setComment(text(f, "comment")).build()));
    span.setEvents(list(row.get("events"), e -> SpanEvent.newBuilder().setName(text(e, "name"))
        .setTime(time(e.get("time"))).setAttributes(stringMap(e.get("attributes"))).build()));
    if (any(row, "redaction_applied")) {
      Map<String, Integer> counts = new LinkedHashMap<>();
      row.get("redaction_counts").fields().forEachRemaining(entry -> counts.put(entry.getKey(), entry.getValue().asInt()));
      span.setRedaction(RedactionSummary.newBuilder().setApplied(row.get("redaction_applied").asBoolean())
          .setCountsByDetector(counts).setPolicyVersion(text(row, "redaction_policy_version")).build());
    }
    span.setPolicySeverity(text(row, "policy_severity")).setCitationCoverage(decimal(row, "citation_coverage"));
    if (any(row, "validation_json_requested")) {
      List<String> errors = list(row.get("validation_errors"), JsonNode::asText);
      span.setOutputValidation(OutputValidation.newBuilder().setJsonRequested(row.get("validation_json_requested").asBoolean())
          .setJsonParseFailed(row.get("validation_json_parse_failed").asBoolean())
          .setSchemaValidationFailed(row.get("validation_schema_failed").asBoolean())
          .setToolArgumentFailures(integer(row, "validation_tool_argument_failures"))
          .setChecksNotRun(integer(row, "validation_checks_not_run")).setErrors(errors).build());
    }
    return span.build();
  }

  private static boolean any(JsonNode row, String... columns) {
    for (String column : columns) {
      JsonNode value = row.get(column);
      if (value == null) {
        throw new AssertionError("row has no column " + column + ": " + row.fieldNames());
      }
      if (!value.isNull() && !(value.isContainerNode() && value.isEmpty())) {
        return true;
      }
    }
    return false;
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null) {
      throw new AssertionError("no field " + field + " in " + node);
    }
    return value.isNull() ? null : value.asText();
  }

  private static Integer integer(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value.isNull() ? null : value.asInt();
  }

  private static Long longValue(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value.isNull() ? null : value.asLong();
  }

  private static Double decimal(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value.isNull() ? null : value.asDouble();
  }

  private static Boolean bool(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value.isNull() ? null : value.asBoolean();
  }

  /** DateTime64(6, 'UTC') prints as {@code 2026-11-22 10:00:00.123456}. */
  private static Instant time(JsonNode value) {
    return Instant.parse(value.asText().replace(' ', 'T') + "Z");
  }

  private static Map<String, String> stringMap(JsonNode object) {
    Map<String, String> map = new LinkedHashMap<>();
    object.fields().forEachRemaining(entry -> map.put(entry.getKey(), entry.getValue().asText()));
    return map;
  }

  private static <T> List<T> list(JsonNode array, Function<JsonNode, T> element) {
    List<T> list = new ArrayList<>();
    array.forEach(item -> list.add(element.apply(item)));
    return list;
  }
}
