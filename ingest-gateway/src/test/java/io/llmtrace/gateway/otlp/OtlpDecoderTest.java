package io.llmtrace.gateway.otlp;

import static io.llmtrace.gateway.otlp.OtlpFixtures.attr;
import static io.llmtrace.gateway.otlp.OtlpFixtures.map;
import static io.llmtrace.gateway.otlp.OtlpFixtures.span;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmtrace.gateway.intake.DecodedBatch;
import io.llmtrace.gateway.intake.InvalidRequestException;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.testing.TestSpans;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** OTLP/HTTP bodies, JSON and protobuf, into ExportTraceServiceRequest or a precise 400. */
class OtlpDecoderTest {

  private static final String SPAN_PREFIX = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[";
  private static final String SPAN_SUFFIX = "]}]}]}";
  private static final String GOOD_SPAN = "{\"traceId\":\"" + TestSpans.TRACE_ID + "\",\"spanId\":\"b7ad6b7169203331\","
      + "\"name\":\"s\",\"startTimeUnixNano\":\"" + OtlpFixtures.START_NANOS + "\",\"endTimeUnixNano\":\"" + OtlpFixtures.END_NANOS + "\"";

  @Test
  void handWrittenOtlpJsonDecodesToTheRequestTheProtobufBuildersMake() {
    ExportTraceServiceRequest decoded = OtlpDecoder.parseJson(OtlpFixtures.resource("genai-chat.json"));

    assertThat(decoded).isEqualTo(OtlpFixtures.genAiChatRequest());
  }

  @Test
  void handWrittenOtlpJsonMapsToTheSameLlmSpan() {
    DecodedBatch batch = map(OtlpDecoder.parseJson(OtlpFixtures.resource("genai-chat.json")));

    assertThat(batch.rejected()).isEmpty();
    assertThat(batch.accepted()).containsExactly(OtlpFixtures.expectedGenAiChatSpan());
  }

  @Test
  void protobufBodyDecodesToTheSameRequest() {
    byte[] body = OtlpFixtures.genAiChatRequest().toByteArray();

    assertThat(OtlpDecoder.parseProtobuf(body)).isEqualTo(OtlpFixtures.genAiChatRequest());
  }

  @Test
  void emptyProtobufBodyIsAnEmptyRequest() {
    assertThat(OtlpDecoder.parseProtobuf(new byte[0]).getResourceSpansCount()).isZero();
  }

  @Test
  void snakeCaseNamesEnumNamesNullsAndNumberFormsAreAccepted() {
    String json = "{\"resource_spans\":[{\"scope_spans\":[{\"spans\":[{"
        + "\"trace_id\":\"" + TestSpans.TRACE_ID + "\",\"span_id\":\"b7ad6b7169203331\",\"parent_span_id\":\"\","
        + "\"name\":\"s\",\"kind\":\"SPAN_KIND_CLIENT\",\"start_time_unix_nano\":" + OtlpFixtures.START_NANOS + ","
        + "\"end_time_unix_nano\":\"" + OtlpFixtures.END_NANOS + "\",\"trace_state\":null,"
        + "\"attributes\":[{\"key\":\"a\",\"value\":{\"int_value\":\"1e3\"}},{\"key\":\"b\",\"value\":{\"intValue\":5.0}},"
        + "{\"key\":\"c\",\"value\":{\"doubleValue\":\"NaN\"}},{\"key\":\"d\",\"value\":{\"double_value\":3}}],"
        + "\"status\":{\"code\":\"STATUS_CODE_ERROR\",\"message\":\"boom\"}}]}]}]}";

    Span span = OtlpDecoder.parseJson(json.getBytes(UTF_8)).getResourceSpans(0).getScopeSpans(0).getSpans(0);

    assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(span.getStartTimeUnixNano()).isEqualTo(OtlpFixtures.START_NANOS);
    assertThat(span.getEndTimeUnixNano()).isEqualTo(OtlpFixtures.END_NANOS);
    assertThat(span.getParentSpanId().isEmpty()).isTrue();
    assertThat(span.getAttributes(0).getValue().getIntValue()).isEqualTo(1000);
    assertThat(span.getAttributes(1).getValue().getIntValue()).isEqualTo(5);
    assertThat(span.getAttributes(2).getValue().getDoubleValue()).isNaN();
    assertThat(span.getAttributes(3).getValue().getDoubleValue()).isEqualTo(3.0);
    assertThat(span.getStatus().getMessage()).isEqualTo("boom");
  }

  @Test
  void wellFormedIdOfTheWrongLengthRejectsOnlyThatSpan() {
    String json = SPAN_PREFIX + GOOD_SPAN + "}," + GOOD_SPAN.replace(TestSpans.TRACE_ID, TestSpans.TRACE_ID.substring(2)) + "}" + SPAN_SUFFIX;

    DecodedBatch batch = map(OtlpDecoder.parseJson(json.getBytes(UTF_8)));

    assertThat(batch.accepted()).hasSize(1);
    assertThat(batch.rejected()).singleElement().satisfies(r -> {
      assertThat(r.index()).isEqualTo(1);
      assertThat(r.path()).isEqualTo("resourceSpans[0].scopeSpans[0].spans[1].traceId");
      assertThat(r.reason()).contains("got 15 bytes");
    });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      not JSON                 | {"resourceSpans": [  | malformed JSON at line 1, column
      garbage                  | hello                | malformed JSON at line 1, column
      top-level array          | []                   | request body: expected an object, got an array
      spans not an array       | {"resourceSpans": [{"scopeSpans": [{"spans": {}}]}]} | resourceSpans[0].scopeSpans[0].spans: expected an array, got an object
      span not an object       | {"resourceSpans": [{"scopeSpans": [{"spans": [1]}]}]} | resourceSpans[0].scopeSpans[0].spans[0]: expected an object, got a number
      resourceSpans not array  | {"resourceSpans": "x"} | resourceSpans: expected an array, got a string
      trailing content         | {} {}                | unexpected content after the request object
      name not a string        | {"resourceSpans": [{"scopeSpans": [{"spans": [{"name": 42}]}]}]} | resourceSpans[0].scopeSpans[0].spans[0].name: expected a string, got a number
      kind unknown name        | {"resourceSpans": [{"scopeSpans": [{"spans": [{"kind": "SPAN_KIND_SIDEWAYS"}]}]}]} | spans[0].kind: unknown value 'SPAN_KIND_SIDEWAYS'
      status code boolean      | {"resourceSpans": [{"scopeSpans": [{"spans": [{"status": {"code": true}}]}]}]} | spans[0].status.code: expected an enum number or name, got a boolean
      time not a number        | {"resourceSpans": [{"scopeSpans": [{"spans": [{"startTimeUnixNano": "soon"}]}]}]} | spans[0].startTimeUnixNano: expected an integer, got 'soon'
      negative time            | {"resourceSpans": [{"scopeSpans": [{"spans": [{"endTimeUnixNano": -1}]}]}]} | spans[0].endTimeUnixNano: expected an unsigned integer, got -1
      time beyond uint64       | {"resourceSpans": [{"scopeSpans": [{"spans": [{"endTimeUnixNano": 18446744073709551616}]}]}]} | spans[0].endTimeUnixNano: integer '18446744073709551616' is out of range for uint64
      fractional time          | {"resourceSpans": [{"scopeSpans": [{"spans": [{"endTimeUnixNano": 1.5}]}]}]} | spans[0].endTimeUnixNano: expected an integer, got '1.5'
      int64 overflow           | {"resourceSpans": [{"scopeSpans": [{"spans": [{"attributes": [{"key": "k", "value": {"intValue": "99999999999999999999"}}]}]}]}]} | spans[0].attributes[0].value.intValue: integer '99999999999999999999' is out of range for int64
      bool not a bool          | {"resourceSpans": [{"scopeSpans": [{"spans": [{"attributes": [{"key": "k", "value": {"boolValue": "yes"}}]}]}]}]} | attributes[0].value.boolValue: expected true or false, got a string
      double not a number      | {"resourceSpans": [{"scopeSpans": [{"spans": [{"attributes": [{"key": "k", "value": {"doubleValue": "abc"}}]}]}]}]} | value.doubleValue: expected a number, got 'abc'
      bytes not base64         | {"resourceSpans": [{"scopeSpans": [{"spans": [{"attributes": [{"key": "k", "value": {"bytesValue": "%%%"}}]}]}]}]} | value.bytesValue: expected base64 bytes, got '%%%'
      span id not hex          | {"resourceSpans": [{"scopeSpans": [{"spans": [{"spanId": "not-hex-at-all!!"}]}]}]} | resourceSpans[0].scopeSpans[0].spans[0].spanId: expected 16 hex characters, got 'not-hex-at-all!!'
      odd-length trace id      | {"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "abc"}]}]}]} | spans[0].traceId: expected 32 hex characters, got 'abc'
      link id not hex          | {"resourceSpans": [{"scopeSpans": [{"spans": [{"links": [{"spanId": "zz"}]}]}]}]} | spans[0].links[0].spanId: expected 16 hex characters, got 'zz'
      attribute value null ok but wrong type | {"resourceSpans": [{"scopeSpans": [{"spans": [{"attributes": [{"key": "k", "value": []}]}]}]}]} | attributes[0].value: expected an object, got an array
      """)
  void malformedJsonSaysWhatAndWhere(String what, String body, String message) {
    assertThatThrownBy(() -> OtlpDecoder.parseJson(body.getBytes(UTF_8)))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.code()).isEqualTo("invalid_otlp_json");
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.getMessage()).contains(message);
        });
  }

  @Test
  void badTraceIdOfTheSecondSpanIsNamedExactly() {
    String json = SPAN_PREFIX + GOOD_SPAN + "}," + GOOD_SPAN.replace(TestSpans.TRACE_ID, "xyz") + "}" + SPAN_SUFFIX;

    assertThatThrownBy(() -> OtlpDecoder.parseJson(json.getBytes(UTF_8)))
        .hasMessage("resourceSpans[0].scopeSpans[0].spans[1].traceId: expected 32 hex characters, got 'xyz'");
  }

  @Test
  void emptyJsonBodyIsRefused() {
    assertThatThrownBy(() -> OtlpDecoder.parseJson(new byte[0]))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("empty body");
  }

  @Test
  void invalidUtf8InJsonIsRefusedClearly() {
    byte[] body = (SPAN_PREFIX + "{\"name\":\"caf?\"}" + SPAN_SUFFIX).getBytes(UTF_8);
    body[indexOf(body, (byte) '?')] = (byte) 0xC3; // a lead byte followed by '"': not UTF-8

    assertThatThrownBy(() -> OtlpDecoder.parseJson(body))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.code()).isEqualTo("invalid_otlp_json");
          assertThat(e.getMessage()).contains("Invalid UTF-8").contains("line 1");
        });
  }

  @Test
  void deeplyNestedAttributeValueInJsonIsRefusedCleanly() {
    StringBuilder value = new StringBuilder("{\"stringValue\":\"leaf\"}");
    for (int i = 0; i < 40; i++) {
      value.insert(0, "{\"arrayValue\":{\"values\":[").append("]}}");
    }
    String json = SPAN_PREFIX + "{\"attributes\":[{\"key\":\"k\",\"value\":" + value + "}]}" + SPAN_SUFFIX;

    assertThatThrownBy(() -> OtlpDecoder.parseJson(json.getBytes(UTF_8)))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.code()).isEqualTo("invalid_otlp_json");
          assertThat(e.getMessage()).startsWith("JSON nested deeper than 64 levels at line 1, column ")
              .contains("(in resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.arrayValue.values[0]");
        });
  }

  @Test
  void hugeNestingInAnIgnoredFieldCannotBlowTheStack() {
    byte[] body = ("{\"someFutureField\":" + "[".repeat(200_000)).getBytes(UTF_8);

    assertThatThrownBy(() -> OtlpDecoder.parseJson(body))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("nested deeper than 64 levels");
  }

  @Test
  void truncatedProtobufIsRefusedWithItsCode() {
    byte[] full = OtlpFixtures.genAiChatRequest().toByteArray();
    byte[] truncated = Arrays.copyOf(full, full.length / 2);

    assertThatThrownBy(() -> OtlpDecoder.parseProtobuf(truncated))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.code()).isEqualTo("invalid_otlp_protobuf");
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.getMessage())
              .startsWith("not a valid OTLP ExportTraceServiceRequest protobuf (" + truncated.length + " bytes)")
              .contains("ended unexpectedly");
        });
  }

  @Test
  void jsonSentAsProtobufIsRefused() {
    assertThatThrownBy(() -> OtlpDecoder.parseProtobuf(OtlpFixtures.resource("genai-chat.json")))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.code()).isEqualTo("invalid_otlp_protobuf"));
  }

  @Test
  void invalidUtf8InAProtobufStringIsRefused() {
    // resource_spans (field 1) holding a ResourceSpans whose schema_url (field 3) is the single byte 0xFF
    byte[] body = {0x0a, 0x03, 0x1a, 0x01, (byte) 0xff};

    assertThatThrownBy(() -> OtlpDecoder.parseProtobuf(body))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.code()).isEqualTo("invalid_otlp_protobuf");
          assertThat(e.getMessage()).contains("invalid UTF-8");
        });
  }

  @Test
  void deeplyNestedProtobufIsRefusedCleanly() {
    AnyValue value = AnyValue.newBuilder().setStringValue("leaf").build();
    for (int i = 0; i < 100; i++) {
      value = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addValues(value)).build();
    }
    byte[] body = OtlpFixtures.request(span().addAttributes(attr("k", value)).build()).toByteArray();

    assertThatThrownBy(() -> OtlpDecoder.parseProtobuf(body))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.getMessage()).contains("too many levels of nesting"));
  }

  @Test
  void protobufWithinTheNestingLimitStillMaps() {
    AnyValue value = AnyValue.newBuilder().setStringValue("leaf").build();
    for (int i = 0; i < 20; i++) {
      value = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addValues(value)).build();
    }
    byte[] body = OtlpFixtures.request(span().addAttributes(attr("k", value)).build()).toByteArray();

    LlmSpan span = map(OtlpDecoder.parseProtobuf(body)).accepted().get(0);

    assertThat(span.getAttributes().get("k")).startsWith("[[[[").contains("\"leaf\"");
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    throw new IllegalArgumentException("byte not found");
  }
}
