package io.llmtrace.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.testing.FakeSchemaRegistry;
import io.llmtrace.schemas.testing.TestSpans;
import java.io.ByteArrayOutputStream;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Producers on other schema versions: data written by an older or a newer writer schema is read as
 * the current class through Avro schema resolution, and an unreadable writer is refused up front.
 */
class AvroSerdeEvolutionTest {

  private static final String TOPIC = "llm.spans.redacted";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final FakeSchemaRegistry registry = FakeSchemaRegistry.start();
  private final Map<String, Object> config = Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url());

  @AfterEach
  void stop() {
    registry.close();
  }

  @Test
  void readsAnOlderWriterFillingNewFieldsWithTheirDefaults() throws Exception {
    Set<String> addedSince = Set.of("service_name", "tool_execution", "feedback", "redaction");
    Schema older = edit(LlmSpan.getClassSchema(), json -> removeFields(json, addedSince));
    GenericRecord oldRecord = convert(TestSpans.fullyPopulated(), older);
    byte[] bytes = AvroSerdes.generic(config, false).serializer().serialize(TOPIC, oldRecord);

    LlmSpan read = AvroSerdes.specific(LlmSpan.class, config, false).deserializer().deserialize(TOPIC, bytes);

    LlmSpan expected = TestSpans.fullyPopulated();
    expected.setServiceName(null);
    expected.setToolExecution(null);
    expected.setFeedback(List.of());
    expected.setRedaction(null);
    assertThat(read).isEqualTo(expected);
  }

  @Test
  void readsANewerWriterIgnoringNewFieldsAndMappingUnknownKindsToUnknown() throws Exception {
    Schema newer =
        edit(LlmSpan.getClassSchema(), json -> {
          ((ArrayNode) field(json, "kind").get("type").get("symbols")).add("PLANNER");
          ((ArrayNode) json.get("fields"))
              .addObject()
              .put("name", "cost_center")
              .putNull("default")
              .putArray("type").add("null").add("string");
        });
    GenericRecord newRecord = convert(TestSpans.fullyPopulated(), newer);
    newRecord.put("kind", new GenericData.EnumSymbol(newer.getField("kind").schema(), "PLANNER"));
    newRecord.put("cost_center", "cc-42");
    byte[] bytes = AvroSerdes.generic(config, false).serializer().serialize(TOPIC, newRecord);

    LlmSpan read = AvroSerdes.specific(LlmSpan.class, config, false).deserializer().deserialize(TOPIC, bytes);

    LlmSpan expected = TestSpans.fullyPopulated();
    expected.setKind(SpanKind.UNKNOWN);
    assertThat(read).isEqualTo(expected);
  }

  @Test
  void keepsOneReaderPerWriterSchema() throws Exception {
    Schema older = edit(LlmSpan.getClassSchema(), json -> removeFields(json, Set.of("redaction")));
    AvroSerde<GenericRecord> oldProducer = AvroSerdes.generic(config, false);
    AvroSerde<LlmSpan> newProducer = AvroSerdes.specific(LlmSpan.class, config, false);
    AvroSerde<LlmSpan> consumer = AvroSerdes.specific(LlmSpan.class, config, false);

    for (int i = 0; i < 10; i++) {
      consumer.deserializer().deserialize(
          TOPIC, oldProducer.serializer().serialize(TOPIC, convert(TestSpans.minimal(), older)));
      consumer.deserializer().deserialize(TOPIC, newProducer.serializer().serialize(TOPIC, TestSpans.minimal()));
    }

    assertThat(registry.requestCount("GET /schemas/ids/")).isEqualTo(2);
  }

  @Test
  void refusesAWriterSchemaTheClassCannotRead() throws Exception {
    Schema incompatible =
        edit(LlmSpan.getClassSchema(), json -> field(json, "span_id").put("type", "long"));
    GenericRecord record = convertLoosely(incompatible);
    byte[] bytes = AvroSerdes.generic(config, false).serializer().serialize(TOPIC, record);
    int id = WireFormat.schemaId(bytes);

    assertThatThrownBy(
            () -> AvroSerdes.specific(LlmSpan.class, config, false).deserializer().deserialize(TOPIC, bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("schema id " + id + " (io.llmtrace.schemas.avro.LlmSpan)")
        .hasMessageContaining("topic '" + TOPIC + "'")
        .hasMessageContaining(registry.url())
        .hasMessageContaining("cannot be read as io.llmtrace.schemas.avro.LlmSpan")
        .hasMessageContaining("TYPE_MISMATCH");
  }

  /** Re-encodes a span in another schema version, as a producer on that version would have built it. */
  private static GenericRecord convert(LlmSpan span, Schema target) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<>(LlmSpan.class).write(span, encoder);
    encoder.flush();
    GenericDatumReader<GenericRecord> reader = new GenericDatumReader<>(LlmSpan.getClassSchema(), target);
    return reader.read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
  }

  /** A record of a schema the current class cannot read, with only the required fields filled. */
  private static GenericRecord convertLoosely(Schema schema) {
    GenericRecord record = new GenericData.Record(schema);
    for (Schema.Field field : schema.getFields()) {
      if (field.hasDefaultValue()) {
        record.put(field.pos(), GenericData.get().getDefaultValue(field));
      }
    }
    record.put("trace_id", TestSpans.TRACE_ID);
    record.put("span_id", 7L);
    record.put("tenant_id", TestSpans.TENANT_ID);
    record.put("kind", new GenericData.EnumSymbol(schema.getField("kind").schema(), "LLM"));
    record.put("name", "x");
    record.put("start_time", 1L);
    record.put("end_time", 2L);
    return record;
  }

  private interface JsonEdit {
    void apply(ObjectNode schema) throws Exception;
  }

  private static Schema edit(Schema schema, JsonEdit edit) throws Exception {
    ObjectNode json = (ObjectNode) JSON.readTree(schema.toString());
    edit.apply(json);
    return new Schema.Parser().parse(json.toString());
  }

  private static void removeFields(ObjectNode record, Set<String> names) {
    Iterator<JsonNode> fields = record.get("fields").iterator();
    while (fields.hasNext()) {
      if (names.contains(fields.next().get("name").asText())) {
        fields.remove();
      }
    }
  }

  private static ObjectNode field(ObjectNode record, String name) {
    for (JsonNode field : record.get("fields")) {
      if (field.get("name").asText().equals(name)) {
        return (ObjectNode) field;
      }
    }
    throw new IllegalArgumentException("no field " + name);
  }
}
