package io.llmtrace.gateway.otlp;

import static io.llmtrace.gateway.otlp.AttributeValues.asDouble;
import static io.llmtrace.gateway.otlp.AttributeValues.asInt;
import static io.llmtrace.gateway.otlp.AttributeValues.asLong;
import static io.llmtrace.gateway.otlp.AttributeValues.asString;
import static io.llmtrace.gateway.otlp.AttributeValues.asText;
import static io.llmtrace.gateway.otlp.SpanDraft.CURRENT;
import static io.llmtrace.gateway.otlp.SpanDraft.DEPRECATED;
import static io.llmtrace.gateway.otlp.SpanDraft.FALLBACK;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmtrace.schemas.avro.Evaluation;
import io.llmtrace.schemas.avro.Message;
import io.llmtrace.schemas.avro.SpanKind;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;
import java.util.Locale;

/**
 * The OpenTelemetry GenAI semantic conventions ({@code gen_ai.*}), current keys and their deprecated
 * aliases, on span attributes and on span events. Current keys outrank deprecated ones whatever the
 * order they come in ({@link Pick}); the older event-based conventions ({@code gen_ai.user.message},
 * {@code gen_ai.choice}, ...) are read only when the attributes carry no messages.
 */
final class GenAiMapping {

  static final String PREFIX = "gen_ai.";
  private static final String LEGACY_PROMPT_PREFIX = "gen_ai.prompt.";
  private static final String LEGACY_COMPLETION_PREFIX = "gen_ai.completion.";

  private GenAiMapping() {}

  /** @return whether the attribute was mapped (otherwise it goes to the attribute map) */
  static boolean apply(String key, AnyValue value, SpanDraft d) {
    switch (key) {
      case "gen_ai.operation.name":
        d.operationKind = operationKind(asText(value));
        return false; // chat vs text_completion is finer than the kind: keep the attribute
      case "gen_ai.provider.name":
        return d.offer(d.provider, key, asText(value), CURRENT);
      case "gen_ai.system":
        return d.offer(d.provider, key, asText(value), DEPRECATED);
      case "gen_ai.request.model":
        return d.offer(d.modelName, key, asText(value), CURRENT);
      case "gen_ai.response.model":
        return d.offer(d.responseModel, key, asText(value), CURRENT);
      case "gen_ai.request.temperature":
        return d.offer(d.temperature, key, asDouble(value), CURRENT);
      case "gen_ai.request.max_tokens":
        return d.offer(d.maxTokens, key, asInt(value), CURRENT);
      case "gen_ai.request.top_p":
        return d.offer(d.topP, key, asDouble(value), CURRENT);
      case "gen_ai.request.seed":
        return d.offer(d.seed, key, asLong(value), CURRENT);
      case "gen_ai.output.type":
        return d.offer(d.responseFormat, key, asText(value), CURRENT);
      case "gen_ai.response.finish_reasons":
        return d.offer(d.finishReason, key, finishReasons(value), CURRENT);
      case "gen_ai.response.id":
        return d.offer(d.requestId, key, asText(value), FALLBACK);
      case "gen_ai.conversation.id":
        return d.offer(d.sessionId, key, asText(value), CURRENT);
      case "gen_ai.usage.input_tokens":
        return d.offer(d.inputTokens, key, asLong(value), CURRENT);
      case "gen_ai.usage.prompt_tokens":
        return d.offer(d.inputTokens, key, asLong(value), DEPRECATED);
      case "gen_ai.usage.output_tokens":
        return d.offer(d.outputTokens, key, asLong(value), CURRENT);
      case "gen_ai.usage.completion_tokens":
        return d.offer(d.outputTokens, key, asLong(value), DEPRECATED);
      case "gen_ai.usage.total_tokens":
        return d.offer(d.totalTokens, key, asLong(value), DEPRECATED);
      case "gen_ai.usage.cache_read.input_tokens":
        return d.offer(d.cacheReadTokens, key, asLong(value), CURRENT);
      case "gen_ai.usage.cache_read_input_tokens":
        return d.offer(d.cacheReadTokens, key, asLong(value), DEPRECATED);
      case "gen_ai.usage.cache_creation.input_tokens":
        return d.offer(d.cacheWriteTokens, key, asLong(value), CURRENT);
      case "gen_ai.usage.cache_creation_input_tokens":
        return d.offer(d.cacheWriteTokens, key, asLong(value), DEPRECATED);
      case "gen_ai.usage.reasoning.output_tokens":
        return d.offer(d.reasoningTokens, key, asLong(value), CURRENT);
      case "gen_ai.usage.reasoning_tokens":
        return d.offer(d.reasoningTokens, key, asLong(value), DEPRECATED);
      case "gen_ai.input.messages":
        return d.offer(d.messages, key, GenAiMessages.input(EmbeddedJson.of(value)), CURRENT);
      case "gen_ai.prompt":
        return d.offer(d.messages, key, legacyPrompt(value), DEPRECATED);
      case "gen_ai.system_instructions":
        d.systemInstructions = GenAiMessages.systemInstructions(EmbeddedJson.of(value), asString(value));
        return d.systemInstructions != null;
      case "gen_ai.output.messages":
        return output(key, GenAiMessages.output(EmbeddedJson.of(value)), CURRENT, d);
      case "gen_ai.completion":
        return output(key, legacyCompletion(value), DEPRECATED, d);
      case "gen_ai.tool.definitions":
        return d.offer(d.tools, key, GenAiMessages.toolDefinitions(EmbeddedJson.of(value)), CURRENT);
      case "gen_ai.tool.name":
        return d.offer(d.toolName, key, asText(value), CURRENT);
      case "gen_ai.tool.call.arguments":
        return d.offer(d.toolArguments, key, AttributeValues.render(value), CURRENT);
      case "gen_ai.tool.call.result":
        return d.offer(d.toolResult, key, AttributeValues.render(value), CURRENT);
      case "gen_ai.tool.call.id":
        return d.offer(d.toolCallId, key, asText(value), CURRENT);
      case "gen_ai.security.risk.severity":
        // an event attribute in the convention (gen_ai.security.finding); some SDKs set it on the guardrail span
        return d.offer(d.policySeverity, key, ContextMapping.severity(asText(value)), CURRENT);
      case "gen_ai.evaluation.name":
        d.evaluationName = asText(value);
        return d.evaluationName != null;
      case "gen_ai.evaluation.score.value":
        d.evaluationScore = asDouble(value);
        return d.evaluationScore != null;
      case "gen_ai.evaluation.score.label":
        d.evaluationLabel = asText(value);
        return d.evaluationLabel != null;
      case "gen_ai.evaluation.explanation":
        d.evaluationExplanation = asText(value);
        return d.evaluationExplanation != null;
      case "gen_ai.prompt.name":
        return d.offer(d.promptName, key, asText(value), CURRENT);
      case "gen_ai.prompt.version":
        return d.offer(d.promptVersion, key, asText(value), CURRENT);
      default:
        // OpenLLMetry's flattened messages: gen_ai.prompt.0.role, gen_ai.completion.0.content, ...
        if (key.startsWith(LEGACY_PROMPT_PREFIX)) {
          return d.legacyPrompt().apply(key, LEGACY_PROMPT_PREFIX.length(), value);
        }
        if (key.startsWith(LEGACY_COMPLETION_PREFIX)) {
          return d.legacyCompletion().apply(key, LEGACY_COMPLETION_PREFIX.length(), value);
        }
        return false;
    }
  }

  /**
   * Reads the message-carrying events of older semconv versions. The event itself is kept in
   * {@code events} regardless; this only lifts its content into the prompt and output.
   */
  static void applyEvent(Span.Event event, SpanDraft d) {
    switch (event.getName()) {
      case "gen_ai.system.message" -> d.eventMessages().add(eventMessage(event, "system"));
      case "gen_ai.user.message" -> d.eventMessages().add(eventMessage(event, "user"));
      case "gen_ai.assistant.message" -> d.eventMessages().add(eventMessage(event, "assistant"));
      case "gen_ai.tool.message" -> d.eventMessages().add(eventMessage(event, "tool"));
      case "gen_ai.choice" -> d.offerOutput(event.getName(), choice(event), FALLBACK);
      case "gen_ai.content.prompt" -> {
        AnyValue prompt = attribute(event, "gen_ai.prompt");
        d.derive(d.messages, event.getName(), prompt == null ? null : legacyPrompt(prompt), FALLBACK);
      }
      case "gen_ai.content.completion" -> {
        AnyValue completion = attribute(event, "gen_ai.completion");
        d.offerOutput(event.getName(), completion == null ? null : legacyCompletion(completion), FALLBACK);
      }
      case "gen_ai.client.inference.operation.details" -> {
        // the current semconv's opt-in event: the same message attributes, on an event instead of the span
        for (KeyValue attribute : event.getAttributesList()) {
          switch (attribute.getKey()) {
            case "gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions" ->
                apply(attribute.getKey(), attribute.getValue(), d);
            default -> {
              // the rest repeats the span's own attributes
            }
          }
        }
      }
      case "gen_ai.security.finding" -> {
        // one finding per risk a guardian found: the span's severity is the worst of them
        AnyValue risk = attribute(event, "gen_ai.security.risk.severity");
        String severity = risk == null ? null : ContextMapping.severity(asText(risk));
        if (ContextMapping.rank(severity) > ContextMapping.rank(d.findingSeverity)) {
          d.findingSeverity = severity;
        }
      }
      case "gen_ai.evaluation.result" -> {
        Evaluation evaluation = evaluation(event);
        if (evaluation != null) {
          d.eventEvaluations.add(evaluation);
        }
      }
      default -> {
        // other events are only kept
      }
    }
  }

  private static boolean output(String key, OutputParts output, int rank, SpanDraft d) {
    d.offerOutput(key, output, rank);
    return output != null;
  }

  /** {@code gen_ai.prompt}: a JSON message list (OpenAI style) or plain text, read as one user message. */
  private static List<Message> legacyPrompt(AnyValue value) {
    JsonNode json = EmbeddedJson.of(value);
    if (json != null) {
      return GenAiMessages.input(json);
    }
    String text = asString(value);
    return text == null ? null : List.of(new Message("user", text, null, null));
  }

  private static OutputParts legacyCompletion(AnyValue value) {
    JsonNode json = EmbeddedJson.of(value);
    if (json != null) {
      return GenAiMessages.output(json);
    }
    String text = asString(value);
    return text == null ? null : new OutputParts(text, List.of(), null);
  }

  /** A string, or an array of them joined by commas (one reason per choice). */
  private static String finishReasons(AnyValue value) {
    if (value.getValueCase() != AnyValue.ValueCase.ARRAY_VALUE) {
      return asText(value);
    }
    StringBuilder joined = new StringBuilder();
    for (AnyValue reason : value.getArrayValue().getValuesList()) {
      String text = asText(reason);
      if (text != null) {
        joined.append(joined.length() > 0 ? "," : "").append(text);
      }
    }
    return joined.length() == 0 ? null : joined.toString();
  }

  /** Values of gen_ai.operation.name, current and past; unknown operations leave the kind open. */
  static SpanKind operationKind(String operation) {
    if (operation == null) {
      return null;
    }
    return switch (operation) {
      case "chat", "text_completion", "generate_content", "completion" -> SpanKind.LLM;
      case "embeddings", "embedding" -> SpanKind.EMBEDDING;
      case "execute_tool" -> SpanKind.TOOL;
      case "invoke_agent", "create_agent" -> SpanKind.AGENT_STEP;
      case "retrieval", "retrieve" -> SpanKind.RETRIEVAL;
      case "rerank" -> SpanKind.RERANK;
      case "invoke_workflow" -> SpanKind.WORKFLOW;
      case "apply_guardrail" -> SpanKind.GUARDRAIL;
      default -> null;
    };
  }

  /**
   * Message events carry their body either as {@code gen_ai.event.content} JSON (Semantic Kernel and
   * others) or as flat {@code content}/{@code role}/{@code id} attributes.
   */
  private static Message eventMessage(Span.Event event, String role) {
    JsonNode body = body(event);
    if (body != null && body.isObject()) {
      return GenAiMessages.message(body, role);
    }
    AnyValue content = attribute(event, "content");
    AnyValue id = attribute(event, "id");
    AnyValue name = attribute(event, "name");
    return new Message(role,
        content == null ? null : AttributeValues.render(content),
        name == null ? null : asText(name),
        id == null ? null : asText(id));
  }

  /** A choice event: a {@code gen_ai.event.content} body, or {@code message} and {@code finish_reason} attributes. */
  private static OutputParts choice(Span.Event event) {
    JsonNode body = body(event);
    if (body != null) {
      return GenAiMessages.output(body);
    }
    AnyValue message = attribute(event, "message");
    JsonNode json = message == null ? null : EmbeddedJson.of(message);
    OutputParts parts = json == null ? null : GenAiMessages.output(json);
    AnyValue finish = attribute(event, "finish_reason");
    String reason = finish == null ? null : asText(finish);
    if (reason == null) {
      return parts;
    }
    return parts == null ? new OutputParts(null, List.of(), reason) : new OutputParts(parts.text(), parts.toolCalls(), reason);
  }

  private static Evaluation evaluation(Span.Event event) {
    String name = null;
    Double score = null;
    String label = null;
    String explanation = null;
    for (KeyValue attribute : event.getAttributesList()) {
      switch (attribute.getKey()) {
        case "gen_ai.evaluation.name" -> name = asText(attribute.getValue());
        case "gen_ai.evaluation.score.value" -> score = asDouble(attribute.getValue());
        case "gen_ai.evaluation.score.label" -> label = asText(attribute.getValue());
        case "gen_ai.evaluation.explanation" -> explanation = asText(attribute.getValue());
        default -> {
          // error.type, gen_ai.response.id: kept with the event
        }
      }
    }
    return name == null ? null : evaluation(name, score, label, explanation);
  }

  /** A label that reads as a verdict ("pass", "fail") also sets {@code passed}. */
  static Evaluation evaluation(String name, Double score, String label, String explanation) {
    Boolean passed = null;
    if (label != null) {
      switch (label.toLowerCase(Locale.ROOT)) {
        case "pass", "passed", "true" -> passed = true;
        case "fail", "failed", "false" -> passed = false;
        default -> {
          // categorical labels ("relevant", "hallucination") are no verdict
        }
      }
    }
    return new Evaluation(name, null, score, passed, label, explanation);
  }

  private static JsonNode body(Span.Event event) {
    AnyValue content = attribute(event, "gen_ai.event.content");
    return content == null ? null : EmbeddedJson.of(content);
  }

  static AnyValue attribute(Span.Event event, String key) {
    for (KeyValue attribute : event.getAttributesList()) {
      if (attribute.getKey().equals(key)) {
        return attribute.getValue();
      }
    }
    return null;
  }
}
