package io.llmtrace.schemas.serde;

import io.llmtrace.schemas.evolution.CompatibilityGuard;
import io.llmtrace.schemas.registry.SchemaRegistryClient;
import io.llmtrace.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Confluent wire-format records. The writer schema comes from the registry by the id in the
 * payload (cached); for a specific class it is resolved against the class's schema, so data written
 * by older or newer compatible producers reads as the current class (missing fields get their
 * defaults, unknown enum symbols their enum default). Without a class, records are read as
 * GenericRecord in the writer's schema. Every failure is a SerializationException naming the topic,
 * schema id and registry; registry outages keep a {@link SchemaRegistryException} cause whose
 * {@code isRetriable()} says so. Thread-safe.
 */
public final class AvroDeserializer<T> implements Deserializer<T> {

  private static final Logger LOG = LoggerFactory.getLogger(AvroDeserializer.class);

  private final Class<? extends SpecificRecord> specificClass;
  private final Schema readerSchema;
  private SchemaRegistryClient registry;
  private final Map<Integer, DatumReader<T>> readersByWriterId = new ConcurrentHashMap<>();
  private final ThreadLocal<BinaryDecoder> decoders = new ThreadLocal<>();

  /** Reads GenericRecords; for Kafka's class-name configuration, {@link #configure} comes next. */
  public AvroDeserializer() {
    this.specificClass = null;
    this.readerSchema = null;
  }

  /** Reads records as {@code type}, fetching writer schemas from {@code registry}. */
  public AvroDeserializer(SchemaRegistryClient registry, Class<T> type) {
    if (!SpecificRecord.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException(type.getName() + " is not a generated Avro SpecificRecord class");
    }
    this.registry = registry;
    this.specificClass = type.asSubclass(SpecificRecord.class);
    this.readerSchema = SpecificData.getForClass(type).getSchema(type);
  }

  /** Reads GenericRecords in the writer's schema, fetching it from {@code registry}. */
  public static <R> AvroDeserializer<R> generic(SchemaRegistryClient registry) {
    AvroDeserializer<R> deserializer = new AvroDeserializer<>();
    deserializer.registry = registry;
    return deserializer;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    this.registry = AvroSerdeConfig.from(configs).newClient();
    readersByWriterId.clear();
  }

  @Override
  public T deserialize(String topic, byte[] data) {
    return deserialize(topic, data, null);
  }

  /**
   * Like {@link #deserialize(String, byte[])}, filling {@code reuse} (and its nested records, lists and
   * maps) where Avro can instead of allocating new ones: for a caller that is done with the previous
   * record before it reads the next (the ClickHouse sink encodes each record to bytes at once).
   */
  public T deserialize(String topic, byte[] data, T reuse) {
    if (data == null) {
      return null;
    }
    if (registry == null) {
      throw new IllegalStateException("AvroDeserializer used before configure()");
    }
    if (data.length < WireFormat.HEADER_LENGTH) {
      throw new SerializationException(
          "payload of " + data.length + " bytes from topic '" + topic + "' is shorter than the "
              + WireFormat.HEADER_LENGTH + "-byte Confluent wire-format header");
    }
    if (data[0] != WireFormat.MAGIC_BYTE) {
      throw new SerializationException(
          "unknown magic byte 0x" + String.format("%02x", data[0] & 0xff) + " in a record from topic '"
              + topic + "': expected 0x00 (Confluent wire format); the producer did not use a"
              + " schema-registry Avro serializer");
    }
    int id = WireFormat.readInt(data, 1);
    DatumReader<T> reader = readersByWriterId.get(id);
    if (reader == null) {
      reader = createReader(topic, id);
      readersByWriterId.putIfAbsent(id, reader);
    }
    int bodyLength = data.length - WireFormat.HEADER_LENGTH;
    BinaryDecoder decoder =
        DecoderFactory.get().binaryDecoder(data, WireFormat.HEADER_LENGTH, bodyLength, decoders.get());
    decoders.set(decoder);
    T value;
    try {
      value = reader.read(reuse, decoder);
      if (!decoder.isEnd()) {
        // Left-over bytes mean the payload was not written with schema id `id`: fail, do not guess.
        throw new IOException("bytes left over after the record");
      }
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot decode a record from topic '" + topic + "' with schema id " + id
              + " (schema registry " + registry.url() + "): " + e,
          e);
    }
    return value;
  }

  private DatumReader<T> createReader(String topic, int id) {
    Schema writer;
    try {
      writer = registry.getById(id);
    } catch (SchemaRegistryException e) {
      String what = e.isNotFound() ? "unknown schema id " : "cannot fetch schema id ";
      throw new SerializationException(
          what + id + " in a record from topic '" + topic + "': " + e.getMessage(), e);
    }
    LOG.debug("reading schema id {} ({}) from topic {}", id, writer.getFullName(), topic);
    if (specificClass == null) {
      return new GenericDatumReader<>(writer, writer, GenericData.get());
    }
    Optional<String> problems = CompatibilityGuard.checkCanRead(readerSchema, writer);
    if (problems.isPresent()) {
      throw new SerializationException(
          "schema id " + id + " (" + writer.getFullName() + ") of a record from topic '" + topic
              + "' at schema registry " + registry.url() + " cannot be read as "
              + specificClass.getName() + ":\n" + problems.get());
    }
    return new SpecificDatumReader<>(writer, readerSchema, SpecificData.getForClass(specificClass));
  }

  @Override
  public void close() {
    decoders.remove();
  }
}
