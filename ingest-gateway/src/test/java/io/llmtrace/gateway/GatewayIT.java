package io.llmtrace.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.gateway.nativejson.BadNativeInputs;
import io.llmtrace.gateway.nativejson.NativeJson;
import io.llmtrace.schemas.avro.LlmSpan;
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
    fixture = new GatewayFixture(stack, names, Map.of(
        "llmtrace.gateway.max-body", "256KB",
        "llmtrace.gateway.max-spans-per-request", "50"));
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
    LlmSpan expected = LlmSpan.newBuilder(span).setTenantId("acme").build();
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
