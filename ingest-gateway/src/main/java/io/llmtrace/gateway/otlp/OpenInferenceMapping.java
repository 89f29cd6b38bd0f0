package io.llmtrace.gateway.otlp;

import static io.llmtrace.gateway.otlp.AttributeValues.asDouble;
import static io.llmtrace.gateway.otlp.AttributeValues.asLong;
import static io.llmtrace.gateway.otlp.AttributeValues.asString;
import static io.llmtrace.gateway.otlp.AttributeValues.asText;
import static io.llmtrace.gateway.otlp.SpanDraft.DEPRECATED;
import static io.llmtrace.gateway.otlp.SpanDraft.FALLBACK;
import static io.llmtrace.gateway.otlp.SpanDraft.OPENINFERENCE;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.ToolDefinition;
import io.opentelemetry.proto.common.v1.AnyValue;
import java.util.Locale;

/**
 * OpenInference keys (Arize Phoenix and its instrumentations): {@code openinference.span.kind},
 * {@code llm.*}, {@code input.value}/{@code output.value}, {@code retrieval.documents.N.document.*},
 * {@code reranker.*}, {@code embedding.model_name}, {@code tool.*} and {@code tool_call.*}. They rank
 * below the current GenAI semconv and above its deprecated aliases. Where {@code input.value} and
 * {@code output.value} go depends on the span kind, so they are only recorded here and placed by
 * {@link SpanAssembler}.
 */
final class OpenInferenceMapping {

  private static final String INPUT_MESSAGES = "llm.input_messages.";
  private static final String OUTPUT_MESSAGES = "llm.output_messages.";
  private static final String TOOLS = "llm.tools.";
  private static final String DOCUMENTS = "retrieval.documents.";
  private static final String RERANKED_DOCUMENTS = "reranker.output_documents.";
  /** Where a response JSON schema is kept; output validation (stream-processors' enrich/) reads it. */
  static final String RESPONSE_SCHEMA = "llmtrace.response_format.schema";

  private OpenInferenceMapping() {}

  /** @return whether the attribute was mapped (otherwise it goes to the attribute map) */
  static boolean apply(String key, AnyValue value, SpanDraft d) {
    switch (key) {
      case "openinference.span.kind":
        return d.offer(d.declaredKind, key, kind(asText(value)), OPENINFERENCE);
      case "llm.model_name":
        return d.offer(d.modelName, key, asText(value), OPENINFERENCE);
      case "llm.provider":
        return d.offer(d.provider, key, asText(value), OPENINFERENCE);
      case "llm.system":
        // the AI product (openai) where llm.provider is the host (azure): a weaker provider
        return d.offer(d.provider, key, asText(value), DEPRECATED + 1);
      case "llm.invocation_parameters":
        return invocationParameters(EmbeddedJson.of(value), d);
      case "llm.token_count.prompt":
        return d.offer(d.inputTokens, key, asLong(value), OPENINFERENCE);
      case "llm.token_count.completion":
        return d.offer(d.outputTokens, key, asLong(value), OPENINFERENCE);
      case "llm.token_count.total", "llm.usage.total_tokens":
        return d.offer(d.totalTokens, key, asLong(value), OPENINFERENCE);
      case "llm.token_count.prompt_details.cache_read":
        return d.offer(d.cacheReadTokens, key, asLong(value), OPENINFERENCE);
      case "llm.token_count.prompt_details.cache_write":
        return d.offer(d.cacheWriteTokens, key, asLong(value), OPENINFERENCE);
      case "llm.token_count.completion_details.reasoning":
        return d.offer(d.reasoningTokens, key, asLong(value), OPENINFERENCE);
      case "llm.cost.total":
        return d.offer(d.costAmount, key, asDouble(value), OPENINFERENCE);
      case "llm.prompt_template.version":
        return d.offer(d.promptVersion, key, asText(value), OPENINFERENCE);
      case "llm.prompt_template.template":
        return d.offer(d.promptTemplate, key, asText(value), OPENINFERENCE);
      case "llm.prompt_template.name":
        // not in the OpenInference spec, but what Phoenix's own prompt examples set next to the version
        return d.offer(d.promptName, key, asText(value), OPENINFERENCE);
      case "llm.prompt_template.variables":
        return templateVariables(EmbeddedJson.of(value), d);
      case "input.value":
        d.inputValue = asString(value);
        return d.inputValue != null;
      case "output.value":
        d.outputValue = asString(value);
        return d.outputValue != null;
      case "input.mime_type":
        d.inputMimeType = asText(value);
        return false; // kept: it describes input.value, which may stay an attribute too
      case "output.mime_type":
        d.outputMimeType = asText(value);
        return false;
      case "reranker.query":
        return d.offer(d.query, key, asText(value), OPENINFERENCE);
      case "reranker.model_name":
        return d.offer(d.modelName, key, asText(value), FALLBACK);
      case "embedding.model_name":
        return d.offer(d.embeddingModel, key, asText(value), OPENINFERENCE);
      case "tool.name":
        return d.offer(d.toolName, key, asText(value), OPENINFERENCE);
      case "tool_call.function.name":
        return d.offer(d.toolName, key, asText(value), DEPRECATED);
      case "tool_call.function.arguments":
        return d.offer(d.toolArguments, key, AttributeValues.render(value), OPENINFERENCE);
      case "tool_call.id":
        return d.offer(d.toolCallId, key, asText(value), OPENINFERENCE);
      default:
        return indexed(key, value, d);
    }
  }

  private static boolean indexed(String key, AnyValue value, SpanDraft d) {
    if (key.startsWith(INPUT_MESSAGES)) {
      return d.openInferenceInput().apply(key, INPUT_MESSAGES.length(), value);
    }
    if (key.startsWith(OUTPUT_MESSAGES)) {
      return d.openInferenceOutput().apply(key, OUTPUT_MESSAGES.length(), value);
    }
    if (key.startsWith(DOCUMENTS)) {
      return d.documents().apply(key, DOCUMENTS.length(), value);
    }
    if (key.startsWith(RERANKED_DOCUMENTS)) {
      return d.rerankedDocuments().apply(key, RERANKED_DOCUMENTS.length(), value);
    }
    if (key.startsWith(TOOLS) && key.endsWith(".tool.json_schema")) {
      int index = IndexedKeys.index(key, TOOLS.length(), key.length() - ".tool.json_schema".length());
      ToolDefinition tool = index < 0 ? null : GenAiMessages.toolDefinition(EmbeddedJson.of(value));
      if (tool == null) {
        return false;
      }
      IndexedKeys.slot(d.indexedTools(), index, () -> tool);
      return true;
    }
    return false;
  }

  static SpanKind kind(String kind) {
    if (kind == null) {
      return null;
    }
    return switch (kind.toUpperCase(Locale.ROOT)) {
      case "LLM" -> SpanKind.LLM;
      case "EMBEDDING" -> SpanKind.EMBEDDING;
      case "RETRIEVER" -> SpanKind.RETRIEVAL;
      case "RERANKER" -> SpanKind.RERANK;
      case "TOOL" -> SpanKind.TOOL;
      case "AGENT" -> SpanKind.AGENT_STEP;
      case "CHAIN" -> SpanKind.CHAIN;
      case "GUARDRAIL" -> SpanKind.GUARDRAIL;
      case "EVALUATOR" -> SpanKind.EVALUATION;
      default -> null; // UNKNOWN, PROMPT and future kinds: the attribute is kept
    };
  }

  /**
   * The request parameters as the SDK saw them. The attribute is consumed only if every parameter in
   * it found a field; otherwise it is kept whole, since stop sequences or penalties have no field.
   */
  private static boolean invocationParameters(JsonNode parameters, SpanDraft d) {
    if (parameters == null || !parameters.isObject()) {
      return false;
    }
    String key = "llm.invocation_parameters";
    int mapped = 0;
    for (var it = parameters.fields(); it.hasNext(); ) {
      var parameter = it.next();
      JsonNode value = parameter.getValue();
      boolean used = switch (parameter.getKey()) {
        case "temperature" -> value.isNumber() && derive(d, d.temperature, key, value.asDouble());
        case "top_p" -> value.isNumber() && derive(d, d.topP, key, value.asDouble());
        case "max_tokens", "max_completion_tokens", "max_output_tokens" ->
            value.canConvertToInt() && derive(d, d.maxTokens, key, value.asInt());
        case "seed" -> value.canConvertToLong() && derive(d, d.seed, key, value.asLong());
        case "response_format" -> responseFormat(value, d);
        case "tool_choice" -> derive(d, d.toolChoice, key, namedChoice(value, "function"));
        case "model" -> true; // llm.model_name says it again
        default -> false;
      };
      mapped += used ? 1 : 0;
    }
    return mapped == parameters.size();
  }

  /**
   * The format's name goes to response_format; a JSON schema it carries ({@code json_schema.schema}, as
   * OpenAI's API takes it) is kept as {@value #RESPONSE_SCHEMA}, where output validation looks for it, so it
   * survives when the parameters attribute itself is consumed.
   */
  private static boolean responseFormat(JsonNode format, SpanDraft d) {
    JsonNode schema = format.path("json_schema").path("schema");
    if (schema.isObject() || schema.isBoolean()) {
      d.attributes.putIfAbsent(RESPONSE_SCHEMA, schema.toString());
    }
    return derive(d, d.responseFormat, "llm.invocation_parameters", namedChoice(format, "json_schema"));
  }

  private static <T> boolean derive(SpanDraft d, Pick<T> pick, String key, T value) {
    d.derive(pick, key, value, OPENINFERENCE);
    return value != null;
  }

  /**
   * OpenAI writes these as a string ({@code "auto"}, {@code "json_object"}) or an object naming a
   * type and, for a specific tool or schema, its name: the name is the more useful value.
   */
  private static String namedChoice(JsonNode node, String namedType) {
    if (!node.isObject()) {
      return EmbeddedJson.text(node);
    }
    JsonNode named = node.get(namedType);
    String name = named == null ? null : EmbeddedJson.member(named, "name");
    return name != null ? name : EmbeddedJson.member(node, "type");
  }

  private static boolean templateVariables(JsonNode variables, SpanDraft d) {
    if (variables == null || !variables.isObject()) {
      return false;
    }
    EmbeddedJson.putAllAsText(variables, d.promptVariables());
    return true;
  }
}
