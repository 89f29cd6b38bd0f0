package io.llmtrace.processors.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.llmtrace.schemas.avro.GenerationSettings;
import io.llmtrace.schemas.avro.LlmOutput;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.OutputValidation;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.ToolCall;
import io.llmtrace.schemas.avro.ToolDefinition;
import io.llmtrace.schemas.avro.ToolExecution;
import io.llmtrace.schemas.avro.ToolExecutionStatus;
import io.llmtrace.schemas.testing.TestSpans;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Structured-output and tool-argument validation on the cases production sends. */
class OutputValidatorTest {

  /** OpenAI's get_weather example: an object with a required city and an enum unit, nothing else. */
  private static final String WEATHER_SCHEMA = """
      {"type":"object","properties":{"city":{"type":"string","minLength":1},
       "unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city"],"additionalProperties":false}""";

  private final OutputValidator validator = new OutputValidator();

  @Test
  void jsonObjectOutputThatParsesPasses() {
    LlmSpan span = call("json_object", "{\"answer\":\"Refunds take 5 days.\",\"confidence\":0.82}\n");

    OutputValidation result = validated(span);

    assertThat(result.getJsonRequested()).isTrue();
    assertThat(result.getJsonParseFailed()).isFalse();
    assertThat(result.getSchemaValidationFailed()).isFalse();
    assertThat(result.getChecksNotRun()).isZero();
    assertThat(result.getErrors()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "Sure! Here is the JSON: {\"answer\":\"Refunds take 5 days.\"}",
      "```json\n{\"answer\":\"Refunds take 5 days.\"}\n```",
      "{\"answer\":\"Refunds take 5 days.\"} Let me know if you need anything else!",
      "{\"answer\":\"Refunds take 5 days.\"",
      ""})
  void outputThatIsNotOneJsonValueFailsWhenJsonWasAsked(String text) {
    LlmSpan span = call("json_object", text);

    OutputValidation result = validated(span);

    assertThat(result.getJsonRequested()).isTrue();
    assertThat(result.getJsonParseFailed()).isTrue();
    assertThat(result.getErrors()).singleElement().asString().startsWith("output.text: not JSON")
        .doesNotContain("Refunds", "Sure", "json\n", "Let me");
  }

  @Test
  void textOutputIsNotCheckedWhenNoJsonWasAskedAndThereIsNothingElse() {
    assertThat(validated(call("text", "Refunds take 5 days."))).isNull();
    assertThat(validated(call(null, "Refunds take 5 days."))).isNull();
    assertThat(validated(TestSpans.minimal())).isNull();
  }

  @Test
  void aJsonSchemaNameOrAStructuredOutputMeansJsonWasAsked() {
    LlmSpan named = call("weather_report", "It is sunny.");
    LlmSpan structured = call(null, "It is sunny.");
    structured.getOutput().setStructuredOutputJson("{\"city\":\"Paris\"}");

    assertThat(validated(named).getJsonParseFailed()).isTrue();
    OutputValidation result = validated(structured);
    assertThat(result.getJsonRequested()).isTrue();
    assertThat(result.getJsonParseFailed()).as("the structured output is what is parsed, not the prose").isFalse();
  }

  @Test
  void outputFailingTheResponseSchemaTheSpanCarriesIsASchemaFailure() {
    LlmSpan span = call("weather_report", "{\"city\":\"Paris\",\"unit\":\"kelvin\"}");
    span.getAttributes().put(OutputValidator.RESPONSE_SCHEMA, WEATHER_SCHEMA);
    LlmSpan fine = call("weather_report", "{\"city\":\"Paris\",\"unit\":\"celsius\"}");
    fine.getAttributes().put(OutputValidator.RESPONSE_SCHEMA, WEATHER_SCHEMA);

    OutputValidation result = validated(span);

    assertThat(result.getJsonParseFailed()).isFalse();
    assertThat(result.getSchemaValidationFailed()).isTrue();
    assertThat(result.getErrors()).containsExactly("output.text: enum at /unit");
    assertThat(validated(fine).getSchemaValidationFailed()).isFalse();
  }

  @Test
  void toolArgumentsFailingTheToolsSchemaAreCountedPerCall() {
    // Given a model that called get_weather three times: right, without the city, and with a secret in a wrong type
    LlmSpan span = toolCalls(
        "{\"city\":\"Paris\",\"unit\":\"celsius\"}",
        "{\"unit\":\"celsius\"}",
        "{\"city\":[\"sk-live-4f9a2b\"]}");

    OutputValidation result = validated(span);

    assertThat(result.getJsonRequested()).isFalse();
    assertThat(result.getToolArgumentFailures()).isEqualTo(2);
    assertThat(result.getErrors()).containsExactly(
        "output.tool_calls[1].arguments_json: required 'city' at /",
        "output.tool_calls[2].arguments_json: type at /city");
    assertThat(String.join(" ", result.getErrors())).doesNotContain("sk-live");
  }

  @Test
  void toolArgumentsThatAreNotJsonFailEvenWithoutASchema() {
    LlmSpan span = toolCalls("{\"city\": \"Paris\"");
    span.getGenerationSettings().getTools().get(0).setParametersJson(null);

    OutputValidation result = validated(span);

    assertThat(result.getToolArgumentFailures()).isEqualTo(1);
    assertThat(result.getErrors()).singleElement().asString().startsWith("output.tool_calls[0].arguments_json: not JSON (line 1, column");
  }

  @Test
  void aToolExecutionIsCheckedAgainstTheDefinitionOnTheSameSpanOnly() {
    LlmSpan withDefinition = toolCalls();
    withDefinition.setToolExecution(new ToolExecution("get_weather", "call_1", "{\"town\":\"Paris\"}", "18C", ToolExecutionStatus.SUCCESS));
    LlmSpan toolSpan = TestSpans.minimal();
    toolSpan.setKind(SpanKind.TOOL);
    toolSpan.setToolExecution(new ToolExecution("get_weather", "call_1", "Paris, please", "18C", ToolExecutionStatus.SUCCESS));

    OutputValidation result = validated(withDefinition);

    assertThat(result.getToolArgumentFailures()).isEqualTo(1);
    assertThat(result.getErrors()).containsExactly("tool_execution.arguments_json: required 'city' at /");
    assertThat(validated(toolSpan)).as("no schema on a TOOL span; its input may be any text").isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"strng\"}}}",         // no such type
      "{\"type\":\"object\",\"required\":\"city\"}",                                    // required must be an array
      "{\"type\":\"object\",\"properties\":",                                           // not JSON
      "[\"city\"]",                                                                     // not a schema
      "{\"$ref\":\"#/$defs/missing\"}",                                                 // dangling reference
      "{\"$ref\":\"https://schemas.example.com/weather.json\"}",                        // never fetched
      "{\"$ref\":\"classpath:redaction-policy.default.yaml\"}",                         // nor read from the classpath
      "{\"$schema\":\"https://example.com/my-dialect\",\"type\":\"object\"}",           // unknown dialect
      "{\"type\":\"string\",\"pattern\":\"(unclosed\"}"})                              // a regex Java cannot compile
  void aBrokenSchemaIsACheckThatDidNotRunNeverACrash(String schema) {
    LlmSpan span = toolCalls("{\"city\":\"Paris\"}", "{\"city\":\"Lyon\"}");
    span.getGenerationSettings().getTools().get(0).setParametersJson(schema);

    OutputValidation result = validated(span);

    assertThat(result.getToolArgumentFailures()).isZero();
    assertThat(result.getChecksNotRun()).isEqualTo(2);
    assertThat(result.getErrors()).containsOnly("generation_settings.tools[0].parameters_json: not run, schema_invalid");
    assertThat(validator.cachedSchemas()).as("compiled once, the failure remembered").isEqualTo(1);
  }

  @Test
  void aDraft7SchemaIsReadAsDraft7() {
    LlmSpan span = toolCalls("{\"city\":\"Paris\",\"days\":3}");
    span.getGenerationSettings().getTools().get(0).setParametersJson("""
        {"$schema":"http://json-schema.org/draft-07/schema#","type":"object",
         "properties":{"days":{"type":"integer","exclusiveMaximum":3}},"required":["city"]}""");

    assertThat(validated(span).getErrors()).containsExactly("output.tool_calls[0].arguments_json: exclusiveMaximum at /days");
  }

  @Test
  void aMegabyteOfOutputIsValidatedAndTwoAreNotRun() {
    // Given a 1 MB structured answer (7,700 citations) with a schema, and a 2 MB one
    String schema = "{\"type\":\"object\",\"properties\":{\"citations\":{\"type\":\"array\",\"items\":"
        + "{\"type\":\"object\",\"properties\":{\"doc_id\":{\"type\":\"string\",\"pattern\":\"^kb-[0-9]+$\"},"
        + "\"quote\":{\"type\":\"string\"}},\"required\":[\"doc_id\",\"quote\"]}}},\"required\":[\"citations\"]}";
    String megabyte = citations(7_700);
    String twoMegabytes = citations(16_000);
    assertThat(megabyte.length()).isBetween(1_000_000, OutputValidator.Limits.DEFAULT_MAX_TEXT_CHARS);
    LlmSpan big = call("citations", megabyte);
    big.getAttributes().put(OutputValidator.RESPONSE_SCHEMA, schema);
    LlmSpan tooBig = call("citations", twoMegabytes);
    tooBig.getAttributes().put(OutputValidator.RESPONSE_SCHEMA, schema);

    // When both are validated
    long start = System.nanoTime();
    OutputValidation result = validated(big);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    OutputValidation skipped = validated(tooBig);

    // Then the megabyte is parsed and validated in well under a second's budget, the rest is said to be too large
    assertThat(result.getJsonParseFailed()).isFalse();
    assertThat(result.getSchemaValidationFailed()).isFalse();
    assertThat(result.getChecksNotRun()).isZero();
    assertThat(took).isLessThan(Duration.ofSeconds(5));
    assertThat(skipped.getJsonParseFailed()).isFalse();
    assertThat(skipped.getChecksNotRun()).isEqualTo(1);
    assertThat(skipped.getErrors()).containsExactly("output.text: not run, too_large (" + twoMegabytes.length() + " chars)");
  }

  @Test
  void oneBadItemInAMegabyteIsFoundAndNamedByItsPointer() {
    String schema = "{\"type\":\"object\",\"properties\":{\"citations\":{\"type\":\"array\",\"items\":"
        + "{\"type\":\"object\",\"required\":[\"doc_id\"]}}}}";
    String text = citations(7_700).replace("{\"doc_id\":\"kb-7000\",", "{");
    LlmSpan span = call("citations", text);
    span.getAttributes().put(OutputValidator.RESPONSE_SCHEMA, schema);

    assertThat(validated(span).getErrors()).containsExactly("output.text: required 'doc_id' at /citations/7000");
  }

  @Test
  void jsonNestedDeeperThanAnyAnswerIsNotRunRatherThanRecursedInto() {
    String deep = "[".repeat(5_000) + "]".repeat(5_000);

    OutputValidation result = validated(call("json_object", deep));

    assertThat(result.getJsonParseFailed()).isFalse();
    assertThat(result.getChecksNotRun()).isEqualTo(1);
    assertThat(result.getErrors()).singleElement().asString().startsWith("output.text: not run, too_large");
  }

  @Test
  void aCatastrophicPatternRunsOutOfTimeInsteadOfStallingTheStage() {
    // Given a schema whose pattern backtracks for minutes on 40 'a's and a '!' (Java 17 memoizes (a+)+, not
    // a bounded repeat of .*), and a budget of 100 ms
    LlmSpan span = toolCalls("{\"city\":\"" + "a".repeat(40) + "!\"}");
    span.getGenerationSettings().getTools().get(0).setParametersJson(
        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"pattern\":\"^(.*a){12}$\"}}}");
    OutputValidator quick = new OutputValidator(new OutputValidator.Limits(1 << 20, 64 << 10, 16, Duration.ofMillis(100)));

    long start = System.nanoTime();
    OutputValidation result = quick.check(span);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(result.getToolArgumentFailures()).isZero();
    assertThat(result.getChecksNotRun()).isEqualTo(1);
    assertThat(result.getErrors()).containsExactly("output.tool_calls[0].arguments_json: not run, timeout");
    assertThat(took).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void textTheGatewayTruncatedIsNotCountedAsBrokenJson() {
    LlmSpan span = call("json_object", "{\"answer\":\"Refunds take 5 d…[truncated 40000 chars]");
    span.getAttributes().put(OutputValidator.TRUNCATED, "prompt.messages[0].content,output.text");

    OutputValidation result = validated(span);

    assertThat(result.getJsonParseFailed()).isFalse();
    assertThat(result.getChecksNotRun()).isEqualTo(1);
    assertThat(result.getErrors()).containsExactly("output.text: not run, truncated");
  }

  @Test
  void theGatewaysTruncationMarkIsEnoughWhenAnAllowlistRemovedTheAttribute() {
    LlmSpan cut = toolCalls("{\"city\":\"Par…[truncated 40000 chars]");
    LlmSpan mentionsIt = toolCalls("{\"city\":\"…[truncated 3 chars]\"}");

    OutputValidation result = validated(cut);

    assertThat(result.getToolArgumentFailures()).isZero();
    assertThat(result.getErrors()).containsExactly("output.tool_calls[0].arguments_json: not run, truncated");
    assertThat(validated(mentionsIt).getErrors()).as("only at the very end").isEmpty();
  }

  @Test
  void eachDistinctSchemaIsCompiledOnceAndTheCacheIsBounded() {
    OutputValidator small = new OutputValidator(new OutputValidator.Limits(1 << 20, 64 << 10, 4, Duration.ofMillis(250)));
    for (int i = 0; i < 200; i++) {
      small.validate(toolCalls("{\"city\":\"Paris\"}"));
    }
    assertThat(small.cachedSchemas()).isEqualTo(1);

    for (int i = 0; i < 10; i++) {
      LlmSpan span = toolCalls("{\"city\":\"Paris\"}");
      span.getGenerationSettings().getTools().get(0).setParametersJson("{\"type\":\"object\",\"maxProperties\":" + (i + 1) + "}");
      assertThat(small.check(span).getToolArgumentFailures()).isZero();
    }
    assertThat(small.cachedSchemas()).isEqualTo(4);
  }

  @Test
  void validateReplacesWhateverVerdictTheProducerSent() {
    LlmSpan span = call("text", "Refunds take 5 days.");
    span.setOutputValidation(OutputValidation.newBuilder().setJsonRequested(true).setJsonParseFailed(true).build());
    LlmSpan fixture = TestSpans.fullyPopulated();

    validator.validate(span);
    validator.validate(fixture);

    assertThat(span.getOutputValidation()).isNull();
    // the fixture's structured output parses and its tool arguments fit the CRM tool's schema
    assertThat(fixture.getOutputValidation()).isEqualTo(OutputValidation.newBuilder().setJsonRequested(true).build());
  }

  @Test
  void nothingASpanCarriesMakesValidateThrow() {
    LlmSpan span = toolCalls("{\"city\":\"Paris\"}", null, "nope", "{}");
    span.getOutput().setStructuredOutputJson("\u0000\ud800");
    span.getGenerationSettings().setResponseFormat("json_schema");
    span.getGenerationSettings().getTools().add(new ToolDefinition("get_weather", null, "true"));
    span.getAttributes().put(OutputValidator.RESPONSE_SCHEMA, "{\"$ref\":\"#\"}");

    assertThatCode(() -> validator.validate(span)).doesNotThrowAnyException();
    assertThat(span.getOutputValidation().getToolArgumentFailures()).as("'nope' is not JSON, {} lacks the city").isEqualTo(2);
  }

  private OutputValidation validated(LlmSpan span) {
    validator.validate(span);
    return span.getOutputValidation();
  }

  /** A model call that asked for {@code responseFormat} and answered {@code text}. */
  private static LlmSpan call(String responseFormat, String text) {
    LlmSpan span = TestSpans.minimal();
    span.setGenerationSettings(GenerationSettings.newBuilder().setResponseFormat(responseFormat).build());
    span.setOutput(LlmOutput.newBuilder().setText(text).setFinishReason("stop").build());
    span.setAttributes(new HashMap<>());
    return span;
  }

  /** A model call offered get_weather that called it once per argument string. */
  private static LlmSpan toolCalls(String... arguments) {
    LlmSpan span = TestSpans.minimal();
    List<ToolDefinition> tools = new ArrayList<>(List.of(new ToolDefinition("get_weather", "Current weather", WEATHER_SCHEMA)));
    span.setGenerationSettings(GenerationSettings.newBuilder().setToolChoice("auto").setTools(tools).build());
    List<ToolCall> calls = new ArrayList<>();
    for (int i = 0; i < arguments.length; i++) {
      calls.add(new ToolCall("call_" + i, "get_weather", arguments[i]));
    }
    span.setOutput(LlmOutput.newBuilder().setFinishReason("tool_calls").setToolCalls(calls).build());
    span.setAttributes(new HashMap<>(Map.of()));
    return span;
  }

  /** {"citations":[{"doc_id":"kb-0","quote":"..."}, ...]}, about 130 characters per citation. */
  private static String citations(int count) {
    StringBuilder text = new StringBuilder(count * 140).append("{\"citations\":[");
    for (int i = 0; i < count; i++) {
      text.append(i > 0 ? "," : "").append("{\"doc_id\":\"kb-").append(i)
          .append("\",\"quote\":\"Annual plans can be refunded within 30 days of renewal; enterprise contracts follow their order form.\"}");
    }
    return text.append("]}").toString();
  }
}
