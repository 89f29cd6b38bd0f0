package io.llmtrace.sink.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.registry.SchemaRegistryClient;
import io.llmtrace.schemas.serde.AvroDeserializer;
import io.llmtrace.schemas.testing.FakeSchemaRegistry;
import io.llmtrace.schemas.testing.TestSpans;
import io.llmtrace.sink.encoding.RowBinaryBuffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The byte walk and the general path (decode to LlmSpan, SpanRows.encode) give identical rows. */
class SpanAvroTranscoderTest {

  @Test
  void walksTheSchemaOfThisBuild() {
    assertThat(SpanAvroTranscoder.currentFingerprint())
        .as("LlmSpan.avsc changed: update SpanAvroTranscoder's walk (and SpanRows), then its FINGERPRINT")
        .isEqualTo(SpanAvroTranscoder.FINGERPRINT);
  }

  @Test
  void rowsEqualTheGeneralPathForTheSharedFixturesAndRandomSpans() throws IOException {
    List<LlmSpan> spans = new ArrayList<>(List.of(TestSpans.fullyPopulated(), TestSpans.minimal(), TestSpans.unknownCost()));
    spans.addAll(TestSpans.ragTrace());
    Random random = new Random(11);
    for (int i = 0; i < 2_000; i++) {
      spans.add(TestSpans.randomVariant(random));
    }
    for (LlmSpan span : spans) {
      RowBinaryBuffer expected = new RowBinaryBuffer(256);
      SpanRows.encode(span, 0, 0, expected);
      RowBinaryBuffer walked = new RowBinaryBuffer(256);
      SpanAvroTranscoder.walkBody(avro(span), walked);
      walked.int32(0).int64(0);
      assertThat(walked.toByteArray()).as("%s", span).isEqualTo(expected.toByteArray());
    }
  }

  @Test
  void countsAboveOneByteAreMovedIntoPlace() throws IOException {
    LlmSpan span = TestSpans.minimal();
    Map<String, String> attributes = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      attributes.put("k" + i, "v" + i);
    }
    span.setAttributes(attributes);
    RowBinaryBuffer expected = new RowBinaryBuffer(256);
    SpanRows.encode(span, 0, 0, expected);
    RowBinaryBuffer walked = new RowBinaryBuffer(256);
    SpanAvroTranscoder.walkBody(avro(span), walked);
    walked.int32(0).int64(0);
    assertThat(walked.toByteArray()).isEqualTo(expected.toByteArray());

    // arrays and maps in several blocks, with negative counts and byte sizes (a blocking encoder)
    ByteArrayOutputStream blocked = new ByteArrayOutputStream();
    BinaryEncoder encoder = new EncoderFactory().configureBlockSize(64).blockingBinaryEncoder(blocked, null);
    new SpecificDatumWriter<>(LlmSpan.class).write(span, encoder);
    encoder.flush();
    assertThat(blocked.toByteArray()).isNotEqualTo(avro(span));
    RowBinaryBuffer fromBlocks = new RowBinaryBuffer(256);
    SpanAvroTranscoder.walkBody(blocked.toByteArray(), fromBlocks);
    fromBlocks.int32(0).int64(0);
    assertThat(fromBlocks.toByteArray()).isEqualTo(expected.toByteArray());
  }

  @Test
  void unknownCostIsANullAmountInTheRow() throws IOException {
    LlmSpan priced = TestSpans.unknownCost();
    priced.getCost().setAmount(0.0);
    RowBinaryBuffer unknown = new RowBinaryBuffer(256);
    SpanAvroTranscoder.walkBody(avro(TestSpans.unknownCost()), unknown);
    RowBinaryBuffer zero = new RowBinaryBuffer(256);
    SpanAvroTranscoder.walkBody(avro(priced), zero);

    // Nullable(Float64): one marker byte, then 8 value bytes only when not null
    assertThat(zero.size() - unknown.size()).isEqualTo(8);
  }

  /** Layouts written before this build: as released (amount a plain double), and before the quality fields. */
  static Stream<Arguments> earlierLayouts() throws IOException {
    return Stream.of(Arguments.of("released", releasedLayout()), Arguments.of("before the quality fields", beforeQualityFields()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("earlierLayouts")
  void recordsOfAnEarlierSchemaTakeTheGeneralPathToTheSameRow(String name, Schema earlier) throws IOException {
    // Given a span written with an earlier layout and one with this build's
    try (FakeSchemaRegistry fake = FakeSchemaRegistry.start()) {
      int earlierId = fake.register("spans-value", earlier);
      int currentId = fake.register("spans-value", LlmSpan.getClassSchema());
      SchemaRegistryClient registry = SchemaRegistryClient.builder(fake.url()).build();
      SpanAvroTranscoder transcoder = new SpanAvroTranscoder(registry);
      TableMapping.RowAppender<LlmSpan> appender = Mappings.spans("spans", registry).appender();
      LlmSpan span = TestSpans.fullyPopulated();

      // When both are appended
      byte[] old = wire(earlierId, rewrite(avro(span), earlier));
      RowBinaryBuffer walked = new RowBinaryBuffer(256);
      boolean oldWalked = transcoder.transcode(old, 0, 7, walked);
      RowBinaryBuffer general = new RowBinaryBuffer(256);
      appender.append(new ConsumerRecord<>("spans", 0, 7, null, old), general);
      RowBinaryBuffer current = new RowBinaryBuffer(256);
      boolean currentWalked = transcoder.transcode(wire(currentId, avro(span)), 0, 7, current);

      // Then the walk refuses the old layout (nothing appended) and the general path reads the span, amount
      // included and the fields that layout lacks null, into its row; the current layout is walked. (Decoded
      // maps are hash maps, so the general row is compared with the decoded span's row: map entries may come
      // in another order.)
      LlmSpan decoded = new AvroDeserializer<>(registry, LlmSpan.class).deserialize("spans", old);
      assertThat(decoded).isEqualTo(withoutQualityFields(TestSpans.fullyPopulated()));
      assertThat(decoded.getCost().getAmount()).isEqualTo(TestSpans.RAG_TOTAL_COST);
      RowBinaryBuffer expected = new RowBinaryBuffer(256);
      SpanRows.encode(decoded, 0, 7, expected);
      assertThat(oldWalked).isFalse();
      assertThat(walked.size()).isZero();
      assertThat(general.toByteArray()).isEqualTo(expected.toByteArray());
      RowBinaryBuffer original = new RowBinaryBuffer(256);
      SpanRows.encode(span, 0, 7, original);
      assertThat(currentWalked).isTrue();
      assertThat(current.toByteArray()).isEqualTo(original.toByteArray());
    }
  }

  /** LlmSpan as released: Cost.amount a plain double, and none of the quality fields. */
  private static Schema releasedLayout() throws IOException {
    ObjectNode schema = qualityFieldsRemoved();
    ObjectNode amount = (ObjectNode) schema.findParents("name").stream()
        .filter(node -> node.get("name").asText().equals("amount") && node.has("type")).findFirst().orElseThrow();
    amount.put("type", "double");
    amount.remove("default");
    Schema released = new Schema.Parser().parse(schema.toString());
    assertThat(SchemaNormalization.parsingFingerprint64(released)).isEqualTo(-3869695323768020480L);
    return released;
  }

  /** LlmSpan before prompt.template, tool_execution.call_id, policy_severity, citation_coverage, output_validation. */
  private static Schema beforeQualityFields() throws IOException {
    Schema before = new Schema.Parser().parse(qualityFieldsRemoved().toString());
    assertThat(SchemaNormalization.parsingFingerprint64(before)).isEqualTo(-7397755654712450046L);
    return before;
  }

  private static ObjectNode qualityFieldsRemoved() throws IOException {
    ObjectNode schema = (ObjectNode) new ObjectMapper().readTree(LlmSpan.getClassSchema().toString());
    removeQualityFields(schema);
    return schema;
  }

  /** Every record, however deeply nested (Jackson's findParents stops at the first match of a branch). */
  private static void removeQualityFields(JsonNode node) {
    if (node.isObject() && node.has("fields")) {
      ArrayNode fields = (ArrayNode) node.get("fields");
      for (int i = fields.size() - 1; i >= 0; i--) {
        String field = node.get("name").asText() + "." + fields.get(i).get("name").asText();
        if (Set.of("PromptInfo.template", "ToolExecution.call_id", "LlmSpan.policy_severity", "LlmSpan.citation_coverage",
            "LlmSpan.output_validation").contains(field)) {
          fields.remove(i);
        }
      }
    }
    node.forEach(SpanAvroTranscoderTest::removeQualityFields);
  }

  private static LlmSpan withoutQualityFields(LlmSpan span) {
    span.getPrompt().setTemplate(null);
    span.getToolExecution().setCallId(null);
    span.setPolicySeverity(null);
    span.setCitationCoverage(null);
    span.setOutputValidation(null);
    return span;
  }

  /** This build's bytes in another layout: read into it by Avro's resolution (by field name), written with it. */
  private static byte[] rewrite(byte[] current, Schema layout) throws IOException {
    GenericRecord record = new GenericDatumReader<GenericRecord>(LlmSpan.getClassSchema(), layout)
        .read(null, DecoderFactory.get().binaryDecoder(current, null));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    new GenericDatumWriter<GenericRecord>(layout).write(record, encoder);
    encoder.flush();
    return bytes.toByteArray();
  }

  private static byte[] wire(int id, byte[] body) {
    return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(id).put(body).array();
  }

  private static byte[] avro(LlmSpan span) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    new SpecificDatumWriter<>(LlmSpan.class).write(span, encoder);
    encoder.flush();
    return bytes.toByteArray();
  }
}
