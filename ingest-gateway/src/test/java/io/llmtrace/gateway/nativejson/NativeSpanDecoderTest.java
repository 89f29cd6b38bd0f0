package io.llmtrace.gateway.nativejson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmtrace.gateway.intake.DecodedBatch;
import io.llmtrace.gateway.intake.IntakeLimits;
import io.llmtrace.gateway.intake.InvalidRequestException;
import io.llmtrace.gateway.intake.Rejection;
import io.llmtrace.gateway.intake.SpanIntake;
import io.llmtrace.gateway.intake.Truncator;
import io.llmtrace.schemas.avro.CostSource;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.SpanStatus;
import io.llmtrace.schemas.testing.TestSpans;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class NativeSpanDecoderTest {

  private static final Instant NOW = TestSpans.START.plusSeconds(60);
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String START = "\"start_time\":\"2026-06-04T14:12:00.123456Z\",\"end_time\":\"2026-06-04T14:12:00.935456Z\"";
  /** {@link TestSpans#minimal()} with only its required fields, as a producer would send it. */
  private static final String MINIMAL = "{\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"span_id\":\"00f067aa0ba902b7\","
      + "\"kind\":\"LLM\",\"name\":\"chat.completions\"," + START + "}";

  private final NativeSpanDecoder decoder = new NativeSpanDecoder(new SpanIntake(IntakeLimits.defaults(), CLOCK));

  @ParameterizedTest
  @EnumSource(NativeJson.Times.class)
  void fullyPopulatedSpanDecodesToAnEqualRecordExceptServerOwnedFields(NativeJson.Times times) {
    DecodedBatch batch = decoder.decode(NativeJson.batch(times, TestSpans.fullyPopulated()));

    assertThat(batch.rejected()).isEmpty();
    assertThat(batch.accepted()).containsExactly(withServerOwnedFieldsCleared(TestSpans.fullyPopulated()));
  }

  @Test
  void handWrittenFixtureDecodesToTheFullyPopulatedSpan() throws IOException {
    // The fixture documents the wire format: an offset timestamp, integer micros for the event time.
    String span;
    try (InputStream in = getClass().getResourceAsStream("/nativejson/full-span.json")) {
      span = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    DecodedBatch batch = decoder.decode(body(span));

    assertThat(batch.rejected()).isEmpty();
    assertThat(batch.accepted()).containsExactly(withServerOwnedFieldsCleared(TestSpans.fullyPopulated()));
  }

  @Test
  void absentFieldsTakeTheSchemaDefaultsLikeABuilder() {
    LlmSpan span = decodeOne(MINIMAL);

    assertThat(span).isEqualTo(withServerOwnedFieldsCleared(TestSpans.minimal()));
    assertThat(span.getStatus()).isEqualTo(SpanStatus.UNSET);
    assertThat(span.getFallback()).isFalse();
    span.getEvents().add(null); // defaults are fresh, mutable collections, as from a builder
    assertThat(decodeOne(MINIMAL).getEvents()).isEmpty();
  }

  @Test
  void jsonNullTakesTheDefault() {
    LlmSpan span = decodeOne(MINIMAL.replace("}", ",\"fallback\":null,\"status\":null,\"attributes\":null,\"events\":null,"
        + "\"parent_span_id\":null,\"usage\":null}"));

    assertThat(span).isEqualTo(withServerOwnedFieldsCleared(TestSpans.minimal()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"amount\":null,\"currency\":\"USD\"}", "{\"currency\":\"USD\"}",
      "{\"amount\":null,\"currency\":\"USD\",\"source\":\"UNKNOWN\"}"})
  void costWithoutAnAmountIsUnknownNotZero(String cost) {
    LlmSpan span = decodeOne(MINIMAL.replace("}", ",\"cost\":" + cost + "}"));

    assertThat(span.getCost().getAmount()).isNull();
    assertThat(span.getCost().getSource()).isEqualTo(CostSource.UNKNOWN);
    assertThat(span.getCost().getCurrency()).isEqualTo("USD");
  }

  @Test
  void unknownCostFixtureRoundTrips() {
    DecodedBatch batch = decoder.decode(NativeJson.batch(NativeJson.Times.RFC3339, TestSpans.unknownCost()));

    assertThat(batch.rejected()).isEmpty();
    assertThat(batch.accepted()).containsExactly(withServerOwnedFieldsCleared(TestSpans.unknownCost()));
  }

  @Test
  void goodSpansAreAcceptedAroundABadOne() {
    String bad = MINIMAL.replace("}", ",\"prompt\":{\"messages\":[{\"role\":\"system\"},{\"role\":\"user\",\"contnet\":\"hi\"}]}}");

    DecodedBatch batch = decoder.decode(body(MINIMAL, bad, MINIMAL.replace("00f067aa0ba902b7", "00f067aa0ba902b9")));

    assertThat(batch.accepted()).extracting(LlmSpan::getSpanId).containsExactly("00f067aa0ba902b7", "00f067aa0ba902b9");
    assertThat(batch.rejected()).containsExactly(new Rejection(1, "$.spans[1].prompt.messages[1].contnet",
        "unknown field 'contnet' (did you mean 'content'?)"));
  }

  @Test
  void everyBadSpanGetsItsOwnRejectionInOrder() {
    DecodedBatch batch = decoder.decode(body(
        MINIMAL.replace("\"kind\":\"LLM\"", "\"kind\":7"),
        MINIMAL,
        "[{\"nested\":[1,{\"a\":2}]}]",
        MINIMAL.replace("\"name\":\"chat.completions\"", "\"name\":\" \"")));

    assertThat(batch.accepted()).hasSize(1);
    assertThat(batch.rejected()).containsExactly(
        new Rejection(0, "$.spans[0].kind", "expected string (one of UNKNOWN, LLM, EMBEDDING, RETRIEVAL, RERANK, TOOL, "
            + "AGENT_STEP, CHAIN, GUARDRAIL, POLICY_CHECK, EVALUATION, WORKFLOW), got number"),
        new Rejection(2, "$.spans[2]", "expected a span object, got array"),
        new Rejection(3, "$.spans[3].name", "must not be empty"));
  }

  @Test
  void bareArrayPathsStartAtTheRoot() {
    DecodedBatch batch = decoder.decode(("[" + MINIMAL + "," + MINIMAL.replace("\"span_id\":\"00f067aa0ba902b7\",", "") + "]")
        .getBytes(StandardCharsets.UTF_8));

    assertThat(batch.accepted()).hasSize(1);
    assertThat(batch.rejected()).containsExactly(new Rejection(1, "$[1].span_id", "missing required field 'span_id'"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "\"2026-06-04T14:12:00.123456Z\"",
      "\"2026-06-04t14:12:00.123456z\"",
      "\"2026-06-04 14:12:00.123456Z\"",
      "\"2026-06-04T16:12:00.123456+02:00\"",
      "\"2026-06-04T09:42:00.123456-04:30\"",
      "\"2026-06-04T14:12:00.123456999Z\"",
      "1780582320123456",
      "1780582320123456.0",
      "1.780582320123456e15"})
  void timestampsAreRfc3339OrIntegerMicros(String startTime) {
    LlmSpan span = decodeOne(MINIMAL.replace("\"2026-06-04T14:12:00.123456Z\"", startTime));

    assertThat(span.getStartTime()).isEqualTo(TestSpans.START);
  }

  @Test
  void fieldOrderDoesNotMatter() {
    // Fields in schema order take a fast path; any other order must read the same.
    String reversed = "{\"end_time\":\"2026-06-04T14:12:00.935456Z\",\"start_time\":\"2026-06-04T14:12:00.123456Z\","
        + "\"name\":\"chat.completions\",\"kind\":\"LLM\",\"span_id\":\"00f067aa0ba902b7\","
        + "\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}";

    DecodedBatch batch = decoder.decode(body(MINIMAL, reversed, MINIMAL, reversed));

    assertThat(batch.rejected()).isEmpty();
    assertThat(batch.accepted()).containsOnly(withServerOwnedFieldsCleared(TestSpans.minimal())).hasSize(4);
  }

  @Test
  void payloadCannotSetTenantOrRedaction() {
    LlmSpan span = decodeOne(MINIMAL.replace("}", ",\"tenant_id\":\"someone-else\",\"redaction\":{\"applied\":true}}"));

    assertThat(span.getTenantId()).isEqualTo(NativeSpanDecoder.TENANT_PLACEHOLDER);
    assertThat(span.getRedaction()).isNull();
  }

  @Test
  void enumSymbolsMatchIgnoringCase() {
    LlmSpan span = decodeOne(MINIMAL.replace("\"LLM\"", "\"agent_step\"").replace("}", ",\"status\":\"Error\"}"));

    assertThat(span.getKind()).isEqualTo(SpanKind.AGENT_STEP);
    assertThat(span.getStatus()).isEqualTo(SpanStatus.ERROR);
  }

  @Test
  void wholeNumbersWrittenAsDecimalsAreIntegers() {
    LlmSpan span = decodeOne(MINIMAL.replace("}", ",\"attempt\":2.0,\"usage\":{\"input_tokens\":1.5e3,\"output_tokens\":-0.0}}"));

    assertThat(span.getAttempt()).isEqualTo(2);
    assertThat(span.getUsage().getInputTokens()).isEqualTo(1500L);
    assertThat(span.getUsage().getOutputTokens()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"1e999999999", "-1e999999999", "1e99999999999999999999", "9223372036854775808"})
  void astronomicalNumbersAreOutOfRangeCheaply(String number) {
    DecodedBatch batch = decoder.decode(body(MINIMAL.replace("}", ",\"usage\":{\"input_tokens\":" + number + "}}")));

    assertThat(batch.rejected()).singleElement().extracting(Rejection::reason).asString()
        .endsWith("is out of range for a long");
  }

  @Test
  void tinyFractionsAreNotIntegers() {
    DecodedBatch batch = decoder.decode(body(MINIMAL.replace("}", ",\"usage\":{\"input_tokens\":1e-999999999}}")));

    assertThat(batch.rejected()).singleElement().extracting(Rejection::reason).isEqualTo("1e-999999999 is not an integer");
  }

  @Test
  void overLongTextIsTruncatedNotRejected() {
    String prompt = "x".repeat(IntakeLimits.DEFAULT_MAX_TEXT_CHARS + 10);
    LlmSpan span = decodeOne(MINIMAL.replace("}", ",\"output\":{\"text\":\"" + prompt + "\"}}"));

    assertThat(span.getOutput().getText())
        .startsWith("x".repeat(IntakeLimits.DEFAULT_MAX_TEXT_CHARS))
        .endsWith("[truncated 10 chars]");
    assertThat(span.getAttributes()).containsEntry(Truncator.ATTRIBUTE, "output.text");
  }

  @Test
  void truncationSeesEveryCharacterHoweverTheJsonSpellsIt() {
    IntakeLimits small = new IntakeLimits(64, 10, Duration.ofHours(1), Duration.ofDays(30), Duration.ofDays(1));
    NativeSpanDecoder decoder = new NativeSpanDecoder(new SpanIntake(small, CLOCK));
    String escaped = "\\u0078".repeat(65);
    String twoByte = "é".repeat(65);
    String fits = "x".repeat(64);

    DecodedBatch batch = decoder.decode(body(
        MINIMAL.replace("}", ",\"output\":{\"text\":\"" + escaped + "\"}}"),
        MINIMAL.replace("}", ",\"output\":{\"text\":\"" + fits + "\"}}"),
        MINIMAL.replace("}", ",\"output\":{\"text\":\"" + twoByte + "\"}}")));

    assertThat(batch.accepted()).hasSize(3);
    assertThat(batch.accepted().get(0).getOutput().getText()).isEqualTo("x".repeat(64) + "…[truncated 1 chars]");
    assertThat(batch.accepted().get(1).getOutput().getText()).isEqualTo(fits);
    assertThat(batch.accepted().get(1).getAttributes()).doesNotContainKey(Truncator.ATTRIBUTE);
    assertThat(batch.accepted().get(2).getOutput().getText()).isEqualTo("é".repeat(64) + "…[truncated 1 chars]");
  }

  @Test
  void moreSpansThanTheLimitFailTheRequest() {
    IntakeLimits two = new IntakeLimits(64, 2, Duration.ofHours(1), Duration.ofDays(30), Duration.ofDays(1));
    NativeSpanDecoder small = new NativeSpanDecoder(new SpanIntake(two, CLOCK));

    assertThat(small.decode(body(MINIMAL, MINIMAL)).accepted()).hasSize(2);
    assertThatThrownBy(() -> small.decode(body(MINIMAL, MINIMAL, MINIMAL)))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.code()).isEqualTo("too_many_spans");
          assertThat(e.getMessage()).contains("more than 2 spans");
        });
  }

  @Test
  void echoedNamesAreEscapedAndShortened() {
    String name = "bad\\nname'" + "y".repeat(200);

    DecodedBatch batch = decoder.decode(body(MINIMAL.replace("}", ",\"" + name + "\":1}")));

    Rejection rejection = batch.rejected().get(0);
    assertThat(rejection.path()).startsWith("$.spans[0]['bad\\u000aname\\'yyy").endsWith("…']").hasSizeLessThan(100);
    assertThat(rejection.reason()).doesNotContain("\n").hasSizeLessThan(100);
  }

  @Test
  void utf8ByteOrderMarkIsSkipped() {
    byte[] json = body(MINIMAL);
    byte[] withBom = new byte[json.length + 3];
    withBom[0] = (byte) 0xEF;
    withBom[1] = (byte) 0xBB;
    withBom[2] = (byte) 0xBF;
    System.arraycopy(json, 0, withBom, 3, json.length);

    assertThat(decoder.decode(withBom).accepted()).hasSize(1);
  }

  @Test
  void fieldAddedToTheSchemaIsReadWithoutCodeChanges() throws IOException {
    // Given the span schema with one more field, read through the generic model
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode schemaJson = (ObjectNode) mapper.readTree(LlmSpan.getClassSchema().toString());
    ((ArrayNode) schemaJson.get("fields")).addObject()
        .put("name", "region_code").put("default", "global").putArray("type").add("string");
    Schema evolved = new Schema.Parser().parse(schemaJson.toString());
    RecordReader reader = SchemaReaders.forRecord(evolved, GenericData.get(), Map.of());

    // When a span sets it, and another leaves it out
    GenericRecord set = read(reader, MINIMAL.replace("}", ",\"region_code\":\"eu\",\"tenant_id\":\"t\"}"));
    GenericRecord unset = read(reader, MINIMAL.replace("}", ",\"tenant_id\":\"t\"}"));

    // Then the value or the schema default is there, and the existing fields as before
    assertThat(set.get("region_code")).hasToString("eu");
    assertThat(unset.get("region_code")).hasToString("global"); // the generic model's default is a Utf8
    assertThat(set.get("start_time")).isEqualTo(1_780_582_320_123_456L);
    assertThat(set.get("kind")).hasToString("LLM");
  }

  @Test
  void schemaTypesWithoutAJsonFormFailAtStartUp() {
    Schema withBytes = new Schema.Parser().parse(
        "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"blob\",\"type\":\"bytes\"}]}");

    assertThatThrownBy(() -> SchemaReaders.forRecord(withBytes, GenericData.get(), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("field blob");
  }

  private LlmSpan decodeOne(String span) {
    DecodedBatch batch = decoder.decode(body(span));
    assertThat(batch.rejected()).isEmpty();
    return batch.accepted().get(0);
  }

  private static GenericRecord read(RecordReader reader, String json) throws IOException {
    try (JsonParser parser = new JsonFactory().createParser(json)) {
      parser.nextToken();
      return (GenericRecord) reader.read(parser);
    }
  }

  private static byte[] body(String... spans) {
    return ("{\"spans\":[" + String.join(",", spans) + "]}").getBytes(StandardCharsets.UTF_8);
  }

  private static LlmSpan withServerOwnedFieldsCleared(LlmSpan span) {
    span.setTenantId(NativeSpanDecoder.TENANT_PLACEHOLDER);
    span.setRedaction(null);
    span.setOutputValidation(null);
    return span;
  }
}
