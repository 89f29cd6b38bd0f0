package io.llmtrace.processors.aggregate;

import io.llmtrace.processors.common.AvroStateSerde;
import io.llmtrace.schemas.avro.TraceSummary;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Function;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A trace summary the metrics stage counted ({@code counted-traces}): the start of the window it counted in,
 * and the summary as it arrived — its topic bytes, decoded only when a later version of the trace comes and
 * the earlier one must be taken back out of its window. Why not the decoded summary: re-encoding every
 * summary for the store was 9% of the stream thread in the benchmark (docs/BENCHMARKS.md, "Windowed metrics
 * + alerts: where its time goes"), and the sweep that forgets closed windows' traces reads only the window start.
 *
 * <p>Store format 2: the format byte, the window start (8 bytes), the topic bytes. Format 1 (the decoded
 * summary in Avro, written before format 2) is still read, so a store written by an earlier version restores.
 */
record CountedTrace(long windowStartMs, byte[] topicBytes, TraceSummary decoded) {

  static final byte FORMAT_V2 = 2;

  /** A summary read from its topic. */
  static CountedTrace of(long windowStartMs, byte[] topicBytes) {
    return new CountedTrace(windowStartMs, topicBytes, null);
  }

  /** The summary: decoded from its topic bytes, unless the store held it decoded (format 1). */
  TraceSummary summary(Function<byte[], TraceSummary> decode) {
    return decoded != null ? decoded : decode.apply(topicBytes);
  }

  /** The store's serde; {@code windowOf} gives a format-1 summary's window start. */
  static Serde<CountedTrace> serde(Function<TraceSummary, Long> windowOf) {
    AvroStateSerde<TraceSummary> legacy = new AvroStateSerde<>(TraceSummary.class);
    Serializer<CountedTrace> serializer = (topic, value) -> value == null ? null : write(value, legacy);
    Deserializer<CountedTrace> deserializer = (topic, bytes) -> bytes == null ? null : read(bytes, legacy, windowOf);
    return org.apache.kafka.common.serialization.Serdes.serdeFrom(serializer, deserializer);
  }

  private static byte[] write(CountedTrace value, AvroStateSerde<TraceSummary> legacy) {
    if (value.topicBytes == null) {
      return legacy.write(value.decoded); // read from a format-1 store and put back unchanged
    }
    return ByteBuffer.allocate(9 + value.topicBytes.length).put(FORMAT_V2).putLong(value.windowStartMs).put(value.topicBytes).array();
  }

  private static CountedTrace read(byte[] bytes, AvroStateSerde<TraceSummary> legacy, Function<TraceSummary, Long> windowOf) {
    if (bytes.length > 0 && bytes[0] == FORMAT_V2) {
      if (bytes.length < 9) {
        throw new SerializationException("a counted trace of " + bytes.length + " bytes: shorter than its header");
      }
      return new CountedTrace(ByteBuffer.wrap(bytes, 1, 8).getLong(), Arrays.copyOfRange(bytes, 9, bytes.length), null);
    }
    TraceSummary summary = legacy.read(bytes);
    return new CountedTrace(windowOf.apply(summary), null, summary);
  }
}
