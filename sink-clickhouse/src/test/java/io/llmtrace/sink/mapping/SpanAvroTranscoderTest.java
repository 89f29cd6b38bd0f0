package io.llmtrace.sink.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

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

  @Test
  void recordsOfTheReleasedSchemaTakeTheGeneralPathToTheSameRow() throws IOException {
    // Given a span written with the released schema (cost amount a plain double) and one with this build's
    try (FakeSchemaRegistry fake = FakeSchemaRegistry.start()) {
      Schema released = releasedLayout();
      int releasedId = fake.register("spans-value", released);
      int currentId = fake.register("spans-value", LlmSpan.getClassSchema());
      SchemaRegistryClient registry = SchemaRegistryClient.builder(fake.url()).build();
      SpanAvroTranscoder transcoder = new SpanAvroTranscoder(registry);
      TableMapping.RowAppender<LlmSpan> appender = Mappings.spans("spans", registry).appender();
      LlmSpan span = TestSpans.fullyPopulated();

      // When both are appended
      byte[] old = wire(releasedId, avro(span, released));
      RowBinaryBuffer walked = new RowBinaryBuffer(256);
      boolean oldWalked = transcoder.transcode(old, 0, 7, walked);
      RowBinaryBuffer general = new RowBinaryBuffer(256);
      appender.append(new ConsumerRecord<>("spans", 0, 7, null, old), general);
      RowBinaryBuffer current = new RowBinaryBuffer(256);
      boolean currentWalked = transcoder.transcode(wire(currentId, avro(span)), 0, 7, current);

      // Then the walk refuses the old layout (nothing appended) and the general path reads the span, amount
      // included, into its row; the current layout is walked. (Decoded maps are hash maps, so the general
      // row is compared with the decoded span's row: map entries may come in another order.)
      LlmSpan decoded = new AvroDeserializer<>(registry, LlmSpan.class).deserialize("spans", old);
      assertThat(decoded).isEqualTo(span);
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

  /** LlmSpan as released before Cost.amount became nullable (amount a plain double): the last walk's layout. */
  private static Schema releasedLayout() throws IOException {
    JsonNode schema = new ObjectMapper().readTree(LlmSpan.getClassSchema().toString());
    ObjectNode amount = (ObjectNode) schema.findParents("name").stream()
        .filter(node -> node.get("name").asText().equals("amount") && node.has("type")).findFirst().orElseThrow();
    amount.put("type", "double");
    amount.remove("default");
    Schema released = new Schema.Parser().parse(schema.toString());
    assertThat(SchemaNormalization.parsingFingerprint64(released)).isEqualTo(-3869695323768020480L);
    return released;
  }

  private static byte[] wire(int id, byte[] body) {
    return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(id).put(body).array();
  }

  private static byte[] avro(LlmSpan span, Schema writer) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    new SpecificDatumWriter<LlmSpan>(writer, SpecificData.getForClass(LlmSpan.class)).write(span, encoder);
    encoder.flush();
    return bytes.toByteArray();
  }

  private static byte[] avro(LlmSpan span) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    new SpecificDatumWriter<>(LlmSpan.class).write(span, encoder);
    encoder.flush();
    return bytes.toByteArray();
  }
}
