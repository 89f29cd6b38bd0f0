package io.llmtrace.gateway.otlp;

import io.llmtrace.schemas.avro.Evaluation;
import io.llmtrace.schemas.avro.Message;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.ToolCall;
import io.llmtrace.schemas.avro.ToolDefinition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the attributes and events of one OTLP span said, gathered before the LlmSpan is built:
 * several conventions may fill the same field, and some attributes ({@code input.value}) can only be
 * placed once the span kind is known. The mapping classes fill it; {@link SpanAssembler} builds the
 * span from it. Not thread-safe; one per span.
 */
final class SpanDraft {

  /** Ranks of the conventions that can fill the same field: lower wins, whatever the attribute order. */
  static final int EXPLICIT = 0;       // our own llmtrace.* keys: the producer meant exactly this field
  static final int CURRENT = 1;        // current OTel GenAI semconv
  static final int OPENINFERENCE = 2;
  static final int DEPRECATED = 3;     // deprecated semconv aliases, OpenLLMetry
  static final int FALLBACK = 5;       // weaker evidence: a response id as request id, event content
  static final int RESOURCE = 9;       // resource attributes yield to anything on the span

  /** Unmapped attributes, stringified; starts with the resource's and scope's leftovers. */
  final Map<String, String> attributes;

  final Pick<String> requestId = Pick.scalar();
  final Pick<String> sessionId = Pick.scalar();
  final Pick<String> userId = Pick.scalar();
  final Pick<String> projectId = Pick.scalar();
  final Pick<String> environment = Pick.scalar();
  final Pick<String> serviceName = Pick.scalar();
  final Pick<String> featureName = Pick.scalar();
  final Pick<String> appVersion = Pick.scalar();

  final Pick<SpanKind> declaredKind = Pick.scalar();
  /** Kind implied by gen_ai.operation.name; weaker than a declared kind. */
  SpanKind operationKind;

  final Pick<String> errorType = Pick.scalar();
  /** From an {@code exception} event: used only when the span's status is ERROR. */
  String exceptionType;
  String exceptionMessage;
  final Pick<Integer> attempt = Pick.scalar();
  final Pick<String> retryOf = Pick.scalar();
  boolean fallback;
  boolean rateLimited;
  boolean timedOut;

  final Pick<String> promptName = Pick.scalar();
  final Pick<String> promptVersion = Pick.scalar();
  final Pick<String> templateId = Pick.scalar();
  final Pick<String> promptTemplate = Pick.scalar();
  Map<String, String> promptVariables;
  final Pick<List<Message>> messages = Pick.structured();
  Message systemInstructions;

  final Pick<String> provider = Pick.scalar();
  final Pick<String> modelName = Pick.scalar();
  final Pick<String> responseModel = Pick.scalar();
  final Pick<String> modelVersion = Pick.scalar();
  final Pick<String> modelRegion = Pick.scalar();
  final Pick<String> embeddingModel = Pick.scalar();

  final Pick<Double> temperature = Pick.scalar();
  final Pick<Integer> maxTokens = Pick.scalar();
  final Pick<Double> topP = Pick.scalar();
  final Pick<Long> seed = Pick.scalar();
  final Pick<String> responseFormat = Pick.scalar();
  final Pick<String> toolChoice = Pick.scalar();
  final Pick<List<ToolDefinition>> tools = Pick.structured();

  final Pick<String> outputText = Pick.scalar();
  final Pick<String> finishReason = Pick.scalar();
  final Pick<List<ToolCall>> toolCalls = Pick.structured();

  final Pick<Long> inputTokens = Pick.scalar();
  final Pick<Long> outputTokens = Pick.scalar();
  final Pick<Long> cacheReadTokens = Pick.scalar();
  final Pick<Long> cacheWriteTokens = Pick.scalar();
  final Pick<Long> reasoningTokens = Pick.scalar();
  final Pick<Long> totalTokens = Pick.scalar();
  final Pick<Double> costAmount = Pick.scalar();
  final Pick<String> costCurrency = Pick.scalar();

  final Pick<String> query = Pick.scalar();
  final Pick<String> indexName = Pick.scalar();
  final Pick<String> indexVersion = Pick.scalar();

  final Pick<String> toolName = Pick.scalar();
  final Pick<String> toolArguments = Pick.scalar();
  final Pick<String> toolResult = Pick.scalar();
  final Pick<String> toolCallId = Pick.scalar();

  final Pick<String> policySeverity = Pick.scalar();
  /** The highest {@code gen_ai.security.risk.severity} of the span's {@code gen_ai.security.finding} events. */
  String findingSeverity;
  final Pick<Double> citationCoverage = Pick.scalar();

  /** OpenInference {@code input.value} / {@code output.value}: where they belong depends on the kind. */
  String inputValue;
  String inputMimeType;
  String outputValue;
  String outputMimeType;

  /** The evaluation described by span attributes ({@code gen_ai.evaluation.*}). */
  String evaluationName;
  Double evaluationScore;
  String evaluationLabel;
  String evaluationExplanation;
  final List<Evaluation> eventEvaluations = new ArrayList<>(0);

  /** Flattened conventions, created on first use: most spans use none or one of them. */
  private IndexedMessages openInferenceInput;
  private IndexedMessages openInferenceOutput;
  private IndexedMessages legacyPrompt;
  private IndexedMessages legacyCompletion;
  private IndexedDocuments documents;
  private IndexedDocuments rerankedDocuments;
  private List<ToolDefinition> indexedTools;
  private List<Message> eventMessages;

  SpanDraft(Map<String, String> inherited, int expectedAttributes) {
    this.attributes = new HashMap<>(Math.max(16, (inherited.size() + expectedAttributes) * 4 / 3 + 1));
    this.attributes.putAll(inherited);
  }

  /** Offers a value read from attribute {@code key}; false (attribute kept as is) if it did not convert. */
  <T> boolean offer(Pick<T> pick, String key, T value, int rank) {
    return pick.offer(key, value, rank, attributes);
  }

  /** Offers a value derived from a structure: a loser has no key of its own to be kept under. */
  <T> void derive(Pick<T> pick, String key, T value, int rank) {
    pick.offer(key, value, rank, null);
  }

  void offerOutput(String key, OutputParts output, int rank) {
    if (output != null) {
      derive(outputText, key, output.text(), rank);
      derive(toolCalls, key, output.toolCalls().isEmpty() ? null : output.toolCalls(), rank);
      derive(finishReason, key, output.finishReason(), rank);
    }
  }

  Map<String, String> promptVariables() {
    if (promptVariables == null) {
      promptVariables = new LinkedHashMap<>();
    }
    return promptVariables;
  }

  IndexedMessages openInferenceInput() {
    return openInferenceInput != null ? openInferenceInput : (openInferenceInput = new IndexedMessages());
  }

  IndexedMessages openInferenceOutput() {
    return openInferenceOutput != null ? openInferenceOutput : (openInferenceOutput = new IndexedMessages());
  }

  IndexedMessages legacyPrompt() {
    return legacyPrompt != null ? legacyPrompt : (legacyPrompt = new IndexedMessages());
  }

  IndexedMessages legacyCompletion() {
    return legacyCompletion != null ? legacyCompletion : (legacyCompletion = new IndexedMessages());
  }

  IndexedDocuments documents() {
    return documents != null ? documents : (documents = new IndexedDocuments(false));
  }

  IndexedDocuments rerankedDocuments() {
    return rerankedDocuments != null ? rerankedDocuments : (rerankedDocuments = new IndexedDocuments(true));
  }

  List<ToolDefinition> indexedTools() {
    return indexedTools != null ? indexedTools : (indexedTools = new ArrayList<>(2));
  }

  List<Message> eventMessages() {
    return eventMessages != null ? eventMessages : (eventMessages = new ArrayList<>(2));
  }

  /** Folds the flattened conventions into the picks, at their ranks, once every attribute was read. */
  void foldIndexed() {
    if (openInferenceInput != null) {
      derive(messages, "llm.input_messages", openInferenceInput.messages(), OPENINFERENCE);
    }
    if (legacyPrompt != null) {
      derive(messages, "gen_ai.prompt", legacyPrompt.messages(), DEPRECATED);
    }
    if (eventMessages != null) {
      derive(messages, "events", eventMessages, FALLBACK);
    }
    if (openInferenceOutput != null) {
      offerOutput("llm.output_messages", openInferenceOutput.output(), OPENINFERENCE);
    }
    if (legacyCompletion != null) {
      offerOutput("gen_ai.completion", legacyCompletion.output(), DEPRECATED);
    }
    if (indexedTools != null) {
      indexedTools.removeIf(tool -> tool == null);
      derive(tools, "llm.tools", indexedTools.isEmpty() ? null : indexedTools, OPENINFERENCE);
    }
  }

  /** Documents as listed by the retriever; a reranker's output when the span lists no others. */
  IndexedDocuments retrievedDocuments() {
    if (documents != null && !documents.isEmpty()) {
      return documents;
    }
    return rerankedDocuments != null && !rerankedDocuments.isEmpty() ? rerankedDocuments : null;
  }

  /**
   * The attribute a violated LlmSpan field was read from, so a rejection can name what the caller
   * sent ({@code attributes['gen_ai.usage.input_tokens']}); null for fields with no single source.
   */
  String sourceOf(String field) {
    Pick<?> pick = switch (field) {
      case "usage.input_tokens" -> inputTokens;
      case "usage.output_tokens" -> outputTokens;
      case "usage.cache_read_tokens" -> cacheReadTokens;
      case "usage.cache_write_tokens" -> cacheWriteTokens;
      case "usage.reasoning_tokens" -> reasoningTokens;
      case "usage.total_tokens" -> totalTokens;
      case "generation_settings.temperature" -> temperature;
      case "generation_settings.top_p" -> topP;
      case "generation_settings.max_tokens" -> maxTokens;
      case "attempt" -> attempt;
      case "cost.amount" -> costAmount;
      case "cost.currency" -> costCurrency;
      case "citation_coverage" -> citationCoverage;
      case "policy_severity" -> policySeverity;
      default -> null;
    };
    return pick == null ? null : pick.key();
  }
}
