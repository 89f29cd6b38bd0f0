package io.llmtrace.gateway.otlp;

import static io.llmtrace.gateway.otlp.OtlpFixtures.array;
import static io.llmtrace.gateway.otlp.OtlpFixtures.attr;
import static io.llmtrace.gateway.otlp.OtlpFixtures.event;
import static io.llmtrace.gateway.otlp.OtlpFixtures.kvlist;
import static io.llmtrace.gateway.otlp.OtlpFixtures.mapOne;
import static io.llmtrace.gateway.otlp.OtlpFixtures.span;
import static io.llmtrace.gateway.otlp.OtlpFixtures.spanWith;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.gateway.intake.DecodedBatch;
import io.llmtrace.schemas.avro.Evaluation;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.Message;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.SpanStatus;
import io.llmtrace.schemas.avro.ToolCall;
import io.llmtrace.schemas.avro.ToolExecution;
import io.llmtrace.schemas.avro.ToolExecutionStatus;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** OpenTelemetry GenAI semantic conventions, current and deprecated, onto LlmSpan. */
class GenAiMappingTest {

  @Test
  void genAiChatSpanMapsFieldByField() {
    DecodedBatch batch = OtlpFixtures.map(OtlpFixtures.genAiChatRequest());

    assertThat(batch.rejected()).isEmpty();
    assertThat(batch.accepted()).containsExactly(OtlpFixtures.expectedGenAiChatSpan());
  }

  @Test
  void mappedAttributesAreNotDuplicatedInTheAttributeMap() {
    LlmSpan span = OtlpFixtures.map(OtlpFixtures.genAiChatRequest()).accepted().get(0);

    assertThat(span.getAttributes()).doesNotContainKeys(
        "gen_ai.request.model", "gen_ai.usage.input_tokens", "gen_ai.input.messages", "gen_ai.output.messages",
        "llmtrace.prompt.version", "service.name", "deployment.environment.name");
  }

  static Stream<Arguments> deprecatedAliases() {
    Function<LlmSpan, Object> provider = s -> s.getModel() == null ? null : s.getModel().getProvider();
    Function<LlmSpan, Object> inputTokens = s -> s.getUsage().getInputTokens();
    Function<LlmSpan, Object> outputTokens = s -> s.getUsage().getOutputTokens();
    Function<LlmSpan, Object> cacheRead = s -> s.getUsage().getCacheReadTokens();
    Function<LlmSpan, Object> cacheWrite = s -> s.getUsage().getCacheWriteTokens();
    Function<LlmSpan, Object> reasoning = s -> s.getUsage().getReasoningTokens();
    Function<LlmSpan, Object> messages = s -> s.getPrompt().getMessages();
    Function<LlmSpan, Object> output = s -> s.getOutput().getText();
    KeyValue model = attr("gen_ai.request.model", "gpt-4.1-mini");
    String messagesJson = "[{\"role\":\"user\",\"content\":\"Hi\"}]";
    String partsJson = "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"Hi\"}]}]";
    return Stream.of(
        Arguments.of(attr("gen_ai.provider.name", "openai"), attr("gen_ai.system", "openai"), model, provider),
        Arguments.of(attr("gen_ai.usage.input_tokens", 12L), attr("gen_ai.usage.prompt_tokens", 12L), model, inputTokens),
        Arguments.of(attr("gen_ai.usage.output_tokens", 7L), attr("gen_ai.usage.completion_tokens", 7L), model, outputTokens),
        Arguments.of(attr("gen_ai.usage.cache_read.input_tokens", 5L),
            attr("gen_ai.usage.cache_read_input_tokens", 5L), model, cacheRead),
        Arguments.of(attr("gen_ai.usage.cache_creation.input_tokens", 3L),
            attr("gen_ai.usage.cache_creation_input_tokens", 3L), model, cacheWrite),
        Arguments.of(attr("gen_ai.usage.reasoning.output_tokens", 9L), attr("gen_ai.usage.reasoning_tokens", 9L), model, reasoning),
        Arguments.of(attr("gen_ai.input.messages", partsJson), attr("gen_ai.prompt", messagesJson), model, messages),
        Arguments.of(attr("gen_ai.output.messages", "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"Hello\"}]}]"),
            attr("gen_ai.completion", "Hello"), model, output));
  }

  @ParameterizedTest(name = "{1} maps like {0}")
  @MethodSource("deprecatedAliases")
  void deprecatedAliasMapsLikeTheCurrentKey(KeyValue current, KeyValue deprecated, KeyValue context, Function<LlmSpan, Object> field) {
    LlmSpan fromCurrent = mapOne(spanWith(context, current));
    LlmSpan fromDeprecated = mapOne(spanWith(context, deprecated));

    assertThat(field.apply(fromCurrent)).isNotNull();
    assertThat(field.apply(fromDeprecated)).isEqualTo(field.apply(fromCurrent));
    assertThat(fromDeprecated.getAttributes()).doesNotContainKey(deprecated.getKey());
  }

  @Test
  void currentKeyWinsOverItsDeprecatedAliasWhateverTheOrderAndTheLoserIsKept() {
    LlmSpan deprecatedFirst = mapOne(spanWith(attr("gen_ai.system", "az.ai.openai"), attr("gen_ai.provider.name", "azure.ai.openai"),
        attr("gen_ai.request.model", "gpt-4o")));
    LlmSpan currentFirst = mapOne(spanWith(attr("gen_ai.provider.name", "azure.ai.openai"), attr("gen_ai.system", "az.ai.openai"),
        attr("gen_ai.request.model", "gpt-4o")));

    for (LlmSpan span : List.of(deprecatedFirst, currentFirst)) {
      assertThat(span.getModel().getProvider()).isEqualTo("azure.ai.openai");
      assertThat(span.getAttributes()).containsEntry("gen_ai.system", "az.ai.openai").doesNotContainKey("gen_ai.provider.name");
    }
  }

  @Test
  void responseModelNamesTheModelWhenNoRequestModelWasRecorded() {
    LlmSpan span = mapOne(spanWith(attr("gen_ai.response.model", "claude-sonnet-4-5-20250929")));

    assertThat(span.getModel().getName()).isEqualTo("claude-sonnet-4-5-20250929");
    assertThat(span.getModel().getVersion()).isNull();
    assertThat(span.getKind()).isEqualTo(SpanKind.LLM);
  }

  @ParameterizedTest(name = "gen_ai.operation.name={0} -> {1}")
  @CsvSource({
      "chat, LLM", "text_completion, LLM", "generate_content, LLM", "embeddings, EMBEDDING",
      "execute_tool, TOOL", "invoke_agent, AGENT_STEP", "create_agent, AGENT_STEP", "retrieval, RETRIEVAL",
      "some_future_operation, UNKNOWN"})
  void operationNameGivesTheKind(String operation, SpanKind kind) {
    LlmSpan span = mapOne(spanWith(attr("gen_ai.operation.name", operation)));

    assertThat(span.getKind()).isEqualTo(kind);
    assertThat(span.getAttributes()).containsEntry("gen_ai.operation.name", operation);
  }

  @Test
  void openInferenceKindOutranksTheOperationName() {
    LlmSpan span = mapOne(spanWith(attr("gen_ai.operation.name", "chat"), attr("openinference.span.kind", "AGENT")));

    assertThat(span.getKind()).isEqualTo(SpanKind.AGENT_STEP);
  }

  @Test
  void structuredMessageAttributesAreReadLikeTheirJsonForm() {
    AnyValue messages = array(kvlist(
        attr("role", "user"),
        attr("parts", array(kvlist(attr("type", "text"), attr("content", "Hi"))))));

    LlmSpan span = mapOne(spanWith(attr("gen_ai.input.messages", messages)));

    assertThat(span.getPrompt().getMessages()).containsExactly(new Message("user", "Hi", null, null));
  }

  @Test
  void openLlmetryFlattenedPromptAndCompletionMapToMessagesAndOutput() {
    LlmSpan span = mapOne(spanWith(
        attr("gen_ai.system", "openai"),
        attr("gen_ai.request.model", "gpt-4o"),
        attr("gen_ai.prompt.0.role", "system"),
        attr("gen_ai.prompt.0.content", "Be brief."),
        attr("gen_ai.prompt.1.role", "user"),
        attr("gen_ai.prompt.1.content", "Weather in Paris?"),
        attr("gen_ai.completion.0.role", "assistant"),
        attr("gen_ai.completion.0.finish_reason", "tool_calls"),
        attr("gen_ai.completion.0.tool_calls.0.id", "call_1"),
        attr("gen_ai.completion.0.tool_calls.0.name", "get_weather"),
        attr("gen_ai.completion.0.tool_calls.0.arguments", "{\"city\":\"Paris\"}")));

    assertThat(span.getPrompt().getMessages()).containsExactly(
        new Message("system", "Be brief.", null, null), new Message("user", "Weather in Paris?", null, null));
    assertThat(span.getOutput().getToolCalls()).containsExactly(new ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"));
    assertThat(span.getOutput().getFinishReason()).isEqualTo("tool_calls");
    assertThat(span.getAttributes().keySet()).noneMatch(key -> key.startsWith("gen_ai.prompt.") || key.startsWith("gen_ai.completion."));
  }

  @Test
  void olderMessageEventsFillPromptAndOutputAndAreStillKeptAsEvents() {
    long t = OtlpFixtures.START_NANOS + 1_000;
    LlmSpan span = mapOne(span()
        .addAttributes(attr("gen_ai.operation.name", "chat"))
        .addEvents(event("gen_ai.system.message", t, attr("content", "Be brief.")))
        .addEvents(event("gen_ai.user.message", t, attr("gen_ai.event.content", "{\"content\":\"Weather in Paris?\"}")))
        .addEvents(event("gen_ai.tool.message", t, attr("content", "18C"), attr("id", "call_1")))
        .addEvents(event("gen_ai.choice", t, attr("finish_reason", "stop"),
            attr("message", kvlist(attr("role", "assistant"), attr("content", "18C and sunny.")))))
        .build());

    assertThat(span.getPrompt().getMessages()).containsExactly(
        new Message("system", "Be brief.", null, null),
        new Message("user", "Weather in Paris?", null, null),
        new Message("tool", "18C", null, "call_1"));
    assertThat(span.getOutput().getText()).isEqualTo("18C and sunny.");
    assertThat(span.getOutput().getFinishReason()).isEqualTo("stop");
    assertThat(span.getEvents()).extracting(e -> e.getName()).containsExactly(
        "gen_ai.system.message", "gen_ai.user.message", "gen_ai.tool.message", "gen_ai.choice");
  }

  @Test
  void attributeMessagesWinOverMessageEvents() {
    LlmSpan span = mapOne(span()
        .addAttributes(attr("gen_ai.input.messages", "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"from attributes\"}]}]"))
        .addEvents(event("gen_ai.user.message", OtlpFixtures.START_NANOS, attr("content", "from an event")))
        .build());

    assertThat(span.getPrompt().getMessages()).extracting(Message::getContent).containsExactly("from attributes");
  }

  @Test
  void executeToolSpanMapsToAToolExecution() {
    LlmSpan span = mapOne(span()
        .setName("execute_tool crm_account_lookup")
        .addAttributes(attr("gen_ai.operation.name", "execute_tool"))
        .addAttributes(attr("gen_ai.tool.name", "crm_account_lookup"))
        .addAttributes(attr("gen_ai.tool.call.id", "call_8e1"))
        .addAttributes(attr("gen_ai.tool.call.arguments", "{\"account_id\":\"acc_42\"}"))
        .addAttributes(attr("gen_ai.tool.call.result", "{\"plan\":\"annual\"}"))
        .build());

    assertThat(span.getKind()).isEqualTo(SpanKind.TOOL);
    assertThat(span.getToolExecution()).isEqualTo(new ToolExecution(
        "crm_account_lookup", "call_8e1", "{\"account_id\":\"acc_42\"}", "{\"plan\":\"annual\"}", ToolExecutionStatus.SUCCESS));
    assertThat(span.getAttributes()).doesNotContainKey("gen_ai.tool.call.id");
  }

  @Test
  void toolCallIdOnASpanWithoutAToolStaysAnAttribute() {
    LlmSpan span = mapOne(spanWith(attr("gen_ai.request.model", "gpt-4o"), attr("gen_ai.tool.call.id", "call_8e1")));

    assertThat(span.getToolExecution()).isNull();
    assertThat(span.getAttributes()).containsEntry("gen_ai.tool.call.id", "call_8e1");
  }

  @Test
  void guardrailSpanTakesTheWorstSeverityOfItsSecurityFindings() {
    // The GenAI security convention: an apply_guardrail span, one gen_ai.security.finding event per risk found
    LlmSpan span = mapOne(span()
        .setName("apply_guardrail Bedrock Guardrails")
        .addAttributes(attr("gen_ai.operation.name", "apply_guardrail"))
        .addAttributes(attr("gen_ai.security.decision.type", "deny"))
        .addEvents(event("gen_ai.security.finding", OtlpFixtures.START_NANOS,
            attr("gen_ai.security.risk.category", "pii"), attr("gen_ai.security.risk.severity", "medium")))
        .addEvents(event("gen_ai.security.finding", OtlpFixtures.START_NANOS,
            attr("gen_ai.security.risk.category", "prompt_injection"), attr("gen_ai.security.risk.severity", "HIGH")))
        .addEvents(event("gen_ai.security.finding", OtlpFixtures.START_NANOS,
            attr("gen_ai.security.risk.category", "toxicity"), attr("gen_ai.security.risk.severity", "none")))
        .build());

    assertThat(span.getKind()).isEqualTo(SpanKind.GUARDRAIL);
    assertThat(span.getPolicySeverity()).isEqualTo("high");
    assertThat(span.getEvents()).extracting(e -> e.getName()).containsOnly("gen_ai.security.finding").hasSize(3);
    assertThat(span.getAttributes()).containsEntry("gen_ai.security.decision.type", "deny");
  }

  @Test
  void ourSeverityOutranksTheFindingsAndAnUnknownLevelStaysAnAttribute() {
    LlmSpan explicit = mapOne(span()
        .addAttributes(attr("llmtrace.span.kind", "POLICY_CHECK"))
        .addAttributes(attr("llmtrace.policy.severity", "Critical"))
        .addEvents(event("gen_ai.security.finding", OtlpFixtures.START_NANOS, attr("gen_ai.security.risk.severity", "low")))
        .build());
    LlmSpan vendor = mapOne(spanWith(attr("llmtrace.span.kind", "GUARDRAIL"), attr("llmtrace.policy.severity", "warning")));
    LlmSpan onTheSpan = mapOne(spanWith(attr("llmtrace.span.kind", "GUARDRAIL"), attr("gen_ai.security.risk.severity", "low")));

    assertThat(explicit.getPolicySeverity()).isEqualTo("critical");
    assertThat(explicit.getAttributes()).doesNotContainKey("llmtrace.policy.severity");
    assertThat(vendor.getPolicySeverity()).isNull();
    assertThat(vendor.getAttributes()).containsEntry("llmtrace.policy.severity", "warning");
    assertThat(onTheSpan.getPolicySeverity()).isEqualTo("low");
  }

  @Test
  void citationCoverageIsAShareAndAPercentageStaysAnAttribute() {
    LlmSpan share = mapOne(spanWith(attr("gen_ai.request.model", "gpt-4o"), attr("llmtrace.citation_coverage", 0.75)));
    LlmSpan asText = mapOne(spanWith(attr("gen_ai.request.model", "gpt-4o"), attr("llmtrace.citation_coverage", "1")));
    LlmSpan percentage = mapOne(spanWith(attr("gen_ai.request.model", "gpt-4o"), attr("llmtrace.citation_coverage", 75L)));

    assertThat(share.getCitationCoverage()).isEqualTo(0.75);
    assertThat(share.getAttributes()).doesNotContainKey("llmtrace.citation_coverage");
    assertThat(asText.getCitationCoverage()).isEqualTo(1.0);
    assertThat(percentage.getCitationCoverage()).isNull();
    assertThat(percentage.getAttributes()).containsEntry("llmtrace.citation_coverage", "75");
  }

  @Test
  void failedToolCallThatTimedOutIsATimeout() {
    LlmSpan span = mapOne(span()
        .addAttributes(attr("gen_ai.operation.name", "execute_tool"))
        .addAttributes(attr("gen_ai.tool.name", "crm_account_lookup"))
        .addAttributes(attr("error.type", "java.net.SocketTimeoutException"))
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("Read timed out"))
        .build());

    assertThat(span.getToolExecution().getStatus()).isEqualTo(ToolExecutionStatus.TIMEOUT);
    assertThat(span.getTimedOut()).isTrue();
    assertThat(span.getStatus()).isEqualTo(SpanStatus.ERROR);
    assertThat(span.getErrorType()).isEqualTo("java.net.SocketTimeoutException");
    assertThat(span.getErrorMessage()).isEqualTo("Read timed out");
  }

  @Test
  void evaluationAttributesAndEvaluationEventsBecomeEvaluations() {
    LlmSpan span = mapOne(span()
        .addAttributes(attr("gen_ai.evaluation.name", "relevance"))
        .addAttributes(attr("gen_ai.evaluation.score.value", 0.8))
        .addAttributes(attr("gen_ai.evaluation.score.label", "relevant"))
        .addEvents(event("gen_ai.evaluation.result", OtlpFixtures.START_NANOS,
            attr("gen_ai.evaluation.name", "answer_cites_source"),
            attr("gen_ai.evaluation.score.value", 0L),
            attr("gen_ai.evaluation.score.label", "fail"),
            attr("gen_ai.evaluation.explanation", "No document is cited.")))
        .build());

    assertThat(span.getEvaluations()).containsExactly(
        new Evaluation("relevance", null, 0.8, null, "relevant", null),
        new Evaluation("answer_cites_source", null, 0.0, false, "fail", "No document is cited."));
    assertThat(span.getEvents()).extracting(e -> e.getName()).containsExactly("gen_ai.evaluation.result");
  }

  @Test
  void scoreWithoutEvaluatorNameStaysAnAttributeInsteadOfFailingValidation() {
    LlmSpan span = mapOne(spanWith(attr("gen_ai.evaluation.score.value", 0.5)));

    assertThat(span.getEvaluations()).isEmpty();
    assertThat(span.getAttributes()).containsEntry("gen_ai.evaluation.score.value", "0.5");
  }

  @Test
  void totalTokensAreInputPlusOutputWhenNotReported() {
    LlmSpan span = mapOne(spanWith(attr("gen_ai.usage.input_tokens", 100L), attr("gen_ai.usage.output_tokens", "20")));

    assertThat(span.getUsage().getTotalTokens()).isEqualTo(120L);
    assertThat(span.getUsage().getOutputTokens()).isEqualTo(20L);
  }

  @Test
  void modelCallWithoutACostAttributeHasNoCostNotAZeroOne() {
    // What an OTel SDK sends for an Anthropic call: tokens, no price; pricing is the enricher's job.
    LlmSpan span = mapOne(spanWith(attr("gen_ai.provider.name", "anthropic"),
        attr("gen_ai.request.model", "claude-3-5-sonnet-20241022"),
        attr("gen_ai.usage.input_tokens", 100L), attr("gen_ai.usage.output_tokens", 20L)));

    assertThat(span.getUsage().getTotalTokens()).isEqualTo(120L);
    assertThat(span.getCost()).isNull();
  }

  @Test
  void costAmountThatIsNotANumberStaysAnAttributeAndGivesNoCost() {
    LlmSpan span = mapOne(spanWith(attr("gen_ai.request.model", "gpt-4o"), attr("llmtrace.cost.amount", "n/a"),
        attr("llmtrace.cost.currency", "usd")));

    assertThat(span.getCost()).isNull();
    assertThat(span.getAttributes()).containsEntry("llmtrace.cost.amount", "n/a");
  }

  @Test
  void valueThatDoesNotConvertStaysAnAttribute() {
    LlmSpan span = mapOne(spanWith(attr("gen_ai.request.model", "gpt-4o"), attr("gen_ai.request.max_tokens", "lots")));

    assertThat(span.getGenerationSettings()).isNull();
    assertThat(span.getAttributes()).containsEntry("gen_ai.request.max_tokens", "lots");
  }

  @Test
  void finishReasonsOfSeveralChoicesAreJoined() {
    LlmSpan span = mapOne(spanWith(attr("gen_ai.response.finish_reasons", OtlpFixtures.strings("stop", "length"))));

    assertThat(span.getOutput().getFinishReason()).isEqualTo("stop,length");
  }
}
