package io.llmtrace.schemas.serde;

import io.llmtrace.schemas.registry.RegisteredSchema;
import io.llmtrace.schemas.registry.SchemaRegistryClient;
import io.llmtrace.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import io.llmtrace.schemas.avro.LlmSpan;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes Avro records (specific or generic) in the Confluent wire format, with the subject named
 * by TopicNameStrategy ({@code <topic>-value} or {@code <topic>-key}). The schema id is resolved once
 * per topic and schema — by registering, by exact lookup, or by taking the subject's latest version,
 * as configured — so the steady state makes no registry call and allocates only the result array.
 * Thread-safe: Kafka producers and Streams threads may share one instance.
 */
public final class AvroSerializer<T extends IndexedRecord> implements Serializer<T> {

  private static final Logger LOG = LoggerFactory.getLogger(AvroSerializer.class);

  private SchemaRegistryClient registry;
  private AvroSerdeConfig config;
  private boolean isKey;
  private final Map<String, Target> targetsByTopic = new ConcurrentHashMap<>();
  private final ThreadLocal<EncodeState> encodeState = ThreadLocal.withInitial(EncodeState::new);

  /** For Kafka's class-name configuration; {@link #configure} must be called before use. */
  public AvroSerializer() {}

  /** A ready serializer sharing {@code registry} (and its caches) with other serdes. */
  public AvroSerializer(SchemaRegistryClient registry, AvroSerdeConfig config, boolean isKey) {
    this.registry = registry;
    this.config = config;
    this.isKey = isKey;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    this.config = AvroSerdeConfig.from(configs);
    this.registry = config.newClient();
    this.isKey = isKey;
    targetsByTopic.clear();
  }

  @Override
  public byte[] serialize(String topic, T record) {
    if (record == null) {
      return null;
    }
    if (registry == null) {
      throw new IllegalStateException("AvroSerializer used before configure()");
    }
    Target target = target(topic, record);
    EncodeState state = encodeState.get();
    ReusableBuffer buffer = state.buffer;
    buffer.reset();
    buffer.writeHeader(target.id);
    try {
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(buffer, state.encoder);
      state.encoder = encoder;
      target.writer.write(record, encoder);
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot encode " + record.getSchema().getFullName() + " for topic '" + topic
              + "' with schema id " + target.id + ": " + e,
          e);
    }
    return buffer.toByteArray();
  }

  private Target target(String topic, T record) {
    Schema schema = record.getSchema();
    Target cached = targetsByTopic.get(topic == null ? "" : topic);
    // Identity check: a specific class always hands out the same Schema instance.
    if (cached != null && cached.schema == schema) {
      return cached;
    }
    if (topic == null) {
      throw new SerializationException(
          "cannot serialize " + schema.getFullName() + " without a topic: subjects are named after it");
    }
    Target target = new Target(schema, resolveId(topic, schema), writerFor(record));
    targetsByTopic.put(topic, target);
    LOG.debug("writing {} to topic {} with schema id {}", schema.getFullName(), topic, target.id);
    return target;
  }

  private int resolveId(String topic, Schema schema) {
    String subject = Subjects.topicName(topic, isKey);
    try {
      if (config.autoRegisterSchemas()) {
        return registry.register(subject, schema);
      }
      if (config.useLatestVersion()) {
        return latestMatching(subject, schema);
      }
      return registry.lookupId(subject, schema);
    } catch (SchemaRegistryException e) {
      if (e.isNotFound()) {
        throw new SerializationException(
            "schema " + schema.getFullName() + " (fingerprint "
                + Long.toHexString(SchemaNormalization.parsingFingerprint64(schema))
                + ") is not registered under subject '" + subject + "' at schema registry "
                + registry.url() + " and " + AvroSerdeConfig.AUTO_REGISTER_SCHEMAS
                + " is false; register it first (topic '" + topic + "'): " + e.getMessage(),
            e);
      }
      throw new SerializationException(
          "cannot resolve the schema id of " + schema.getFullName() + " for topic '" + topic + "': "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Records are written field by field in their own schema's layout, so the latest version's id may
   * only be used when that version has the same layout (same parsing canonical form).
   */
  private int latestMatching(String subject, Schema schema) {
    RegisteredSchema latest = registry.getLatest(subject);
    long ours = SchemaNormalization.parsingFingerprint64(schema);
    long theirs = SchemaNormalization.parsingFingerprint64(latest.schema());
    if (ours != theirs) {
      throw new SerializationException(
          "latest schema of subject '" + subject + "' (id " + latest.id() + ", version "
              + latest.version() + ") at schema registry " + registry.url()
              + " does not have the layout of " + schema.getFullName()
              + "; with " + AvroSerdeConfig.USE_LATEST_VERSION
              + " the producer's schema must match the latest version");
    }
    return latest.id();
  }

  @SuppressWarnings("unchecked")
  private static DatumWriter<Object> writerFor(IndexedRecord record) {
    Schema schema = record.getSchema();
    if (record instanceof LlmSpan && schema == LlmSpan.getClassSchema() && LlmSpanWriter.matchesGeneratedClass()) {
      // the hot path of the gateway and the stream stages; same bytes as the general writer
      return (DatumWriter<Object>) (DatumWriter<?>) new LlmSpanWriter();
    }
    if (record instanceof SpecificRecord) {
      // The class's own model carries its logical-type conversions (Instant for timestamp-micros).
      return new NullableUnionWriter<>(schema, SpecificData.getForClass(record.getClass()));
    }
    return (DatumWriter<Object>) (DatumWriter<?>) new GenericDatumWriter<>(schema, GenericData.get());
  }

  @Override
  public void close() {
    encodeState.remove();
  }

  private record Target(Schema schema, int id, DatumWriter<Object> writer) {}

  private static final class EncodeState {
    final ReusableBuffer buffer = new ReusableBuffer();
    BinaryEncoder encoder;
  }
}
