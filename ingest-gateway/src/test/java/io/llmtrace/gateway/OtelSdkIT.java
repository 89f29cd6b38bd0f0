package io.llmtrace.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.SpanStatus;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The official OpenTelemetry Java SDK and its OTLP/HTTP exporter (protobuf) send GenAI-annotated spans,
 * exactly as an instrumented service would; the records on the raw topic carry the mapped fields.
 */
@ExtendWith(LocalStackExtension.class)
class OtelSdkIT {

  @Test
  void genAiSpansFromTheSdkArriveMappedOnTheRawTopic(StackEndpoints stack, TestNames names) {
    try (GatewayFixture fixture = new GatewayFixture(stack, names, Map.of())) {
      OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
          .setEndpoint(fixture.url("/v1/traces"))
          .addHeader("Authorization", "Bearer " + GatewayFixture.KEY)
          .build();
      SdkTracerProvider provider = SdkTracerProvider.builder()
          .setResource(Resource.create(Attributes.builder()
              .put("service.name", "support-bot")
              .put("service.version", "2026.06.1")
              .put("deployment.environment.name", "staging")
              .build()))
          .addSpanProcessor(SimpleSpanProcessor.create(exporter))
          .build();
      Tracer tracer = provider.get("otel-sdk-it");

      // Given an agent step with one chat call inside it
      Span root = tracer.spanBuilder("invoke_agent triage").setAttribute("gen_ai.operation.name", "invoke_agent").startSpan();
      try (Scope ignored = root.makeCurrent()) {
        Span chat = tracer.spanBuilder("chat gpt-4o")
            .setAttribute("gen_ai.operation.name", "chat")
            .setAttribute("gen_ai.provider.name", "openai")
            .setAttribute("gen_ai.request.model", "gpt-4o")
            .setAttribute("gen_ai.response.model", "gpt-4o-2024-08-06")
            .setAttribute("gen_ai.request.temperature", 0.2)
            .setAttribute("gen_ai.request.max_tokens", 512L)
            .setAttribute("gen_ai.usage.input_tokens", 1200L)
            .setAttribute("gen_ai.usage.output_tokens", 80L)
            .setAttribute("gen_ai.usage.cache_read.input_tokens", 1000L)
            .setAttribute(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons"), List.of("stop"))
            .setAttribute("gen_ai.input.messages",
                "[{\"role\":\"system\",\"parts\":[{\"type\":\"text\",\"content\":\"You triage tickets.\"}]},"
                    + "{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"My invoice is wrong\"}]}]")
            .setAttribute("gen_ai.output.messages",
                "[{\"role\":\"assistant\",\"parts\":[{\"type\":\"text\",\"content\":\"Routing to billing.\"}],\"finish_reason\":\"stop\"}]")
            .setAttribute("llmtrace.prompt.name", "triage")
            .setAttribute("llmtrace.prompt.version", "v35")
            .setAttribute("customer.tier", "gold")
            .startSpan();
        chat.setStatus(StatusCode.OK);
        chat.end();
      }
      root.end();

      // When the SDK flushes
      CompletableResultCode flushed = provider.forceFlush().join(30, TimeUnit.SECONDS);
      assertThat(flushed.isSuccess()).as("the exporter got a 2xx").isTrue();
      provider.close();

      // Then both spans are on the topic, the chat span mapped field by field
      List<LlmSpan> spans = fixture.readSpans(2);
      assertThat(spans).hasSize(2).allSatisfy(s -> {
        assertThat(s.getTenantId()).isEqualTo("acme");
        assertThat(s.getServiceName()).isEqualTo("support-bot");
        assertThat(s.getAppVersion()).isEqualTo("2026.06.1");
        assertThat(s.getEnvironment()).isEqualTo("staging");
      });
      LlmSpan chat = spans.stream().filter(s -> s.getKind() == SpanKind.LLM).findFirst().orElseThrow();
      LlmSpan agent = spans.stream().filter(s -> s.getKind() == SpanKind.AGENT_STEP).findFirst().orElseThrow();
      assertThat(chat.getParentSpanId()).isEqualTo(agent.getSpanId());
      assertThat(chat.getTraceId()).isEqualTo(agent.getTraceId()).hasSize(32);
      assertThat(chat.getStatus()).isEqualTo(SpanStatus.OK);
      assertThat(chat.getModel().getProvider()).isEqualTo("openai");
      assertThat(chat.getModel().getName()).isEqualTo("gpt-4o");
      assertThat(chat.getModel().getVersion()).isEqualTo("gpt-4o-2024-08-06");
      assertThat(chat.getGenerationSettings().getTemperature()).isEqualTo(0.2);
      assertThat(chat.getGenerationSettings().getMaxTokens()).isEqualTo(512);
      assertThat(chat.getUsage().getInputTokens()).isEqualTo(1200L);
      assertThat(chat.getUsage().getOutputTokens()).isEqualTo(80L);
      assertThat(chat.getUsage().getCacheReadTokens()).isEqualTo(1000L);
      assertThat(chat.getPrompt().getName()).isEqualTo("triage");
      assertThat(chat.getPrompt().getVersion()).isEqualTo("v35");
      assertThat(chat.getPrompt().getMessages()).extracting(m -> m.getRole() + ":" + m.getContent())
          .containsExactly("system:You triage tickets.", "user:My invoice is wrong");
      assertThat(chat.getOutput().getText()).isEqualTo("Routing to billing.");
      assertThat(chat.getOutput().getFinishReason()).isEqualTo("stop");
      assertThat(chat.getAttributes()).containsEntry("customer.tier", "gold").doesNotContainKey("gen_ai.usage.input_tokens");
      assertThat(chat.getEndTime()).isAfterOrEqualTo(chat.getStartTime());
    }
  }
}
