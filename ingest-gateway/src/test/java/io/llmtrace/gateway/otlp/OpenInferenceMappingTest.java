package io.llmtrace.gateway.otlp;

import static io.llmtrace.gateway.otlp.OtlpFixtures.attr;
import static io.llmtrace.gateway.otlp.OtlpFixtures.mapOne;
import static io.llmtrace.gateway.otlp.OtlpFixtures.span;
import static io.llmtrace.gateway.otlp.OtlpFixtures.spanWith;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.schemas.avro.GenerationSettings;
import io.llmtrace.schemas.avro.LlmOutput;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.Message;
import io.llmtrace.schemas.avro.ModelInfo;
import io.llmtrace.schemas.avro.PromptInfo;
import io.llmtrace.schemas.avro.Retrieval;
import io.llmtrace.schemas.avro.RetrievedDocument;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.TokenUsage;
import io.llmtrace.schemas.avro.ToolCall;
import io.llmtrace.schemas.avro.ToolDefinition;
import io.llmtrace.schemas.avro.ToolExecution;
import io.llmtrace.schemas.avro.ToolExecutionStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** OpenInference (Arize Phoenix) span attributes onto LlmSpan. */
class OpenInferenceMappingTest {

  @Test
  void llmSpanWithMessagesTokensAndPromptTemplateMaps() {
    LlmSpan span = mapOne(span()
        .setName("ChatCompletion")
        .addAttributes(attr("openinference.span.kind", "LLM"))
        .addAttributes(attr("llm.provider", "openai"))
        .addAttributes(attr("llm.system", "openai"))
        .addAttributes(attr("llm.model_name", "gpt-4o-mini"))
        .addAttributes(attr("llm.invocation_parameters", "{\"temperature\":0.1,\"max_tokens\":256,\"seed\":7}"))
        .addAttributes(attr("llm.input_messages.0.message.role", "system"))
        .addAttributes(attr("llm.input_messages.0.message.content", "You are terse."))
        .addAttributes(attr("llm.input_messages.1.message.role", "user"))
        .addAttributes(attr("llm.input_messages.1.message.contents.0.message_content.type", "text"))
        .addAttributes(attr("llm.input_messages.1.message.contents.0.message_content.text", "Weather in Paris?"))
        .addAttributes(attr("llm.input_messages.2.message.role", "tool"))
        .addAttributes(attr("llm.input_messages.2.message.content", "18C"))
        .addAttributes(attr("llm.input_messages.2.message.tool_call_id", "call_1"))
        .addAttributes(attr("llm.output_messages.0.message.role", "assistant"))
        .addAttributes(attr("llm.output_messages.0.message.content", "18C and sunny."))
        .addAttributes(attr("llm.output_messages.0.message.tool_calls.0.tool_call.id", "call_2"))
        .addAttributes(attr("llm.output_messages.0.message.tool_calls.0.tool_call.function.name", "get_forecast"))
        .addAttributes(attr("llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments", "{\"days\":3}"))
        .addAttributes(attr("llm.tools.0.tool.json_schema",
            "{\"type\":\"function\",\"function\":{\"name\":\"get_forecast\",\"description\":\"Forecast\",\"parameters\":{\"type\":\"object\"}}}"))
        .addAttributes(attr("llm.token_count.prompt", 120L))
        .addAttributes(attr("llm.token_count.completion", 30L))
        .addAttributes(attr("llm.token_count.total", 150L))
        .addAttributes(attr("llm.token_count.prompt_details.cache_read", 64L))
        .addAttributes(attr("llm.token_count.prompt_details.cache_write", 8L))
        .addAttributes(attr("llm.token_count.completion_details.reasoning", 4L))
        .addAttributes(attr("llm.prompt_template.template", "Weather in {city}?"))
        .addAttributes(attr("llm.prompt_template.version", "v3"))
        .addAttributes(attr("llm.prompt_template.variables", "{\"city\":\"Paris\",\"days\":3}"))
        .addAttributes(attr("input.value", "{\"messages\":[]}"))
        .addAttributes(attr("input.mime_type", "application/json"))
        .addAttributes(attr("session.id", "sess-1"))
        .addAttributes(attr("user.id", "u-1"))
        .addAttributes(attr("metadata", "{\"experiment\":\"b\"}"))
        .build());

    assertThat(span.getKind()).isEqualTo(SpanKind.LLM);
    assertThat(span.getModel()).isEqualTo(new ModelInfo("openai", "gpt-4o-mini", null, null));
    assertThat(span.getGenerationSettings()).isEqualTo(new GenerationSettings(0.1, 256, null, 7L, null, null,
        List.of(new ToolDefinition("get_forecast", "Forecast", "{\"type\":\"object\"}"))));
    // no prompt name key: the span name, and the attribute says so
    assertThat(span.getPrompt()).isEqualTo(new PromptInfo("ChatCompletion", "v3", null, "Weather in {city}?",
        Map.of("city", "Paris", "days", "3"), List.of(
        new Message("system", "You are terse.", null, null),
        new Message("user", "Weather in Paris?", null, null),
        new Message("tool", "18C", null, "call_1"))));
    assertThat(span.getOutput()).isEqualTo(new LlmOutput("18C and sunny.", null, null,
        List.of(new ToolCall("call_2", "get_forecast", "{\"days\":3}"))));
    assertThat(span.getUsage()).isEqualTo(new TokenUsage(120L, 30L, 64L, 8L, 4L, 150L));
    assertThat(span.getSessionId()).isEqualTo("sess-1");
    assertThat(span.getUserId()).isEqualTo("u-1");
    assertThat(span.getAttributes())
        .containsEntry("llmtrace.prompt.name_source", "span_name")
        .containsEntry("input.value", "{\"messages\":[]}") // an LLM's raw JSON request has no field of its own
        .containsEntry("metadata", "{\"experiment\":\"b\"}")
        .doesNotContainKeys("llm.model_name", "llm.invocation_parameters", "llm.input_messages.0.message.content",
            "llm.output_messages.0.message.tool_calls.0.tool_call.function.name", "llm.token_count.prompt",
            "openinference.span.kind", "llm.system", "llm.prompt_template.template");
  }

  @Test
  void promptTemplateNameIsThePromptNameAndSaysWhereItCameFrom() {
    LlmSpan span = mapOne(span()
        .setName("ChatCompletion")
        .addAttributes(attr("openinference.span.kind", "LLM"))
        .addAttributes(attr("llm.model_name", "gpt-4o-mini"))
        .addAttributes(attr("llm.prompt_template.name", "weather_forecast"))
        .addAttributes(attr("llm.prompt_template.version", "v3"))
        .build());

    assertThat(span.getPrompt().getName()).isEqualTo("weather_forecast");
    assertThat(span.getPrompt().getVersion()).isEqualTo("v3");
    assertThat(span.getAttributes()).containsEntry("llmtrace.prompt.name_source", "llm.prompt_template.name")
        .doesNotContainKeys("llm.prompt_template.name", "llm.prompt_template.version");
  }

  @Test
  void aPromptNameKeyWinsAndNeedsNoSource() {
    LlmSpan span = mapOne(spanWith(attr("openinference.span.kind", "LLM"), attr("llm.prompt_template.name", "weather_forecast"),
        attr("llmtrace.prompt.name", "weather"), attr("llm.prompt_template.version", "v3")));

    assertThat(span.getPrompt().getName()).isEqualTo("weather");
    assertThat(span.getAttributes()).containsEntry("llm.prompt_template.name", "weather_forecast") // the loser is kept
        .doesNotContainKey("llmtrace.prompt.name_source");
  }

  @Test
  void aSpanWithMessagesButNoPromptVersionOrTemplateGetsNoInventedName() {
    LlmSpan span = mapOne(spanWith(attr("openinference.span.kind", "LLM"), attr("llm.input_messages.0.message.role", "user"),
        attr("llm.input_messages.0.message.content", "hi")));

    assertThat(span.getPrompt().getName()).isNull();
    assertThat(span.getAttributes()).doesNotContainKey("llmtrace.prompt.name_source");
  }

  @Test
  void responseFormatSchemaIsKeptForOutputValidationWhenTheParametersAreConsumed() {
    String schema = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}";
    LlmSpan span = mapOne(spanWith(attr("openinference.span.kind", "LLM"), attr("llm.model_name", "gpt-4o"),
        attr("llm.invocation_parameters", "{\"temperature\":0,\"response_format\":{\"type\":\"json_schema\","
            + "\"json_schema\":{\"name\":\"weather\",\"strict\":true,\"schema\":" + schema + "}}}")));

    assertThat(span.getGenerationSettings().getResponseFormat()).isEqualTo("weather");
    assertThat(span.getAttributes()).containsEntry("llmtrace.response_format.schema", schema)
        .doesNotContainKey("llm.invocation_parameters");
  }

  @Test
  void retrieverSpanMapsQueryAndDocuments() {
    LlmSpan span = mapOne(span()
        .setName("retrieve")
        .addAttributes(attr("openinference.span.kind", "RETRIEVER"))
        .addAttributes(attr("input.value", "refund annual plan"))
        .addAttributes(attr("embedding.model_name", "text-embedding-3-small"))
        .addAttributes(attr("retrieval.documents.0.document.id", "kb-refunds"))
        .addAttributes(attr("retrieval.documents.0.document.content", "Annual plans can be refunded within 30 days."))
        .addAttributes(attr("retrieval.documents.0.document.score", 0.83))
        .addAttributes(attr("retrieval.documents.0.document.metadata", "{\"source\":\"kb\"}"))
        .addAttributes(attr("retrieval.documents.1.document.content", "Enterprise contracts differ."))
        .addAttributes(attr("retrieval.documents.1.document.score", 0.79))
        .build());

    assertThat(span.getKind()).isEqualTo(SpanKind.RETRIEVAL);
    assertThat(span.getRetrieval()).isEqualTo(new Retrieval("refund annual plan", null, null, "text-embedding-3-small", List.of(
        new RetrievedDocument("kb-refunds", null, 0.83, null, null, "Annual plans can be refunded within 30 days."),
        new RetrievedDocument("#1", null, 0.79, null, null, "Enterprise contracts differ."))));
    assertThat(span.getModel()).isNull();
    assertThat(span.getAttributes()).containsEntry("retrieval.documents.0.document.metadata", "{\"source\":\"kb\"}")
        .doesNotContainKeys("input.value", "retrieval.documents.0.document.id");
  }

  @Test
  void rerankerSpanMapsOutputDocumentsAsRerankScores() {
    LlmSpan span = mapOne(spanWith(
        attr("openinference.span.kind", "RERANKER"),
        attr("reranker.query", "refund"),
        attr("reranker.model_name", "rerank-v3"),
        attr("reranker.output_documents.0.document.id", "kb-refunds"),
        attr("reranker.output_documents.0.document.score", 0.91)));

    assertThat(span.getKind()).isEqualTo(SpanKind.RERANK);
    assertThat(span.getRetrieval().getQuery()).isEqualTo("refund");
    assertThat(span.getRetrieval().getDocuments()).containsExactly(new RetrievedDocument("kb-refunds", null, null, 0.91, null, null));
    assertThat(span.getModel().getName()).isEqualTo("rerank-v3");
  }

  @Test
  void toolSpanNamesTheToolCallItAnswers() {
    LlmSpan span = mapOne(spanWith(attr("openinference.span.kind", "TOOL"), attr("tool.name", "get_forecast"),
        attr("tool_call.id", "call_2")));

    assertThat(span.getToolExecution().getCallId()).isEqualTo("call_2");
    assertThat(span.getAttributes()).doesNotContainKey("tool_call.id");
  }

  @Test
  void toolSpanMapsNameArgumentsAndResult() {
    LlmSpan span = mapOne(span()
        .setName("get_forecast")
        .addAttributes(attr("openinference.span.kind", "TOOL"))
        .addAttributes(attr("tool.name", "get_forecast"))
        .addAttributes(attr("tool.description", "Forecast for a city"))
        .addAttributes(attr("tool.parameters", "{\"type\":\"object\"}"))
        .addAttributes(attr("input.value", "{\"city\":\"Paris\",\"days\":3}"))
        .addAttributes(attr("output.value", "sunny"))
        .build());

    assertThat(span.getKind()).isEqualTo(SpanKind.TOOL);
    assertThat(span.getToolExecution()).isEqualTo(
        new ToolExecution("get_forecast", null, "{\"city\":\"Paris\",\"days\":3}", "sunny", ToolExecutionStatus.SUCCESS));
    assertThat(span.getAttributes()).containsEntry("tool.description", "Forecast for a city")
        .doesNotContainKeys("input.value", "output.value", "tool.name");
  }

  @Test
  void agentOutputValueIsTheOutputTextButAChainKeepsItsInputAndOutputAsAttributes() {
    LlmSpan agent = mapOne(spanWith(attr("openinference.span.kind", "AGENT"), attr("output.value", "Done: refund issued.")));
    LlmSpan chain = mapOne(spanWith(attr("openinference.span.kind", "CHAIN"), attr("input.value", "q"), attr("output.value", "a")));

    assertThat(agent.getKind()).isEqualTo(SpanKind.AGENT_STEP);
    assertThat(agent.getOutput().getText()).isEqualTo("Done: refund issued.");
    assertThat(chain.getKind()).isEqualTo(SpanKind.CHAIN);
    assertThat(chain.getOutput()).isNull();
    assertThat(chain.getAttributes()).containsEntry("input.value", "q").containsEntry("output.value", "a");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "LLM, LLM", "EMBEDDING, EMBEDDING", "RETRIEVER, RETRIEVAL", "RERANKER, RERANK", "TOOL, TOOL",
      "AGENT, AGENT_STEP", "CHAIN, CHAIN", "GUARDRAIL, GUARDRAIL", "EVALUATOR, EVALUATION", "llm, LLM"})
  void spanKindsMap(String openInference, SpanKind kind) {
    assertThat(mapOne(spanWith(attr("openinference.span.kind", openInference))).getKind()).isEqualTo(kind);
  }

  @Test
  void unknownOpenInferenceKindIsKeptAndTheKindIsInferred() {
    LlmSpan span = mapOne(spanWith(attr("openinference.span.kind", "PROMPT")));

    assertThat(span.getKind()).isEqualTo(SpanKind.UNKNOWN);
    assertThat(span.getAttributes()).containsEntry("openinference.span.kind", "PROMPT");
  }

  @Test
  void invocationParametersWithUnmappedSettingsAreKeptWhole() {
    String parameters = "{\"temperature\":0.3,\"stop\":[\"\\n\"]}";
    LlmSpan span = mapOne(spanWith(attr("llm.model_name", "gpt-4o"), attr("llm.invocation_parameters", parameters)));

    assertThat(span.getGenerationSettings().getTemperature()).isEqualTo(0.3);
    assertThat(span.getAttributes()).containsEntry("llm.invocation_parameters", parameters);
  }

  @Test
  void absurdMessageIndexStaysAnAttributeInsteadOfAllocatingAHugeList() {
    LlmSpan span = mapOne(spanWith(attr("llm.input_messages.999999.message.content", "x")));

    assertThat(span.getPrompt()).isNull();
    assertThat(span.getAttributes()).containsEntry("llm.input_messages.999999.message.content", "x");
  }
}
