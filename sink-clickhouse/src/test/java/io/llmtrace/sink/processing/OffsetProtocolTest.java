package io.llmtrace.sink.processing;

import static io.llmtrace.sink.processing.TestBatches.P0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;

class OffsetProtocolTest {

  @Test
  void aBatchIsRecordedAsPendingAtItsFirstOffsetAndCommittedPastItsLast() {
    PartitionBatch batch = TestBatches.batch(P0, 40, 43, 0);

    assertThat(OffsetProtocol.pending(batch)).isEqualTo(new OffsetAndMetadata(40, "llmtrace-sink/pending-last=43"));
    assertThat(OffsetProtocol.written(batch)).isEqualTo(new OffsetAndMetadata(44));
    assertThat(OffsetProtocol.written(batch).metadata()).isEmpty();
  }

  @Test
  void aPartitionAssignedWithAPendingBatchRebuildsExactlyThatBatch() {
    PartitionBatch batch = TestBatches.batch(P0, 10, 19, 0);

    assertThat(OffsetProtocol.onAssignment(OffsetProtocol.pending(batch))).isEqualTo(new PartitionMode.Rebuilding(19));
    assertThat(OffsetProtocol.onAssignment(OffsetProtocol.written(batch))).isEqualTo(PartitionMode.NORMAL);
    assertThat(OffsetProtocol.onAssignment(null)).isEqualTo(PartitionMode.NORMAL);
    assertThat(OffsetProtocol.onAssignment(new OffsetAndMetadata(10, "some other tool"))).isEqualTo(PartitionMode.NORMAL);
  }

  @Test
  void aPendingMarkerWithoutAnOffsetStopsTheWorkerInsteadOfGuessing() {
    assertThatThrownBy(() -> OffsetProtocol.onAssignment(new OffsetAndMetadata(10, "llmtrace-sink/pending-last=x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("committed offset 10")
        .hasMessageContaining("'llmtrace-sink/pending-last=x'");
  }
}
