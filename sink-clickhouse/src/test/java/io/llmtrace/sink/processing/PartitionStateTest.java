package io.llmtrace.sink.processing;

import static io.llmtrace.sink.processing.TestBatches.P0;
import static io.llmtrace.sink.processing.TestBatches.P1;
import static io.llmtrace.sink.processing.TestBatches.add;
import static io.llmtrace.sink.processing.TestBatches.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PartitionStateTest {

  private static final FlushPolicy THREE_ROWS = policy(3, 1_000_000_000L);

  private static PartitionState state(PartitionMode mode) {
    return new PartitionState(new PartitionBatch(P0, 64), mode);
  }

  @Test
  void aNormalBatchGoesOutWhenItReachesALimit() {
    PartitionState state = state(PartitionMode.NORMAL);
    for (long offset = 0; offset < 2; offset++) {
      assertThat(state.beforeAdding(offset, THREE_ROWS)).isFalse();
      add(state, offset);
      assertThat(state.afterAdding(THREE_ROWS)).isFalse();
    }
    add(state, 2);
    assertThat(state.afterAdding(THREE_ROWS)).isTrue();
    // its flush cut short by a stall: the next record does not join the full batch
    assertThat(state.beforeAdding(3, THREE_ROWS)).isTrue();

    PartitionState bytes = state(PartitionMode.NORMAL);
    FlushPolicy twoRowsOfBytes = new FlushPolicy(1_000, 2 * TestBatches.ROW_BYTES, 1_000_000_000L, 1 << 20);
    add(bytes, 0);
    assertThat(bytes.afterAdding(twoRowsOfBytes)).isFalse();
    add(bytes, 1);
    assertThat(bytes.afterAdding(twoRowsOfBytes)).isTrue();
  }

  @Test
  void aRebuildIgnoresTheLimitsAndEndsExactlyAtThePendingLastOffset() {
    PartitionState state = state(new PartitionMode.Rebuilding(7));
    for (long offset = 3; offset < 7; offset++) {
      assertThat(state.beforeAdding(offset, THREE_ROWS)).isFalse();
      add(state, offset);
      assertThat(state.afterAdding(THREE_ROWS)).as("offset %d of [3, 7]", offset).isFalse();
    }
    add(state, 7);
    assertThat(state.afterAdding(THREE_ROWS)).isTrue();
    assertThat(state.rebuildComplete()).isTrue();

    PartitionBatch rebuilt = state.handOff(new PartitionBatch(P0, 64));

    assertThat(rebuilt.token()).isEqualTo("t-0-3-7");
    assertThat(state.mode()).isEqualTo(PartitionMode.NORMAL);
    assertThat(state.batch().isEmpty()).isTrue();
  }

  @Test
  void aCompleteRebuildWhoseSendingWasCutShortStaysRebuildingAndDoesNotGrow() {
    PartitionState state = state(new PartitionMode.Rebuilding(7));
    for (long offset = 3; offset <= 7; offset++) {
      add(state, offset);
    }
    // not handed off (a stall came first): the next record must wait until the batch [3, 7] is out
    assertThat(state.rebuilding()).isTrue();
    assertThat(state.beforeAdding(8, THREE_ROWS)).isTrue();
    assertThat(state.mode()).isEqualTo(new PartitionMode.Rebuilding(7));
  }

  @Test
  void aRebuildWhoseLastRecordsNeverCameGoesOutAsRead() {
    PartitionState state = state(new PartitionMode.Rebuilding(7));
    add(state, 3);
    add(state, 4);
    assertThat(state.afterAdding(THREE_ROWS)).isFalse();
    assertThat(state.rebuildComplete()).isFalse();

    assertThat(state.beforeAdding(9, THREE_ROWS)).isTrue();
  }

  @Test
  void aRebuildOfWhichNothingIsLeftInKafkaJustEnds() {
    PartitionState state = state(new PartitionMode.Rebuilding(7));

    assertThat(state.beforeAdding(20, THREE_ROWS)).isFalse();

    assertThat(state.mode()).isEqualTo(PartitionMode.NORMAL);
  }

  @Test
  void continuesOnlyInAnEmptyBatchOfItsOwnPartition() {
    PartitionState state = state(PartitionMode.NORMAL);
    add(state, 0);

    assertThatThrownBy(() -> state.handOff(new PartitionBatch(P1, 64))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> state.handOff(TestBatches.batch(P0, 5, 6, 0))).isInstanceOf(IllegalArgumentException.class);
    assertThat(state.batch().token()).isEqualTo("t-0-0-0");
  }
}
