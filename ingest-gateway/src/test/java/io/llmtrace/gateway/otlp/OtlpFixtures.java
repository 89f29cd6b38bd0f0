package io.llmtrace.gateway.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.llmtrace.gateway.intake.DecodedBatch;
import io.llmtrace.gateway.intake.IntakeLimits;
import io.llmtrace.gateway.intake.SpanIntake;
import io.llmtrace.schemas.avro.GenerationSettings;
import io.llmtrace.schemas.avro.LlmOutput;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.Message;
import io.llmtrace.schemas.avro.ModelInfo;
import io.llmtrace.schemas.avro.PromptInfo;
import io.llmtrace.schemas.avro.SpanEvent;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.SpanStatus;
import io.llmtrace.schemas.avro.TokenUsage;
import io.llmtrace.schemas.avro.ToolCall;
import io.llmtrace.schemas.avro.ToolDefinition;
import io.llmtrace.schemas.testing.TestSpans;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OTLP requests the mapper tests share, built with the protobuf builders, and the LlmSpans they must
 * map to. Times derive from {@link TestSpans#START} and the trace id is {@link TestSpans#TRACE_ID}, so
 * these spans line up with the sample spans other modules use. {@code otlp/genai-chat.json} is the
 * same request as {@link #genAiChatRequest()}, written by hand in OTLP/JSON.
 */
final class OtlpFixtures {

  /** The gateway's clock in these tests: an hour after the sample spans started. */
  static final Instant NOW = TestSpans.START.plus(Duration.ofHours(1));
  static final String SPAN_ID = "b7ad6b7169203331";
  static final String PARENT_SPAN_ID = "00f067aa0ba902b7";
  /** 400 ms after START plus 789 ns, which the micro-precision schema drops. */
  static final long START_NANOS = 1_780_582_320_523_456_789L;
  static final long END_NANOS = 1_780_582_322_623_456_000L;
  static final long FIRST_TOKEN_NANOS = 1_780_582_321_033_456_000L;

  private OtlpFixtures() {}

  static SpanIntake intake() {
    return new SpanIntake(IntakeLimits.defaults(), Clock.fixed(NOW, ZoneOffset.UTC));
  }

  static DecodedBatch map(ExportTraceServiceRequest request) {
    return new OtlpSpanMapper().map(request, intake());
  }

  /** Maps a single span that must be accepted. */
  static LlmSpan mapOne(Span span) {
    DecodedBatch batch = map(request(span));
    assertThat(batch.rejected()).isEmpty();
    assertThat(batch.accepted()).hasSize(1);
    return batch.accepted().get(0);
  }

  static ByteString hex(String hex) {
    return Hex.decode(hex);
  }

  /** A valid span with ids, name and times and nothing else. */
  static Span.Builder span() {
    return Span.newBuilder()
        .setTraceId(hex(TestSpans.TRACE_ID))
        .setSpanId(hex(SPAN_ID))
        .setName("span")
        .setStartTimeUnixNano(START_NANOS)
        .setEndTimeUnixNano(END_NANOS);
  }

  /** A span carrying only {@code attributes}. */
  static Span spanWith(KeyValue... attributes) {
    return span().addAllAttributes(List.of(attributes)).build();
  }

  static ExportTraceServiceRequest request(Span... spans) {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(attr("service.name", "support-api")))
            .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(List.of(spans))))
        .build();
  }

  static KeyValue attr(String key, String value) {
    return attr(key, AnyValue.newBuilder().setStringValue(value).build());
  }

  static KeyValue attr(String key, long value) {
    return attr(key, AnyValue.newBuilder().setIntValue(value).build());
  }

  static KeyValue attr(String key, double value) {
    return attr(key, AnyValue.newBuilder().setDoubleValue(value).build());
  }

  static KeyValue attr(String key, boolean value) {
    return attr(key, AnyValue.newBuilder().setBoolValue(value).build());
  }

  static KeyValue attr(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  static AnyValue strings(String... values) {
    ArrayValue.Builder array = ArrayValue.newBuilder();
    for (String value : values) {
      array.addValues(AnyValue.newBuilder().setStringValue(value));
    }
    return AnyValue.newBuilder().setArrayValue(array).build();
  }

  static AnyValue array(AnyValue... values) {
    return AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addAllValues(List.of(values))).build();
  }

  static AnyValue kvlist(KeyValue... entries) {
    return AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder().addAllValues(List.of(entries))).build();
  }

  static Span.Event event(String name, long timeNanos, KeyValue... attributes) {
    return Span.Event.newBuilder().setName(name).setTimeUnixNano(timeNanos).addAllAttributes(List.of(attributes)).build();
  }

  static byte[] resource(String name) {
    try (InputStream in = OtlpFixtures.class.getResourceAsStream("/otlp/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource otlp/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- a chat call annotated with the current GenAI semantic conventions ----

  static final String SYSTEM_INSTRUCTIONS =
      "[{\"type\":\"text\",\"content\":\"You answer refund questions using the cited policy only.\"}]";
  static final String INPUT_MESSAGES = "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":"
      + "\"Can I get a refund on my annual plan?\"}]},{\"role\":\"tool\",\"parts\":[{\"type\":\"tool_call_response\","
      + "\"id\":\"call_8e1\",\"response\":\"{\\\"plan\\\":\\\"annual\\\"}\"}]}]";
  static final String OUTPUT_MESSAGES = "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":"
      + "\"Let me check your account.\"},{\"type\":\"tool_call\",\"id\":\"call_8e1\",\"name\":\"crm_account_lookup\","
      + "\"arguments\":{\"account_id\":\"acc_42\"}}],\"finish_reason\":\"tool_calls\"}]";
  static final String TOOL_DEFINITIONS = "[{\"type\":\"function\",\"name\":\"crm_account_lookup\",\"description\":"
      + "\"Looks up the customer's plan and account status.\",\"parameters\":{\"type\":\"object\",\"properties\":"
      + "{\"account_id\":{\"type\":\"string\"}}}}]";

  static ExportTraceServiceRequest genAiChatRequest() {
    Span span = Span.newBuilder()
        .setTraceId(hex(TestSpans.TRACE_ID))
        .setSpanId(hex(SPAN_ID))
        .setParentSpanId(hex(PARENT_SPAN_ID))
        .setName("chat gpt-4.1-mini")
        .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
        .setStartTimeUnixNano(START_NANOS)
        .setEndTimeUnixNano(END_NANOS)
        .addAttributes(attr("gen_ai.operation.name", "chat"))
        .addAttributes(attr("gen_ai.provider.name", "openai"))
        .addAttributes(attr("gen_ai.request.model", "gpt-4.1-mini"))
        .addAttributes(attr("gen_ai.response.model", "gpt-4.1-mini-2025-04-14"))
        .addAttributes(attr("gen_ai.request.temperature", 0.2))
        .addAttributes(attr("gen_ai.request.max_tokens", 512L))
        .addAttributes(attr("gen_ai.request.top_p", 0.9))
        .addAttributes(attr("gen_ai.request.seed", 42L))
        .addAttributes(attr("gen_ai.output.type", "json"))
        .addAttributes(attr("gen_ai.response.finish_reasons", strings("tool_calls")))
        .addAttributes(attr("gen_ai.response.id", "chatcmpl-7f3c2a"))
        .addAttributes(attr("gen_ai.conversation.id", "sess-19d2"))
        .addAttributes(attr("gen_ai.usage.input_tokens", 1500L))
        .addAttributes(attr("gen_ai.usage.output_tokens", 370L))
        .addAttributes(attr("gen_ai.usage.cache_read.input_tokens", 1024L))
        .addAttributes(attr("gen_ai.usage.cache_creation.input_tokens", 128L))
        .addAttributes(attr("gen_ai.usage.reasoning.output_tokens", 64L))
        .addAttributes(attr("gen_ai.system_instructions", SYSTEM_INSTRUCTIONS))
        .addAttributes(attr("gen_ai.input.messages", INPUT_MESSAGES))
        .addAttributes(attr("gen_ai.output.messages", OUTPUT_MESSAGES))
        .addAttributes(attr("gen_ai.tool.definitions", TOOL_DEFINITIONS))
        .addAttributes(attr("gen_ai.agent.name", "support_agent"))
        .addAttributes(attr("llmtrace.prompt.name", "support_refund_policy"))
        .addAttributes(attr("llmtrace.prompt.version", "v23"))
        .addAttributes(attr("llmtrace.prompt.template_id", "tmpl_9c1e"))
        .addAttributes(attr("llmtrace.prompt.variables.customer_tier", "enterprise"))
        .addAttributes(attr("llmtrace.attempt", 2L))
        .addAttributes(attr("user.id", "u_5f4dcc3b"))
        .addAttributes(attr("server.address", "llm-proxy.internal"))
        .addAttributes(attr("http.response.status_code", 200L))
        .addEvents(event("first_token", FIRST_TOKEN_NANOS, attr("stream", true)))
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_OK))
        .build();
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder()
                .addAttributes(attr("service.name", "support-api"))
                .addAttributes(attr("deployment.environment.name", "production"))
                .addAttributes(attr("service.version", "2026.06.04-a1b2c3d"))
                .addAttributes(attr("llmtrace.feature", "support_chatbot"))
                .addAttributes(attr("host.name", "ip-10-0-0-1")))
            .addScopeSpans(ScopeSpans.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("io.llmtrace.demo").setVersion("1.0.0"))
                .addSpans(span)))
        .build();
  }

  /** What {@link #genAiChatRequest()} must map to, field by field. */
  static LlmSpan expectedGenAiChatSpan() {
    Instant start = TestSpans.START.plusMillis(400);
    Map<String, String> variables = new LinkedHashMap<>();
    variables.put("customer_tier", "enterprise");
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("gen_ai.operation.name", "chat");
    attributes.put("gen_ai.agent.name", "support_agent");
    attributes.put("server.address", "llm-proxy.internal");
    attributes.put("http.response.status_code", "200");
    attributes.put("host.name", "ip-10-0-0-1");
    attributes.put("otel.scope.name", "io.llmtrace.demo");
    attributes.put("otel.scope.version", "1.0.0");
    attributes.put("span.kind", "client");
    return LlmSpan.newBuilder()
        .setTraceId(TestSpans.TRACE_ID)
        .setSpanId(SPAN_ID)
        .setParentSpanId(PARENT_SPAN_ID)
        .setRequestId("chatcmpl-7f3c2a")
        .setSessionId("sess-19d2")
        .setTenantId("")
        .setEnvironment("production")
        .setServiceName("support-api")
        .setFeatureName("support_chatbot")
        .setAppVersion("2026.06.04-a1b2c3d")
        .setUserId("u_5f4dcc3b")
        .setKind(SpanKind.LLM)
        .setName("chat gpt-4.1-mini")
        .setStartTime(start)
        .setEndTime(TestSpans.START.plusMillis(2_500))
        .setStatus(SpanStatus.OK)
        .setAttempt(2)
        .setPrompt(new PromptInfo("support_refund_policy", "v23", "tmpl_9c1e", null, variables, list(
            new Message("system", "You answer refund questions using the cited policy only.", null, null),
            new Message("user", "Can I get a refund on my annual plan?", null, null),
            new Message("tool", "{\"plan\":\"annual\"}", null, "call_8e1"))))
        .setModel(new ModelInfo("openai", "gpt-4.1-mini", "gpt-4.1-mini-2025-04-14", null))
        .setGenerationSettings(new GenerationSettings(0.2, 512, 0.9, 42L, "json", null, list(
            new ToolDefinition("crm_account_lookup", "Looks up the customer's plan and account status.",
                "{\"type\":\"object\",\"properties\":{\"account_id\":{\"type\":\"string\"}}}"))))
        .setOutput(new LlmOutput("Let me check your account.", null, "tool_calls", list(
            new ToolCall("call_8e1", "crm_account_lookup", "{\"account_id\":\"acc_42\"}"))))
        .setUsage(new TokenUsage(1500L, 370L, 1024L, 128L, 64L, 1870L))
        .setEvaluations(new ArrayList<>())
        .setFeedback(new ArrayList<>())
        .setAttributes(attributes)
        .setEvents(list(new SpanEvent("first_token", TestSpans.START.plusMillis(910), Map.of("stream", "true"))))
        .build();
  }

  @SafeVarargs
  static <T> List<T> list(T... items) {
    return new ArrayList<>(List.of(items));
  }
}
