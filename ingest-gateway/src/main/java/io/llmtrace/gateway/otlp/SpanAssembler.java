package io.llmtrace.gateway.otlp;

import io.llmtrace.schemas.avro.Cost;
import io.llmtrace.schemas.avro.CostSource;
import io.llmtrace.schemas.avro.Evaluation;
import io.llmtrace.schemas.avro.GenerationSettings;
import io.llmtrace.schemas.avro.LlmOutput;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.Message;
import io.llmtrace.schemas.avro.ModelInfo;
import io.llmtrace.schemas.avro.PromptInfo;
import io.llmtrace.schemas.avro.Retrieval;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.SpanStatus;
import io.llmtrace.schemas.avro.TokenUsage;
import io.llmtrace.schemas.avro.ToolExecution;
import io.llmtrace.schemas.avro.ToolExecutionStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Completes an LlmSpan from a filled {@link SpanDraft}: decides the kind (declared kind, then
 * {@code gen_ai.operation.name}, then what the attributes imply, else UNKNOWN), places OpenInference's
 * {@code input.value}/{@code output.value} by kind, and builds each nested record only when something
 * filled it, so a plain HTTP span stays a plain span. A value that found no home goes back to the
 * attribute map under its original key.
 */
final class SpanAssembler {

  /** Where a prompt name that no prompt name key gave came from: {@value #SPAN_NAME}, a key, or {@value #PARENT_SPAN}. */
  static final String NAME_SOURCE = "llmtrace.prompt.name_source";
  static final String SPAN_NAME = "span_name";
  static final String PARENT_SPAN = "parent_span";

  private SpanAssembler() {}

  /** @param span has ids, name, times, status, OTLP status message and events set already */
  static void complete(LlmSpan span, SpanDraft d) {
    d.foldIndexed();
    SpanKind kind = kind(d);
    placeInputAndOutput(kind, d);
    span.setKind(kind);
    span.setRequestId(d.requestId.get());
    span.setSessionId(d.sessionId.get());
    span.setUserId(d.userId.get());
    span.setProjectId(d.projectId.get());
    span.setEnvironment(d.environment.get());
    span.setServiceName(d.serviceName.get());
    span.setFeatureName(d.featureName.get());
    span.setAppVersion(d.appVersion.get());
    outcome(span, d);
    span.setPrompt(prompt(span, d));
    span.setModel(model(kind, d));
    span.setGenerationSettings(settings(d));
    span.setOutput(output(d));
    span.setUsage(usage(d));
    span.setCost(cost(d));
    span.setRetrieval(retrieval(kind, d));
    span.setToolExecution(toolExecution(kind, span, d));
    span.setEvaluations(evaluations(d));
    d.derive(d.policySeverity, "gen_ai.security.finding", d.findingSeverity, SpanDraft.FALLBACK);
    span.setPolicySeverity(d.policySeverity.get());
    span.setCitationCoverage(d.citationCoverage.get());
    span.setFeedback(new ArrayList<>(0));
    span.setAttributes(d.attributes);
  }

  private static SpanKind kind(SpanDraft d) {
    if (d.declaredKind.isSet()) {
      return d.declaredKind.get();
    }
    if (d.operationKind != null) {
      return d.operationKind;
    }
    if (d.modelName.isSet() || d.responseModel.isSet() || d.inputTokens.isSet() || d.outputTokens.isSet()
        || d.messages.isSet() || d.outputText.isSet()) {
      return SpanKind.LLM;
    }
    if (d.embeddingModel.isSet()) {
      return SpanKind.EMBEDDING;
    }
    if (d.toolName.isSet()) {
      return SpanKind.TOOL;
    }
    if (d.retrievedDocuments() != null) {
      return SpanKind.RETRIEVAL;
    }
    return SpanKind.UNKNOWN;
  }

  /**
   * OpenInference's generic input and output: the query of a retriever, the arguments and result of a
   * tool, the text of a plain-text model call or an agent step. Elsewhere (a chain's input, an LLM's
   * raw JSON request) they have no field and stay attributes.
   */
  private static void placeInputAndOutput(SpanKind kind, SpanDraft d) {
    String input = d.inputValue;
    if (input != null) {
      boolean placed = switch (kind) {
        case RETRIEVAL, RERANK -> d.offer(d.query, "input.value", input, SpanDraft.FALLBACK);
        case TOOL -> d.offer(d.toolArguments, "input.value", input, SpanDraft.FALLBACK);
        case LLM -> !d.messages.isSet() && !isJson(d.inputMimeType)
            && d.offer(d.messages, "input.value", listOf(new Message("user", input, null, null)), SpanDraft.FALLBACK);
        default -> false;
      };
      if (!placed) {
        d.attributes.put("input.value", input);
      }
    }
    String output = d.outputValue;
    if (output != null) {
      boolean placed = switch (kind) {
        case TOOL -> d.offer(d.toolResult, "output.value", output, SpanDraft.FALLBACK);
        case LLM -> !d.outputText.isSet() && !isJson(d.outputMimeType)
            && d.offer(d.outputText, "output.value", output, SpanDraft.FALLBACK);
        case AGENT_STEP -> d.offer(d.outputText, "output.value", output, SpanDraft.FALLBACK);
        default -> false;
      };
      if (!placed) {
        d.attributes.put("output.value", output);
      }
    }
  }

  private static boolean isJson(String mimeType) {
    return mimeType != null && mimeType.contains("json");
  }

  /** Exception events explain an ERROR status; on a span that did not fail they are only events. */
  private static void outcome(LlmSpan span, SpanDraft d) {
    if (span.getStatus() == SpanStatus.ERROR) {
      if (span.getErrorMessage() == null) {
        span.setErrorMessage(d.exceptionMessage);
      }
      d.offer(d.errorType, "exception.type", d.exceptionType, SpanDraft.FALLBACK);
      ContextMapping.noteError(d.exceptionType, d);
    }
    span.setErrorType(d.errorType.get());
    span.setAttempt(d.attempt.get());
    span.setRetryOfSpanId(d.retryOf.get());
    span.setFallback(d.fallback);
    span.setRateLimited(d.rateLimited);
    span.setTimedOut(d.timedOut);
  }

  private static PromptInfo prompt(LlmSpan span, SpanDraft d) {
    List<Message> messages = d.messages.isSet() ? new ArrayList<>(d.messages.get()) : new ArrayList<>(0);
    Message system = d.systemInstructions;
    if (system != null && (messages.isEmpty() || !system.equals(messages.get(0)))) {
      messages.add(0, system);
    }
    boolean hasVariables = d.promptVariables != null && !d.promptVariables.isEmpty();
    if (messages.isEmpty() && !hasVariables && !d.promptName.isSet() && !d.promptVersion.isSet() && !d.templateId.isSet()
        && !d.promptTemplate.isSet()) {
      return null;
    }
    return new PromptInfo(promptName(span, d), d.promptVersion.get(), d.templateId.get(), d.promptTemplate.get(),
        hasVariables ? d.promptVariables : new LinkedHashMap<>(), messages);
  }

  /**
   * A prompt version or template without a name cannot be compared across versions, and OpenInference has
   * no name key: {@code llm.prompt_template.name} (set by Phoenix's examples) is taken, else the span name.
   * Names not sent as a prompt name key say where they came from in {@value #NAME_SOURCE}.
   */
  private static String promptName(LlmSpan span, SpanDraft d) {
    if (d.promptName.isSet()) {
      if (d.promptName.key().equals("llm.prompt_template.name")) {
        d.attributes.put(NAME_SOURCE, d.promptName.key());
      }
      return d.promptName.get();
    }
    if ((d.promptVersion.isSet() || d.promptTemplate.isSet()) && !span.getName().isBlank()) {
      d.attributes.put(NAME_SOURCE, SPAN_NAME);
      return span.getName();
    }
    return null;
  }

  /**
   * The requested model is the name; a different response model is the exact version the provider
   * reported ({@code gpt-4.1-mini} vs {@code gpt-4.1-mini-2025-04-14}), as ModelInfo documents them.
   */
  private static ModelInfo model(SpanKind kind, SpanDraft d) {
    String name = d.modelName.get();
    String version = d.modelVersion.get();
    String response = d.responseModel.get();
    if (response != null) {
      if (name == null) {
        name = response;
      } else if (!response.equals(name)) {
        if (version == null) {
          version = response;
        } else if (!version.equals(response)) {
          d.attributes.put(d.responseModel.key(), response);
        }
      }
    }
    String embedding = d.embeddingModel.get();
    if (embedding != null && kind != SpanKind.RETRIEVAL) {
      if (name == null) {
        name = embedding;
      } else if (!embedding.equals(name)) {
        d.attributes.put(d.embeddingModel.key(), embedding);
      }
    }
    if (name == null) {
      // ModelInfo needs a name: without one, what we know stays in the attributes
      restore(d, d.provider);
      restore(d, d.modelVersion);
      restore(d, d.modelRegion);
      return null;
    }
    return new ModelInfo(d.provider.get(), name, version, d.modelRegion.get());
  }

  private static GenerationSettings settings(SpanDraft d) {
    if (!(d.temperature.isSet() || d.maxTokens.isSet() || d.topP.isSet() || d.seed.isSet()
        || d.responseFormat.isSet() || d.toolChoice.isSet() || d.tools.isSet())) {
      return null;
    }
    return new GenerationSettings(d.temperature.get(), d.maxTokens.get(), d.topP.get(), d.seed.get(),
        d.responseFormat.get(), d.toolChoice.get(), d.tools.isSet() ? new ArrayList<>(d.tools.get()) : new ArrayList<>(0));
  }

  private static LlmOutput output(SpanDraft d) {
    if (!(d.outputText.isSet() || d.finishReason.isSet() || d.toolCalls.isSet())) {
      return null;
    }
    return new LlmOutput(d.outputText.get(), null, d.finishReason.get(),
        d.toolCalls.isSet() ? new ArrayList<>(d.toolCalls.get()) : new ArrayList<>(0));
  }

  /** Total tokens, when not reported, is input plus output: aggregates sum it. */
  private static TokenUsage usage(SpanDraft d) {
    Long input = d.inputTokens.get();
    Long output = d.outputTokens.get();
    if (input == null && output == null && !d.cacheReadTokens.isSet() && !d.cacheWriteTokens.isSet()
        && !d.reasoningTokens.isSet() && !d.totalTokens.isSet()) {
      return null;
    }
    Long total = d.totalTokens.isSet() ? d.totalTokens.get()
        : input != null && output != null ? Long.valueOf(input + output) : null;
    return new TokenUsage(input, output, d.cacheReadTokens.get(), d.cacheWriteTokens.get(), d.reasoningTokens.get(), total);
  }

  private static Cost cost(SpanDraft d) {
    if (!d.costAmount.isSet()) {
      restore(d, d.costCurrency);
      return null;
    }
    return new Cost(d.costAmount.get(), d.costCurrency.get(), CostSource.REPORTED, null);
  }

  private static Retrieval retrieval(SpanKind kind, SpanDraft d) {
    IndexedDocuments documents = d.retrievedDocuments();
    boolean retrievalKind = kind == SpanKind.RETRIEVAL || kind == SpanKind.RERANK;
    if (documents == null && !d.indexName.isSet() && !d.indexVersion.isSet() && !(retrievalKind && d.query.isSet())) {
      restore(d, d.query);
      return null;
    }
    String embeddingModel = kind == SpanKind.RETRIEVAL ? d.embeddingModel.get() : null;
    return new Retrieval(d.query.get(), d.indexName.get(), d.indexVersion.get(), embeddingModel,
        documents == null ? new ArrayList<>(0) : documents.documents());
  }

  /**
   * A TOOL span, or any span naming a tool. OTel leaves a successful span's status UNSET, so only
   * ERROR counts as a failure (TIMEOUT when the error reads as one).
   */
  private static ToolExecution toolExecution(SpanKind kind, LlmSpan span, SpanDraft d) {
    if (kind != SpanKind.TOOL && !d.toolName.isSet()) {
      restore(d, d.toolArguments);
      restore(d, d.toolResult);
      restore(d, d.toolCallId);
      return null;
    }
    ToolExecutionStatus status = span.getStatus() != SpanStatus.ERROR ? ToolExecutionStatus.SUCCESS
        : span.getTimedOut() ? ToolExecutionStatus.TIMEOUT : ToolExecutionStatus.ERROR;
    return new ToolExecution(d.toolName.orElse(span.getName()), d.toolCallId.get(), d.toolArguments.get(), d.toolResult.get(), status);
  }

  private static List<Evaluation> evaluations(SpanDraft d) {
    List<Evaluation> evaluations = new ArrayList<>(d.eventEvaluations.size() + 1);
    if (d.evaluationName != null) {
      evaluations.add(GenAiMapping.evaluation(d.evaluationName, d.evaluationScore, d.evaluationLabel, d.evaluationExplanation));
    } else {
      // a score without an evaluator name would be rejected by validation: keep it as attributes
      putIfPresent(d, "gen_ai.evaluation.score.value", d.evaluationScore);
      putIfPresent(d, "gen_ai.evaluation.score.label", d.evaluationLabel);
      putIfPresent(d, "gen_ai.evaluation.explanation", d.evaluationExplanation);
    }
    evaluations.addAll(d.eventEvaluations);
    return evaluations;
  }

  private static void restore(SpanDraft d, Pick<?> pick) {
    if (pick.isSet()) {
      d.attributes.put(pick.key(), String.valueOf(pick.get()));
    }
  }

  private static void putIfPresent(SpanDraft d, String key, Object value) {
    if (value != null) {
      d.attributes.put(key, String.valueOf(value));
    }
  }

  private static <T> List<T> listOf(T item) {
    List<T> list = new ArrayList<>(1);
    list.add(item);
    return list;
  }
}
