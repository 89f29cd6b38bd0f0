package io.llmtrace.processors.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmtrace.processors.common.AvroStateSerde;
import io.llmtrace.schemas.avro.TraceSummary;
import io.llmtrace.schemas.testing.TestRecords;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class CountedTraceTest {

  private static final long MINUTE = 60_000;
  private final Serde<CountedTrace> serde = CountedTrace.serde(t -> Math.floorDiv(t.getStartTime().toEpochMilli(), MINUTE) * MINUTE);

  @Test
  void aSummaryIsStoredAsItsTopicBytesAfterItsWindowStart() {
    byte[] topicBytes = "the summary as it arrived".getBytes(StandardCharsets.UTF_8);
    byte[] stored = serde.serializer().serialize("store", CountedTrace.of(1_764_496_800_000L, topicBytes));

    assertThat(stored).hasSize(9 + topicBytes.length);
    assertThat(stored[0]).isEqualTo(CountedTrace.FORMAT_V2);
    CountedTrace read = serde.deserializer().deserialize("store", stored);
    assertThat(read.windowStartMs()).isEqualTo(1_764_496_800_000L);
    assertThat(read.topicBytes()).isEqualTo(topicBytes);
    assertThat(read.summary(bytes -> new String(bytes, StandardCharsets.UTF_8).equals("the summary as it arrived") ? TestRecords.traceSummary()
        : null)).isEqualTo(TestRecords.traceSummary());
  }

  @Test
  void aStoreWrittenBeforeFormatTwoStillRestores() {
    TraceSummary summary = TestRecords.traceSummary();
    byte[] legacy = new AvroStateSerde<>(TraceSummary.class).write(summary); // format 1: the decoded summary

    CountedTrace read = serde.deserializer().deserialize("store", legacy);

    assertThat(read.summary(bytes -> {
      throw new AssertionError("a format-1 entry has no topic bytes to decode");
    })).isEqualTo(summary);
    assertThat(read.windowStartMs()).isEqualTo(Math.floorDiv(summary.getStartTime().toEpochMilli(), MINUTE) * MINUTE);
    assertThat(serde.serializer().serialize("store", read)).as("put back unchanged").isEqualTo(legacy);
  }

  @Test
  void aTruncatedEntryIsRefused() {
    assertThatThrownBy(() -> serde.deserializer().deserialize("store", new byte[] {CountedTrace.FORMAT_V2, 1, 2}))
        .isInstanceOf(SerializationException.class).hasMessageContaining("shorter than its header");
  }
}
