package io.llmtrace.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.gateway.nativejson.BadNativeInputs;
import io.llmtrace.gateway.nativejson.NativeJson;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.SpanStatus;
import io.llmtrace.schemas.testing.TestSpans;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The native endpoint and the HTTP rules end to end: real gateway, real broker, real registry. One
 * gateway (and one raw topic) serves the whole class; tests that read the topic use their own trace ids.
 */
@ExtendWith(LocalStackExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayIT {

  private GatewayFixture fixture;

  @BeforeAll
  void startGateway(StackEndpoints stack, TestNames names) {
    fixture = new GatewayFixture(stack, names, Map.of("llmtrace.gateway.max-body", "256KB"));
  }

  @AfterAll
  void stopGateway() {
    fixture.close();
  }

  @Test
  void fullyPopulatedSpanIsDurableOnTheTopicWithTheKeysTenant() {
    LlmSpan span = recent(TestSpans.fullyPopulated());
    span.setTraceId("a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1");
    span.setTenantId("someone-else"); // the payload cannot choose its tenant

    HttpResponse<String> response = fixture.postNative(NativeJson.batch(NativeJson.Times.RFC3339, span));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).contains("\"accepted\":1").contains("\"rejected_count\":0");
    LlmSpan stored = fixture.readSpans(1).stream().filter(s -> s.getTraceId().equals(span.getTraceId())).findFirst().orElseThrow();
    // The tenant comes from the key; a redaction summary is the redactor's to write, never the caller's.
    LlmSpan expected = LlmSpan.newBuilder(span).setTenantId("acme").setRedaction(null).setOutputValidation(null).build();
    assertThat(stored).isEqualTo(expected);
  }

  @Test
  void partialSuccessAcceptsTheGoodSpansAndListsTheBadOnes() {
    LlmSpan good = recent(TestSpans.minimal());
    good.setTraceId("b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2");
    LlmSpan bad = LlmSpan.newBuilder(good).setSpanId("0000000000000002").build();
    bad.setEndTime(bad.getStartTime().minusSeconds(1));
    LlmSpan alsoGood = LlmSpan.newBuilder(good).setSpanId("0000000000000003").build();

    HttpResponse<String> response = fixture.postNative(NativeJson.batch(NativeJson.Times.MICROS, good, bad, alsoGood));

    assertThat(response.statusCode()).isEqualTo(207);
    assertThat(response.body()).contains("\"accepted\":2").contains("\"rejected_count\":1")
        .contains("\"index\":1").contains("\"path\":\"$.spans[1].end_time\"").contains("negative duration");
  }

  @Test
  void otlpJsonSpansArriveMappedOnTheTopic() {
    long start = Instant.now().minusSeconds(5).toEpochMilli() * 1_000_000L;
    String body = """
        {"resourceSpans":[{"resource":{"attributes":[
            {"key":"service.name","value":{"stringValue":"support-bot"}},
            {"key":"deployment.environment.name","value":{"stringValue":"production"}}]},
          "scopeSpans":[{"scope":{"name":"otlp-json-it"},"spans":[{
            "traceId":"c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3","spanId":"00000000000000c3","name":"chat gpt-4o","kind":3,
            "startTimeUnixNano":"%d","endTimeUnixNano":"%d",
            "attributes":[
              {"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
              {"key":"gen_ai.system","value":{"stringValue":"openai"}},
              {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},
              {"key":"gen_ai.usage.prompt_tokens","value":{"intValue":"900"}},
              {"key":"gen_ai.usage.completion_tokens","value":{"intValue":42}},
              {"key":"llmtrace.prompt.version","value":{"stringValue":"v34"}},
              {"key":"gen_ai.prompt","value":{"stringValue":"Summarise the ticket"}}],
            "status":{"code":2,"message":"upstream 500"}}]}]}]}
        """.formatted(start, start + 900_000_000L);

    HttpResponse<String> response = fixture.post("/v1/traces", "application/json", body.getBytes(StandardCharsets.UTF_8),
        "Authorization", "Bearer " + GatewayFixture.KEY);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    LlmSpan stored = fixture.readSpans(1).stream().filter(s -> s.getTraceId().equals("c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3"))
        .findFirst().orElseThrow();
    assertThat(stored.getTenantId()).isEqualTo("acme");
    assertThat(stored.getEnvironment()).isEqualTo("production");
    assertThat(stored.getKind()).isEqualTo(SpanKind.LLM);
    assertThat(stored.getStatus()).isEqualTo(SpanStatus.ERROR);
    assertThat(stored.getErrorMessage()).isEqualTo("upstream 500");
    assertThat(stored.getModel().getProvider()).isEqualTo("openai");
    assertThat(stored.getUsage().getInputTokens()).isEqualTo(900L);
    assertThat(stored.getUsage().getOutputTokens()).isEqualTo(42L);
    assertThat(stored.getPrompt().getVersion()).isEqualTo("v34");
    assertThat(stored.getPrompt().getMessages()).extracting(m -> m.getContent()).containsExactly("Summarise the ticket");
    assertThat(Duration.between(stored.getStartTime(), stored.getEndTime())).isEqualTo(Duration.ofMillis(900));
  }

  @Test
  void otlpProtobufPartialSuccessCountsTheRejectedSpans() throws Exception {
    long start = Instant.now().minusSeconds(5).toEpochMilli() * 1_000_000L;
    io.opentelemetry.proto.trace.v1.Span.Builder good = io.opentelemetry.proto.trace.v1.Span.newBuilder()
        .setTraceId(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
        .setSpanId(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 1, 1, 1, 1, 1, 1, 1}))
        .setName("retrieve").setStartTimeUnixNano(start).setEndTimeUnixNano(start + 1_000_000);
    io.opentelemetry.proto.trace.v1.Span bad = good.clone().setSpanId(com.google.protobuf.ByteString.copyFrom(new byte[] {2, 2, 2, 2, 2, 2, 2, 2}))
        .setEndTimeUnixNano(start - 1_000_000).build();
    byte[] body = io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(io.opentelemetry.proto.trace.v1.ResourceSpans.newBuilder()
            .addScopeSpans(io.opentelemetry.proto.trace.v1.ScopeSpans.newBuilder().addSpans(good.build()).addSpans(bad)))
        .build().toByteArray();

    HttpResponse<byte[]> response = fixture.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(fixture.url("/v1/traces")))
        .header("Content-Type", "application/x-protobuf").header("Authorization", "Bearer " + GatewayFixture.KEY)
        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    var parsed = io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse.parseFrom(response.body());
    assertThat(parsed.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
    assertThat(parsed.getPartialSuccess().getErrorMessage()).contains("resourceSpans[0].scopeSpans[0].spans[1].endTimeUnixNano");
  }

  static List<BadNativeInputs.BadInput> badInputs() {
    return BadNativeInputs.cases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void badNativeInputGetsAPreciseClientError(BadNativeInputs.BadInput input) {
    HttpResponse<String> response = fixture.postNative(input.body());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(input.expectedStatus());
    assertThat(response.body()).contains("\"code\":\"" + input.expectedCode() + "\"");
    assertThat(response.body()).contains(json(input.expectedMessageFragment()));
  }

  @Test
  void aBadInputTableOfAtLeastThirtyCases() {
    assertThat(BadNativeInputs.cases()).hasSizeGreaterThanOrEqualTo(30);
  }

  @Test
  void missingOrUnknownKeysAre401AndForbiddenEnvironmentsAre403() {
    byte[] body = BadNativeInputs.validBody(Instant.now());
    HttpResponse<String> missing = fixture.post("/v1/spans", "application/json", body);
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.body()).contains("missing_api_key");

    HttpResponse<String> unknown = fixture.post("/v1/spans", "application/json", body, "Authorization", "Bearer nope");
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(unknown.body()).contains("unknown_api_key");

    HttpResponse<String> viaHeader = fixture.post("/v1/spans", "application/json", body, "X-API-Key", GatewayFixture.KEY);
    assertThat(viaHeader.statusCode()).isEqualTo(200);

    LlmSpan dev = recent(TestSpans.minimal());
    dev.setEnvironment("development");
    HttpResponse<String> forbidden = fixture.postNative(NativeJson.batch(NativeJson.Times.MICROS, dev));
    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(forbidden.body()).contains("environment_forbidden").contains("'development'");
  }

  @Test
  void limitsAnswer413And429WithClearErrors() throws IOException {
    HttpResponse<String> tooLarge = fixture.postNative(new byte[300 * 1024]);
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(tooLarge.body()).contains("body_too_large").contains("262144");

    // 300 KB of spaces compress to almost nothing; the limit applies after decompression.
    ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gzipped)) {
      out.write(" ".repeat(300 * 1024).getBytes(StandardCharsets.US_ASCII));
    }
    HttpResponse<String> bomb = fixture.post("/v1/spans", "application/json", gzipped.toByteArray(),
        "Authorization", "Bearer " + GatewayFixture.KEY, "Content-Encoding", "gzip");
    assertThat(bomb.statusCode()).isEqualTo(413);

    byte[] one = BadNativeInputs.validBody(Instant.now());
    int accepted = 0;
    HttpResponse<String> limited = null;
    for (int i = 0; i < 10 && limited == null; i++) {
      HttpResponse<String> response = fixture.post("/v1/spans", "application/json", one, "Authorization", "Bearer " + GatewayFixture.SLOW_KEY);
      if (response.statusCode() == 429) {
        limited = response;
      } else {
        assertThat(response.statusCode()).isEqualTo(200);
        accepted++;
      }
    }
    assertThat(accepted).isEqualTo(5); // the slow key's burst: 5 spans
    assertThat(limited).isNotNull();
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(limited.body()).contains("rate_limited").contains("5 spans/s");
  }

  @Test
  void gzipBodiesAreAccepted() throws IOException {
    ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gzipped)) {
      out.write(BadNativeInputs.validBody(Instant.now()));
    }
    HttpResponse<String> response = fixture.post("/v1/spans", "application/json", gzipped.toByteArray(),
        "Authorization", "Bearer " + GatewayFixture.KEY, "Content-Encoding", "gzip");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  @Test
  void wrongMethodPathAndMediaTypeAreRefused() {
    assertThat(fixture.get("/v1/spans").statusCode()).isEqualTo(405);
    assertThat(fixture.get("/v2/spans").statusCode()).isEqualTo(404);
    HttpResponse<String> xml = fixture.post("/v1/traces", "application/xml", new byte[] {1}, "Authorization", "Bearer " + GatewayFixture.KEY);
    assertThat(xml.statusCode()).isEqualTo(415);
    assertThat(xml.body()).contains("unsupported_media_type");
  }

  @Test
  void healthReadinessAndMetrics() {
    assertThat(fixture.get("/healthz").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = fixture.get("/readyz");
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    assertThat(ready.body()).contains("\"kafka\":\"up\"").contains("\"schema_registry\":\"up\"");

    fixture.postNative(BadNativeInputs.validBody(Instant.now()));
    String metrics = fixture.get("/metrics").body();
    assertThat(metrics).contains("llmtrace_gateway_spans_accepted_total{protocol=\"native\"}")
        .contains("llmtrace_gateway_requests_total{endpoint=\"/v1/spans\",status=\"200\"}")
        .contains("llmtrace_gateway_produce_seconds_bucket")
        .contains("llmtrace_gateway_request_bytes");
  }

  /** TestSpans are dated in June 2026; move them to now so that the gateway's age bound accepts them. */
  private static LlmSpan recent(LlmSpan span) {
    Instant start = Instant.now().minus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.MICROS);
    Duration shift = Duration.between(span.getStartTime(), start);
    span.setStartTime(start);
    span.setEndTime(span.getEndTime().plus(shift));
    span.getEvents().forEach(e -> e.setTime(e.getTime().plus(shift)));
    return span;
  }

  /** A fragment as it appears inside a JSON string (quotes and backslashes escaped). */
  private static String json(String fragment) {
    return fragment.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
