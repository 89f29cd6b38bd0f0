package io.llmtrace.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.registry.SchemaRegistryClient;
import io.llmtrace.schemas.testing.FakeSchemaRegistry;
import io.llmtrace.schemas.testing.TestRecords;
import io.llmtrace.schemas.testing.TestSpans;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Wire format, round trips, subjects and caching of the serde, against the in-process fake registry. */
class AvroSerdeTest {

  private static final String TOPIC = "llm.spans.raw";

  private final FakeSchemaRegistry registry = FakeSchemaRegistry.start();
  private final Map<String, Object> config = Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url());

  @AfterEach
  void stop() {
    registry.close();
  }

  @Test
  void writesMagicByteBigEndianIdAndPlainAvroBinary() throws Exception {
    registry.nextIdStartsAt(0x01020304);
    LlmSpan span = TestSpans.fullyPopulated();

    byte[] bytes = AvroSerdes.specific(LlmSpan.class, config, false).serializer().serialize(TOPIC, span);

    byte[] body = avroBinary(span);
    assertThat(bytes).hasSize(5 + body.length);
    assertThat(bytes).startsWith(0x00, 0x01, 0x02, 0x03, 0x04);
    assertThat(Arrays.copyOfRange(bytes, 5, bytes.length)).isEqualTo(body);
    assertThat(WireFormat.schemaId(bytes)).isEqualTo(0x01020304);
  }

  static Stream<Arguments> fixtures() {
    Stream<SpecificRecord> records =
        Stream.concat(
            Stream.of(
                TestSpans.fullyPopulated(),
                TestSpans.minimal(),
                TestRecords.traceSummary(),
                TestRecords.metricWindow(),
                TestRecords.alertEvent(),
                TestRecords.reviewItem()),
            TestSpans.ragTrace().stream());
    return records.map(r -> Arguments.of(r.getSchema().getName(), r));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void roundTripsEveryFixture(String name, SpecificRecord record) {
    assertThat(roundTrip(record)).isEqualTo(record);
  }

  @Test
  void registersUnderTopicNameStrategySubjects() {
    AvroSerdes.specific(LlmSpan.class, config, false).serializer().serialize(TOPIC, TestSpans.minimal());
    AvroSerdes.specific(LlmSpan.class, config, true).serializer().serialize(TOPIC, TestSpans.minimal());

    assertThat(registry.requests())
        .containsExactly(
            "POST /subjects/llm.spans.raw-value/versions", "POST /subjects/llm.spans.raw-key/versions");
    assertThat(Subjects.topicName(TOPIC, false)).isEqualTo("llm.spans.raw-value");
  }

  @Test
  void resolvesEachIdOnceAcrossManyRecords() {
    AvroSerde<LlmSpan> producer = AvroSerdes.specific(LlmSpan.class, config, false);
    AvroSerde<LlmSpan> consumer = AvroSerdes.specific(LlmSpan.class, config, false);

    for (int i = 0; i < 100; i++) {
      LlmSpan span = TestSpans.minimal();
      span.setSpanId(Integer.toHexString(i));
      assertThat(consumer.deserializer().deserialize(TOPIC, producer.serializer().serialize(TOPIC, span)))
          .isEqualTo(span);
    }

    assertThat(registry.requestCount("POST ")).isEqualTo(1);
    assertThat(registry.requestCount("GET /schemas/ids/")).isEqualTo(1);
  }

  @Test
  void serdesSharingAClientShareItsCache() {
    SchemaRegistryClient shared = SchemaRegistryClient.builder(registry.url()).build();
    AvroSerde<LlmSpan> producer = AvroSerdes.specific(LlmSpan.class, shared, Map.of(), false);
    AvroSerde<LlmSpan> consumer = AvroSerdes.specific(LlmSpan.class, shared, Map.of(), false);

    consumer.deserializer().deserialize(TOPIC, producer.serializer().serialize(TOPIC, TestSpans.minimal()));

    assertThat(registry.requestCount("GET ")).as("the id is known from registering").isZero();
  }

  @Test
  void nullIsATombstoneBothWays() {
    AvroSerde<LlmSpan> serde = AvroSerdes.specific(LlmSpan.class, config, false);

    assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
    assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
    assertThat(registry.requests()).isEmpty();
  }

  @Test
  void genericSerdeReadsSpecificDataInTheWritersSchema() {
    byte[] bytes = AvroSerdes.specific(LlmSpan.class, config, false).serializer().serialize(TOPIC, TestSpans.fullyPopulated());

    GenericRecord generic = AvroSerdes.generic(config, false).deserializer().deserialize(TOPIC, bytes);

    assertThat(generic.get("trace_id")).hasToString(TestSpans.TRACE_ID);
    assertThat(generic.get("start_time")).as("raw micros without conversions")
        .isEqualTo(TestSpans.START.plusMillis(400).toEpochMilli() * 1_000 + 456);
    assertThat(((GenericRecord) generic.get("model")).get("name")).hasToString("gpt-4.1-mini");
    byte[] rewritten = AvroSerdes.generic(config, false).serializer().serialize(TOPIC, generic);
    assertThat(WireFormat.schemaId(rewritten)).as("same schema, same id").isEqualTo(WireFormat.schemaId(bytes));
    assertThat(AvroSerdes.specific(LlmSpan.class, config, false).deserializer().deserialize(TOPIC, rewritten))
        .isEqualTo(TestSpans.fullyPopulated());
  }

  @Test
  void worksWhenKafkaCreatesItByClassName() {
    AvroSerializer<LlmSpan> serializer = new AvroSerializer<>();
    AvroDeserializer<GenericRecord> deserializer = new AvroDeserializer<>();
    serializer.configure(config, false);
    deserializer.configure(config, false);

    GenericRecord read = deserializer.deserialize(TOPIC, serializer.serialize(TOPIC, TestSpans.minimal()));

    assertThat(read.get("name")).hasToString("chat.completions");
  }

  @Test
  void isSafeToShareAcrossThreads() throws Exception {
    AvroSerde<LlmSpan> serde = AvroSerdes.specific(LlmSpan.class, config, false);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Integer>> tasks = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        tasks.add(() -> {
          for (int i = 0; i < 500; i++) {
            LlmSpan span = i % 2 == 0 ? TestSpans.fullyPopulated() : TestSpans.minimal();
            span.setSpanId(thread + "-" + i);
            LlmSpan read = serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, span));
            if (!read.equals(span)) {
              return i;
            }
          }
          return -1;
        });
      }
      for (Future<Integer> result : pool.invokeAll(tasks)) {
        assertThat(result.get()).as("first record that came back different").isEqualTo(-1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @SuppressWarnings("unchecked")
  private <T extends SpecificRecord> T roundTrip(T record) {
    Class<T> type = (Class<T>) record.getClass();
    AvroSerde<T> serde = AvroSerdes.specific(type, config, false);
    return serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, record));
  }

  private static byte[] avroBinary(LlmSpan span) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<>(LlmSpan.class).write(span, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
