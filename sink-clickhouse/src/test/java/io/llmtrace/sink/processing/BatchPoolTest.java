package io.llmtrace.sink.processing;

import static io.llmtrace.sink.processing.TestBatches.P0;
import static io.llmtrace.sink.processing.TestBatches.P1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BatchPoolTest {

  @Test
  void aReleasedBatchComesBackEmptyForAnyPartition() {
    BatchPool pool = new BatchPool(1 << 20);
    PartitionBatch batch = pool.take(P0);
    TestBatches.add(new PartitionState(batch, PartitionMode.NORMAL), 7);

    pool.release(batch);
    PartitionBatch reused = pool.take(P1);

    assertThat(reused).isSameAs(batch);
    assertThat(reused.isEmpty()).isTrue();
    assertThat(reused.bufferedBytes()).isZero();
    assertThat(reused.partition()).isEqualTo(P1);
    assertThat(pool.take(P1)).isNotSameAs(batch);
  }

  @Test
  void aBatchReleasedTwiceIsRefusedRatherThanSharedByTwoPartitions() {
    BatchPool pool = new BatchPool(1 << 20);
    PartitionBatch batch = pool.take(P0);
    pool.release(batch);

    assertThatThrownBy(() -> pool.release(batch)).isInstanceOf(IllegalStateException.class);
    assertThat(pool.spares()).isEqualTo(1);
  }
}
