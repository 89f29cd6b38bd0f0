package io.llmtrace.processors.assemble;

import io.llmtrace.processors.assemble.state.TraceState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The state store's value format: one format byte, then the {@link TraceState} in Avro binary. No
 * schema registry: the store and its changelog belong to this application alone, and the format byte
 * names the writer schema when the state evolves (version 1 is the only one so far).
 */
public final class TraceStateSerde implements Serde<TraceState> {

  static final byte FORMAT_V1 = 1;
  private static final SpecificDatumWriter<TraceState> WRITER = new SpecificDatumWriter<>(TraceState.class);
  private static final SpecificDatumReader<TraceState> READER = new SpecificDatumReader<>(TraceState.class);

  @Override
  public Serializer<TraceState> serializer() {
    return (topic, state) -> state == null ? null : write(state);
  }

  @Override
  public Deserializer<TraceState> deserializer() {
    return (topic, bytes) -> bytes == null ? null : read(bytes);
  }

  public static byte[] write(TraceState state) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    out.write(FORMAT_V1);
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    try {
      WRITER.write(state, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new SerializationException("cannot write the state of trace " + state.getTraceId(), e);
    }
    return out.toByteArray();
  }

  public static TraceState read(byte[] bytes) {
    if (bytes.length == 0 || bytes[0] != FORMAT_V1) {
      throw new SerializationException("unknown trace-state format " + (bytes.length == 0 ? "(empty)" : bytes[0]));
    }
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 1, bytes.length - 1, null);
    try {
      return READER.read(null, decoder);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("cannot read a trace state", e);
    }
  }
}
