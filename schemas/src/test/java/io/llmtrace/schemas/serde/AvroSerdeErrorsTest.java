package io.llmtrace.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.registry.SchemaRegistryException;
import io.llmtrace.schemas.testing.FakeSchemaRegistry;
import io.llmtrace.schemas.testing.TestSpans;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the serde says when payloads, ids or the registry are not what they should be. */
class AvroSerdeErrorsTest {

  private static final String TOPIC = "llm.spans.raw";

  private final FakeSchemaRegistry registry = FakeSchemaRegistry.start();
  private final Map<String, Object> config = Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url());
  private final AvroSerde<LlmSpan> serde = AvroSerdes.specific(LlmSpan.class, config, false);

  @AfterEach
  void stop() {
    registry.close();
  }

  @Test
  void wrongMagicByteNamesTheTopic() {
    byte[] json = "{\"trace_id\":\"x\"}".getBytes();

    SerializationException e = deserializeFails(json);

    assertThat(e).hasMessage(
        "unknown magic byte 0x7b in a record from topic 'llm.spans.raw': expected 0x00 (Confluent wire"
            + " format); the producer did not use a schema-registry Avro serializer");
    assertThat(registry.requests()).isEmpty();
  }

  @Test
  void payloadShorterThanTheHeaderIsTruncated() {
    SerializationException e = deserializeFails(new byte[] {0, 0, 1});

    assertThat(e).hasMessage(
        "payload of 3 bytes from topic 'llm.spans.raw' is shorter than the 5-byte Confluent"
            + " wire-format header");
  }

  @Test
  void unknownIdNamesRegistryTopicAndId() {
    SerializationException e = deserializeFails(new byte[] {0, 0, 0, 3, (byte) 0xe7, 2, 4});

    assertThat(e).hasMessage(
        "unknown schema id 999 in a record from topic 'llm.spans.raw': schema registry at "
            + registry.url() + " returned HTTP 404 (error_code 40403: Schema 999 not found) while"
            + " fetching id 999");
    assertThat(e.getCause()).isInstanceOfSatisfying(
        SchemaRegistryException.class, cause -> assertThat(cause.isRetriable()).isFalse());
  }

  @Test
  void unreachableRegistryIsARetriableCause() throws IOException {
    String dead = "http://127.0.0.1:" + freePort();
    AvroSerde<LlmSpan> offline =
        AvroSerdes.specific(LlmSpan.class, Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, dead), false);

    SerializationException e =
        catchThrowableOfType(
            SerializationException.class,
            () -> offline.deserializer().deserialize(TOPIC, new byte[] {0, 0, 0, 0, 42, 0}));

    assertThat(e).hasMessage(
        "cannot fetch schema id 42 in a record from topic 'llm.spans.raw': schema registry at " + dead
            + " unreachable while fetching id 42: Connection refused");
    assertThat(e.getCause()).isInstanceOfSatisfying(
        SchemaRegistryException.class, cause -> assertThat(cause.isRetriable()).isTrue());
  }

  @Test
  void corruptBodyNamesTopicIdAndRegistry() {
    byte[] good = serde.serializer().serialize(TOPIC, TestSpans.fullyPopulated());
    byte[] truncated = Arrays.copyOf(good, good.length / 2);

    SerializationException e = deserializeFails(truncated);

    assertThat(e.getMessage())
        .startsWith("cannot decode a record from topic 'llm.spans.raw' with schema id 1 (schema registry "
            + registry.url() + "): ");
  }

  @Test
  void bytesLeftOverAfterTheRecordAreAnError() {
    byte[] good = serde.serializer().serialize(TOPIC, TestSpans.minimal());
    byte[] padded = Arrays.copyOf(good, good.length + 1);

    assertThat(deserializeFails(padded)).hasMessageContaining("bytes left over after the record");
  }

  @Test
  void recordMissingARequiredValueCannotBeEncoded() {
    LlmSpan span = TestSpans.minimal();
    span.setName(null);

    SerializationException e =
        catchThrowableOfType(SerializationException.class, () -> serde.serializer().serialize(TOPIC, span));

    assertThat(e).hasMessageStartingWith(
        "cannot encode io.llmtrace.schemas.avro.LlmSpan for topic 'llm.spans.raw' with schema id 1: ");
    assertThat(e.getMessage()).contains("name");
  }

  @Test
  void withoutAutoRegisterAnUnregisteredSchemaFailsClearly() {
    AvroSerde<LlmSpan> strict = strictSerde(Map.of());

    SerializationException e =
        catchThrowableOfType(
            SerializationException.class, () -> strict.serializer().serialize(TOPIC, TestSpans.minimal()));

    assertThat(e.getMessage())
        .contains("is not registered under subject 'llm.spans.raw-value' at schema registry " + registry.url())
        .contains("auto.register.schemas is false")
        .contains("topic 'llm.spans.raw'");
    assertThat(registry.requests()).containsExactly("POST /subjects/llm.spans.raw-value");
  }

  @Test
  void withoutAutoRegisterTheExactSchemaIsLookedUp() {
    int id = registry.register("llm.spans.raw-value", LlmSpan.getClassSchema());
    AvroSerde<LlmSpan> strict = strictSerde(Map.of());

    byte[] bytes = strict.serializer().serialize(TOPIC, TestSpans.minimal());
    strict.serializer().serialize(TOPIC, TestSpans.minimal());

    assertThat(WireFormat.schemaId(bytes)).isEqualTo(id);
    assertThat(registry.requests()).containsExactly("POST /subjects/llm.spans.raw-value");
  }

  @Test
  void useLatestVersionTakesTheLatestIdWhenItHasTheRecordsLayout() {
    int id = registry.register("llm.spans.raw-value", LlmSpan.getClassSchema());
    AvroSerde<LlmSpan> latest = strictSerde(Map.of(AvroSerdeConfig.USE_LATEST_VERSION, "true"));

    byte[] bytes = latest.serializer().serialize(TOPIC, TestSpans.minimal());

    assertThat(WireFormat.schemaId(bytes)).isEqualTo(id);
    assertThat(registry.requests()).containsExactly("GET /subjects/llm.spans.raw-value/versions/latest");
  }

  @Test
  void useLatestVersionRefusesALatestVersionWithAnotherLayout() {
    registry.register("llm.spans.raw-value", LlmSpan.getClassSchema());
    registry.register("llm.spans.raw-value", io.llmtrace.schemas.avro.TraceSummary.getClassSchema());
    AvroSerde<LlmSpan> latest = strictSerde(Map.of(AvroSerdeConfig.USE_LATEST_VERSION, true));

    SerializationException e =
        catchThrowableOfType(
            SerializationException.class, () -> latest.serializer().serialize(TOPIC, TestSpans.minimal()));

    assertThat(e.getMessage())
        .contains("latest schema of subject 'llm.spans.raw-value' (id 2, version 2)")
        .contains(registry.url())
        .contains("does not have the layout of io.llmtrace.schemas.avro.LlmSpan");
  }

  private AvroSerde<LlmSpan> strictSerde(Map<String, Object> extra) {
    Map<String, Object> settings = new java.util.HashMap<>(config);
    settings.put(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, false);
    settings.putAll(extra);
    return AvroSerdes.specific(LlmSpan.class, settings, false);
  }

  private SerializationException deserializeFails(byte[] bytes) {
    return catchThrowableOfType(
        SerializationException.class, () -> serde.deserializer().deserialize(TOPIC, bytes));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
