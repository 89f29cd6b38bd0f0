package io.llmtrace.sink.processing;

import static io.llmtrace.sink.processing.TestBatches.P0;
import static io.llmtrace.sink.processing.TestBatches.P1;
import static io.llmtrace.sink.processing.TestBatches.batch;
import static io.llmtrace.sink.processing.TestBatches.policy;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.sink.config.SinkConfig;
import io.llmtrace.sink.processing.FlushPolicy.Tick;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class FlushPolicyTest {

  private static final long SECOND = 1_000_000_000L;
  private static final FlushPolicy POLICY = policy(100, SECOND);
  private static final BooleanSupplier BACKLOGGED = () -> true;
  private static final BooleanSupplier CAUGHT_UP = () -> false;

  private static PartitionState normal(long first, long last, long openedAtNanos) {
    return new PartitionState(batch(P0, first, last, openedAtNanos), PartitionMode.NORMAL);
  }

  @Test
  void takesTheLimitsOfTheSinkConfiguration() {
    FlushPolicy policy = FlushPolicy.of(new SinkConfig.Batching(10, 2048, Duration.ofMillis(1500), 4096));

    assertThat(policy).isEqualTo(new FlushPolicy(10, 2048, 1_500_000_000L, 4096));
  }

  @Test
  void anOldBatchGoesOutUnlessRecordsAreWaitingAndThenAtTheLatestAtTenTimesMaxAge() {
    PartitionState state = normal(0, 9, 0);
    AtomicInteger lagAsked = new AtomicInteger();

    assertThat(POLICY.onTick(state, SECOND / 2, () -> lagAsked.incrementAndGet() > 0)).isEqualTo(Tick.KEEP);
    assertThat(lagAsked).as("the lag is only asked for once the batch is old enough").hasValue(0);
    assertThat(POLICY.onTick(state, SECOND, CAUGHT_UP)).isEqualTo(Tick.FLUSH);
    assertThat(POLICY.onTick(state, SECOND, BACKLOGGED)).isEqualTo(Tick.KEEP);
    assertThat(POLICY.onTick(state, 10 * SECOND - 1, BACKLOGGED)).isEqualTo(Tick.KEEP);
    assertThat(POLICY.onTick(state, 10 * SECOND, BACKLOGGED)).isEqualTo(Tick.FLUSH);
  }

  @Test
  void aFullBatchGoesOutWhateverItsAgeAndAnEmptyOneNever() {
    FlushPolicy tenRows = policy(10, SECOND);

    assertThat(tenRows.onTick(normal(0, 9, 0), 0, BACKLOGGED)).isEqualTo(Tick.FLUSH);
    assertThat(tenRows.onTick(normal(0, 8, 0), 0, BACKLOGGED)).isEqualTo(Tick.KEEP);
    PartitionState empty = new PartitionState(new PartitionBatch(P0, 64), PartitionMode.NORMAL);
    assertThat(tenRows.onTick(empty, 100 * SECOND, CAUGHT_UP)).isEqualTo(Tick.KEEP);
  }

  @Test
  void aRebuildGoesOutWhenCompleteOrAfterWaitingLongEnoughForTheRest() {
    PartitionState incomplete = new PartitionState(batch(P0, 3, 5, 0), new PartitionMode.Rebuilding(7));
    PartitionState complete = new PartitionState(batch(P0, 3, 7, 0), new PartitionMode.Rebuilding(7));
    FlushPolicy fiveSeconds = policy(1, 5 * SECOND);

    // neither age nor size limits apply to a rebuild
    assertThat(fiveSeconds.onTick(incomplete, 49 * SECOND, CAUGHT_UP)).isEqualTo(Tick.KEEP);
    assertThat(fiveSeconds.onTick(incomplete, 50 * SECOND, CAUGHT_UP)).isEqualTo(Tick.FLUSH_INCOMPLETE_REBUILD);
    assertThat(POLICY.onTick(incomplete, 29 * SECOND, CAUGHT_UP)).isEqualTo(Tick.KEEP);
    assertThat(POLICY.onTick(incomplete, 30 * SECOND, CAUGHT_UP)).isEqualTo(Tick.FLUSH_INCOMPLETE_REBUILD);
    assertThat(fiveSeconds.onTick(complete, 0, BACKLOGGED)).isEqualTo(Tick.FLUSH);
  }

  @Test
  void onShutdownWritesWhatTheNextOwnerWouldNotRebuild() {
    assertThat(POLICY.onShutdown(normal(0, 0, 0))).isTrue();
    assertThat(POLICY.onShutdown(new PartitionState(new PartitionBatch(P0, 64), PartitionMode.NORMAL))).isFalse();
    assertThat(POLICY.onShutdown(new PartitionState(batch(P0, 3, 5, 0), new PartitionMode.Rebuilding(7)))).isFalse();
    assertThat(POLICY.onShutdown(new PartitionState(batch(P0, 3, 7, 0), new PartitionMode.Rebuilding(7)))).isTrue();
  }

  @Test
  void overMemoryTheLargestNormalBatchGoesFirstAndARebuildIsNeverCut() {
    PartitionState small = normal(0, 1, 0);
    PartitionState large = new PartitionState(batch(P1, 0, 4, 0), PartitionMode.NORMAL);
    PartitionState largestButRebuilding = new PartitionState(batch(new TopicPartition("t", 2), 0, 9, 0), new PartitionMode.Rebuilding(20));
    PartitionState empty = new PartitionState(new PartitionBatch(new TopicPartition("t", 3), 64), PartitionMode.NORMAL);

    assertThat(POLICY.evict(List.of(small, largestButRebuilding, large, empty))).containsSame(large);
    assertThat(POLICY.evict(List.of(largestButRebuilding, empty))).isEmpty();
    assertThat(POLICY.overMemory(4 << 20)).isFalse();
    assertThat(POLICY.overMemory((4 << 20) + 1)).isTrue();
  }
}
