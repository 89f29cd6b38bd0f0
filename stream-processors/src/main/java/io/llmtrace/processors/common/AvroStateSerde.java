package io.llmtrace.processors.common;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A state store's value format: one format byte, then the record in Avro binary. No schema registry: a
 * store and its changelog belong to one application, and the format byte names the writer schema when
 * the state evolves (version 1 is the only one so far).
 */
public final class AvroStateSerde<T extends SpecificRecord> implements Serde<T> {

  static final byte FORMAT_V1 = 1;
  private final SpecificDatumWriter<T> writer;
  private final SpecificDatumReader<T> reader;

  /**
   * With Avro's generated coders ({@code customCoders}): the classes' own encode/decode methods instead of
   * the reflective walk, about a third less time per state and the same bytes (TraceStateSerdeTest checks
   * them against the plain writer). A stateful stage encodes and decodes a state per record, so it shows.
   */
  public AvroStateSerde(Class<T> type) {
    SpecificData model = new SpecificData(type.getClassLoader());
    model.setCustomCoders(true);
    // the class's logical-type conversions (timestamps as Instant), for records whose coders fall back to them
    SpecificData.getForClass(type).getConversions().forEach(model::addLogicalTypeConversion);
    org.apache.avro.Schema schema = SpecificData.get().getSchema(type);
    this.writer = new SpecificDatumWriter<>(schema, model);
    this.reader = new SpecificDatumReader<>(schema, schema, model);
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> value == null ? null : write(value);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> bytes == null ? null : read(bytes);
  }

  public byte[] write(T value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    out.write(FORMAT_V1);
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    try {
      writer.write(value, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new SerializationException("cannot write a " + value.getSchema().getName(), e);
    }
    return out.toByteArray();
  }

  public T read(byte[] bytes) {
    if (bytes.length == 0 || bytes[0] != FORMAT_V1) {
      throw new SerializationException("unknown state format " + (bytes.length == 0 ? "(empty)" : bytes[0]));
    }
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 1, bytes.length - 1, null);
    try {
      return reader.read(null, decoder);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot read a state value", e);
    }
  }
}
