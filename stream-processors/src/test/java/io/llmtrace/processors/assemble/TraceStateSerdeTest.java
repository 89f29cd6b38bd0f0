package io.llmtrace.processors.assemble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmtrace.processors.assemble.state.TraceState;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.testing.TestTraces;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Random;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * The store format: {@link TraceStateSerde} writes with Avro's generated coders (the fast path), so
 * its bytes are checked against Avro's plain specific writer on states aggregated from random traces,
 * after every span (open traces) as well as complete.
 */
class TraceStateSerdeTest {

  private static final Instant START = Instant.parse("2026-11-30T10:00:00Z");

  @Test
  void writesTheSameBytesAsAvrosPlainWriterAndReadsThemBack() throws IOException {
    TraceAggregator aggregator = new TraceAggregator(new TraceAggregator.Limits(1_000, 32));
    Random random = new Random(7);
    int states = 0;
    for (int t = 0; t < 300; t++) {
      String traceId = String.format("%016x%016x", 0x5eedL, t);
      TraceState state = TraceAggregator.empty(traceId);
      state.setFirstArrivalStreamMs(START.toEpochMilli() + t);
      for (LlmSpan span : TestTraces.random(random, traceId, START.plusMillis(t))) {
        aggregator.add(state, span);
        state.setDirty(random.nextBoolean());
        state.setLastArrivalStreamMs(START.toEpochMilli() + t + random.nextInt(1_000));

        byte[] written = TraceStateSerde.write(state);

        assertThat(written).as("trace %d after %d spans", t, state.getSpanCount()).isEqualTo(plain(state));
        assertThat(TraceStateSerde.read(written)).isEqualTo(state);
        states++;
      }
    }
    assertThat(states).isGreaterThan(300 * 3);
  }

  @Test
  void refusesAnUnknownFormat() {
    byte[] written = TraceStateSerde.write(TraceAggregator.empty("t"));
    written[0] = 9;
    assertThatThrownBy(() -> TraceStateSerde.read(written)).isInstanceOf(SerializationException.class).hasMessageContaining("format 9");
  }

  /** The format byte, then the state as Avro's reflective specific writer encodes it. */
  private static byte[] plain(TraceState state) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(1); // the format byte of AvroStateSerde
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<>(TraceState.class).write(state, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
