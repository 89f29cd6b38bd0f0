package io.llmtrace.gateway.otlp;

import static io.llmtrace.gateway.otlp.OtlpFixtures.END_NANOS;
import static io.llmtrace.gateway.otlp.OtlpFixtures.START_NANOS;
import static io.llmtrace.gateway.otlp.OtlpFixtures.attr;
import static io.llmtrace.gateway.otlp.OtlpFixtures.event;
import static io.llmtrace.gateway.otlp.OtlpFixtures.hex;
import static io.llmtrace.gateway.otlp.OtlpFixtures.kvlist;
import static io.llmtrace.gateway.otlp.OtlpFixtures.map;
import static io.llmtrace.gateway.otlp.OtlpFixtures.mapOne;
import static io.llmtrace.gateway.otlp.OtlpFixtures.request;
import static io.llmtrace.gateway.otlp.OtlpFixtures.span;
import static io.llmtrace.gateway.otlp.OtlpFixtures.spanWith;
import static io.llmtrace.gateway.otlp.OtlpFixtures.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.google.protobuf.ByteString;
import io.llmtrace.gateway.intake.DecodedBatch;
import io.llmtrace.gateway.intake.InvalidRequestException;
import io.llmtrace.gateway.intake.Rejection;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.SpanEvent;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.SpanStatus;
import io.llmtrace.schemas.testing.TestSpans;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Envelope, resource, attributes, events, status and rejections: what every OTLP span goes through. */
class OtlpSpanMapperTest {

  @Test
  void anEvaluationSpanTakesThePromptOfTheSpanItJudgesWhenBothCameTogether() {
    // Given a model call with a prompt version, an evaluator span under it, and one whose parent is elsewhere
    Span judged = span().setSpanId(hex(OtlpFixtures.PARENT_SPAN_ID)).setName("ChatCompletion")
        .addAttributes(attr("openinference.span.kind", "LLM"))
        .addAttributes(attr("llmtrace.prompt.name", "support_refund_policy"))
        .addAttributes(attr("llm.prompt_template.version", "v23"))
        .addAttributes(attr("llmtrace.prompt.template_id", "tmpl_9c1e"))
        .addAttributes(attr("llm.prompt_template.template", "Answer {question}"))
        .build();
    Span evaluator = span().setParentSpanId(hex(OtlpFixtures.PARENT_SPAN_ID)).setName("answer_cites_source")
        .addAttributes(attr("openinference.span.kind", "EVALUATOR"))
        .addAttributes(attr("gen_ai.evaluation.name", "answer_cites_source"))
        .addAttributes(attr("gen_ai.evaluation.score.label", "fail"))
        .build();
    Span orphan = span().setSpanId(hex("1111111111111111")).setParentSpanId(hex("2222222222222222"))
        .addAttributes(attr("gen_ai.evaluation.name", "relevance"))
        .build();

    // When they are mapped from one request
    DecodedBatch batch = OtlpFixtures.map(request(judged, evaluator, orphan));

    // Then the evaluation names the judged prompt (not its text) and says where it came from; the orphan has none
    assertThat(batch.rejected()).isEmpty();
    LlmSpan evaluation = batch.accepted().get(1);
    assertThat(evaluation.getKind()).isEqualTo(SpanKind.EVALUATION);
    assertThat(evaluation.getPrompt().getName()).isEqualTo("support_refund_policy");
    assertThat(evaluation.getPrompt().getVersion()).isEqualTo("v23");
    assertThat(evaluation.getPrompt().getTemplateId()).isEqualTo("tmpl_9c1e");
    assertThat(evaluation.getPrompt().getTemplate()).isNull();
    assertThat(evaluation.getPrompt().getMessages()).isEmpty();
    assertThat(evaluation.getAttributes()).containsEntry("llmtrace.prompt.name_source", "parent_span");
    assertThat(batch.accepted().get(0).getAttributes()).doesNotContainKey("llmtrace.prompt.name_source");
    LlmSpan unattributed = batch.accepted().get(2);
    assertThat(unattributed.getEvaluations()).hasSize(1);
    assertThat(unattributed.getPrompt()).isNull();
    assertThat(unattributed.getAttributes()).doesNotContainKey("llmtrace.prompt.name_source");
  }

  @Test
  void unknownAttributesLandInTheMapStringified() {
    LlmSpan span = mapOne(spanWith(
        attr("http.route", "/v1/chat"),
        attr("queue_ms", 35L),
        attr("sampled", true),
        attr("ratio", 0.25),
        attr("tags", strings("a", "b\"c")),
        attr("ctx", kvlist(attr("k", 1L), attr("nested", kvlist(attr("x", false))))),
        attr("blob", AnyValue.newBuilder().setBytesValue(ByteString.copyFromUtf8("hi")).build()),
        attr("nothing", AnyValue.getDefaultInstance())));

    assertThat(span.getAttributes())
        .containsEntry("http.route", "/v1/chat")
        .containsEntry("queue_ms", "35")
        .containsEntry("sampled", "true")
        .containsEntry("ratio", "0.25")
        .containsEntry("tags", "[\"a\",\"b\\\"c\"]")
        .containsEntry("ctx", "{\"k\":1,\"nested\":{\"x\":false}}")
        .containsEntry("blob", "aGk=")
        .containsEntry("nothing", "");
    assertThat(span.getKind()).isEqualTo(SpanKind.UNKNOWN);
  }

  @Test
  void resourceAttributesMapAndTheRestIsInheritedBySpans() {
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder()
                .addAttributes(attr("service.name", "support-api"))
                .addAttributes(attr("deployment.environment", "staging"))
                .addAttributes(attr("app.version", "1.2.3"))
                .addAttributes(attr("llmtrace.project", "support"))
                .addAttributes(attr("llmtrace.feature", "support_chatbot"))
                .addAttributes(attr("telemetry.sdk.language", "java")))
            .addScopeSpans(ScopeSpans.newBuilder()
                .addSpans(spanWith(attr("llmtrace.feature_name", "invoice_parser"), attr("telemetry.sdk.language", "python")))))
        .build();

    LlmSpan span = map(request).accepted().get(0);

    assertThat(span.getServiceName()).isEqualTo("support-api");
    assertThat(span.getEnvironment()).isEqualTo("staging");
    assertThat(span.getAppVersion()).isEqualTo("1.2.3");
    assertThat(span.getProjectId()).isEqualTo("support");
    assertThat(span.getFeatureName()).isEqualTo("invoice_parser"); // the span's own key wins...
    assertThat(span.getAttributes())
        .containsEntry("llmtrace.feature", "support_chatbot") // ...and the resource's is kept
        .containsEntry("telemetry.sdk.language", "python")    // a span attribute overrides an inherited one
        .doesNotContainKeys("service.name", "deployment.environment", "app.version");
    assertThat(span.getTenantId()).isEmpty();
  }

  @Test
  void currentEnvironmentKeyWinsOverTheDeprecatedOne() {
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder()
                .addAttributes(attr("deployment.environment", "prod"))
                .addAttributes(attr("deployment.environment.name", "production")))
            .addScopeSpans(ScopeSpans.newBuilder().addSpans(span())))
        .build();

    LlmSpan span = map(request).accepted().get(0);

    assertThat(span.getEnvironment()).isEqualTo("production");
    assertThat(span.getAttributes()).containsEntry("deployment.environment", "prod");
  }

  @Test
  void eventsAreKeptInTimeOrderWithStringifiedAttributes() {
    LlmSpan span = mapOne(span()
        .addEvents(event("retry_scheduled", START_NANOS + 2_000_000, attr("delay_ms", 250L)))
        .addEvents(event("first_token", START_NANOS + 1_000_000, attr("stream", true)))
        .addEvents(event("no_time", 0))
        .build());

    assertThat(span.getEvents()).containsExactly(
        new SpanEvent("no_time", span.getStartTime(), Map.of()),
        new SpanEvent("first_token", span.getStartTime().plusMillis(1), Map.of("stream", "true")),
        new SpanEvent("retry_scheduled", span.getStartTime().plusMillis(2), Map.of("delay_ms", "250")));
  }

  @Test
  void timesKeepMicrosecondPrecision() {
    LlmSpan span = mapOne(span().build());

    assertThat(span.getStartTime()).isEqualTo(TestSpans.START.plusMillis(400)); // the trailing 789 ns are dropped
    assertThat(span.getEndTime()).isEqualTo(TestSpans.START.plusMillis(2_500));
  }

  @Test
  void errorStatusWithExceptionEventFillsErrorFieldsAndRateLimitFlag() {
    LlmSpan span = mapOne(span()
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR))
        .addEvents(event("exception", START_NANOS,
            attr("exception.type", "openai.RateLimitError"),
            attr("exception.message", "429 Too Many Requests"),
            attr("exception.stacktrace", "at ...")))
        .build());

    assertThat(span.getStatus()).isEqualTo(SpanStatus.ERROR);
    assertThat(span.getErrorType()).isEqualTo("openai.RateLimitError");
    assertThat(span.getErrorMessage()).isEqualTo("429 Too Many Requests");
    assertThat(span.getRateLimited()).isTrue();
    assertThat(span.getTimedOut()).isFalse();
    assertThat(span.getEvents()).extracting(SpanEvent::getName).containsExactly("exception");
  }

  @Test
  void statusMessageAndErrorTypeAttributeOutrankTheExceptionEvent() {
    LlmSpan span = mapOne(span()
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("provider unavailable"))
        .addAttributes(attr("error.type", "provider_timeout"))
        .addEvents(event("exception", START_NANOS, attr("exception.type", "IOException"), attr("exception.message", "reset")))
        .build());

    assertThat(span.getErrorType()).isEqualTo("provider_timeout");
    assertThat(span.getErrorMessage()).isEqualTo("provider unavailable");
    assertThat(span.getTimedOut()).isTrue();
    assertThat(span.getAttributes()).containsEntry("exception.type", "IOException");
  }

  @Test
  void exceptionOnASpanThatDidNotFailIsOnlyAnEvent() {
    LlmSpan span = mapOne(span()
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_OK))
        .addEvents(event("exception", START_NANOS, attr("exception.type", "HandledException")))
        .build());

    assertThat(span.getStatus()).isEqualTo(SpanStatus.OK);
    assertThat(span.getErrorType()).isNull();
    assertThat(span.getEvents()).hasSize(1);
  }

  @Test
  void reliabilityAttributesMap() {
    LlmSpan span = mapOne(spanWith(
        attr("llmtrace.attempt", 2L),
        attr("llmtrace.retry_of", "a1ad6b7169203330"),
        attr("llmtrace.fallback", true),
        attr("http.response.status_code", 429L)));

    assertThat(span.getAttempt()).isEqualTo(2);
    assertThat(span.getRetryOfSpanId()).isEqualTo("a1ad6b7169203330");
    assertThat(span.getFallback()).isTrue();
    assertThat(span.getRateLimited()).isTrue();
    assertThat(span.getAttributes()).containsEntry("http.response.status_code", "429");
  }

  @Test
  void httpResendCountIsTheAttemptMinusOne() {
    assertThat(mapOne(spanWith(attr("http.request.resend_count", 2L))).getAttempt()).isEqualTo(3);
  }

  @Test
  void linksAndOtlpSpanKindAreKeptAsAttributes() {
    LlmSpan span = mapOne(span()
        .setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .addLinks(Span.Link.newBuilder().setTraceId(hex(TestSpans.traceId(7))).setSpanId(hex("0000000000000001"))
            .addAttributes(attr("link.kind", "follows_from")))
        .build());

    assertThat(span.getAttributes())
        .containsEntry("span.kind", "server")
        .containsEntry("otel.links", "[{\"traceId\":\"" + TestSpans.traceId(7)
            + "\",\"spanId\":\"0000000000000001\",\"attributes\":{\"link.kind\":\"follows_from\"}}]");
  }

  @Test
  void badSpansAreRejectedWithTheirFlatIndexAndOtlpPathWhileGoodOnesPass() {
    ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .addScopeSpans(ScopeSpans.newBuilder()
                .addSpans(span())                                                              // 0 ok
                .addSpans(span().setTraceId(hex("4bf92f3577b34da6a3ce929d0e0e47"))))           // 1 15-byte trace id
            .addScopeSpans(ScopeSpans.newBuilder()
                .addSpans(span().setStartTimeUnixNano(0))                                      // 2 zero start
                .addSpans(span().setEndTimeUnixNano(START_NANOS - 5_000))))                    // 3 end before start
        .addResourceSpans(ResourceSpans.newBuilder()
            .addScopeSpans(ScopeSpans.newBuilder()
                .addSpans(span().setSpanId(ByteString.EMPTY))                                  // 4 no span id
                .addSpans(span().setParentSpanId(hex("00f067aa0ba902")))                       // 5 7-byte parent
                .addSpans(span().setTraceId(hex("00000000000000000000000000000000")))          // 6 all-zero trace id
                .addSpans(span().setEndTimeUnixNano(-1L))                                      // 7 2^64-1 ns
                .addSpans(span().addAttributes(attr("gen_ai.request.temperature", 42.0)))       // 8 validator, via attribute
                .addSpans(span().setName(""))                                                  // 9 no name
                .addSpans(span().setStartTimeUnixNano(START_NANOS - 40L * 86_400_000_000_000L)) // 10 too old
                .addSpans(span())))                                                           // 11 ok
        .build();

    DecodedBatch batch = map(request);

    assertThat(batch.accepted()).hasSize(2);
    assertThat(batch.rejected()).extracting(Rejection::index, Rejection::path).containsExactly(
        tuple(1, "resourceSpans[0].scopeSpans[0].spans[1].traceId"),
        tuple(2, "resourceSpans[0].scopeSpans[1].spans[0].startTimeUnixNano"),
        tuple(3, "resourceSpans[0].scopeSpans[1].spans[1].endTimeUnixNano"),
        tuple(4, "resourceSpans[1].scopeSpans[0].spans[0].spanId"),
        tuple(5, "resourceSpans[1].scopeSpans[0].spans[1].parentSpanId"),
        tuple(6, "resourceSpans[1].scopeSpans[0].spans[2].traceId"),
        tuple(7, "resourceSpans[1].scopeSpans[0].spans[3].endTimeUnixNano"),
        tuple(8, "resourceSpans[1].scopeSpans[0].spans[4].attributes['gen_ai.request.temperature']"),
        tuple(9, "resourceSpans[1].scopeSpans[0].spans[5].name"),
        tuple(10, "resourceSpans[1].scopeSpans[0].spans[6].startTimeUnixNano"));
    assertThat(batch.rejected().get(0).reason()).isEqualTo("must be 16 bytes (32 hex characters), got 15 bytes");
    assertThat(batch.rejected().get(1).reason()).isEqualTo("is required (got 0)");
    assertThat(batch.rejected().get(2).reason()).startsWith("is before start_time");
    assertThat(batch.rejected().get(3).reason()).isEqualTo("is required");
    assertThat(batch.rejected().get(6).reason()).contains("after the year 2262");
    assertThat(batch.rejected().get(7).reason()).contains("between 0 and 10");
  }

  @Test
  void moreSpansThanTheLimitRefusesTheWholeRequest() {
    Span[] spans = IntStream.range(0, 1001).mapToObj(i -> span().build()).toArray(Span[]::new);

    assertThatThrownBy(() -> map(request(spans)))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.code()).isEqualTo(OtlpSpanMapper.TOO_MANY_SPANS);
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.getMessage()).contains("1001 spans").contains("at most 1000");
        });
  }

  @Test
  void emptyRequestMapsToAnEmptyBatch() {
    DecodedBatch batch = map(ExportTraceServiceRequest.getDefaultInstance());

    assertThat(batch.total()).isZero();
  }

  @Test
  void overlongTextIsTruncatedNotRejected() {
    String huge = "x".repeat(40_000);
    LlmSpan span = mapOne(spanWith(attr("gen_ai.completion", huge)));

    assertThat(span.getOutput().getText()).hasSizeLessThan(huge.length()).contains("[truncated");
    assertThat(span.getAttributes()).containsKey("llmtrace.truncated");
  }

  @Test
  void mappingTheSameRequestTwiceGivesEqualSpans() {
    ExportTraceServiceRequest request = OtlpFixtures.genAiChatRequest();

    assertThat(map(request).accepted()).isEqualTo(map(request).accepted());
  }

  @Test
  void endTimeBeforeStartIsNamedInOtlpTerms() {
    DecodedBatch batch = map(request(span().setStartTimeUnixNano(END_NANOS).setEndTimeUnixNano(START_NANOS).build()));

    assertThat(batch.rejected()).singleElement()
        .satisfies(r -> assertThat(r.path()).isEqualTo("resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano"));
  }
}
