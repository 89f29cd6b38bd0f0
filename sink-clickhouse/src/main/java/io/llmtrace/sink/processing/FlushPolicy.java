package io.llmtrace.sink.processing;

import io.llmtrace.sink.config.SinkConfig;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * When open batches go out other than record by record ({@link PartitionState}): on the clock, at
 * shutdown, and when the sink holds too much memory. Pure: the worker asks, then does the sending.
 */
record FlushPolicy(int maxRows, long maxBytes, long maxAgeNanos, long maxBufferedBytes) {

  /**
   * With records already waiting in Kafka, a batch fills up to its size limit for up to this many times
   * max-age instead of going out by age, so catching up after an outage or a restart makes few large
   * inserts rather than many small ones.
   */
  static final int BACKLOG_AGE_FACTOR = 10;
  /** A rebuild waits this long (or {@link #BACKLOG_AGE_FACTOR} × max-age, if longer) for the rest of its range. */
  static final Duration MIN_REBUILD_WAIT = Duration.ofSeconds(30);

  /** What the clock says about an open batch. */
  enum Tick { KEEP, FLUSH, FLUSH_INCOMPLETE_REBUILD }

  static FlushPolicy of(SinkConfig.Batching batching) {
    return new FlushPolicy(batching.maxRows(), batching.maxBytes(), batching.maxAge().toNanos(),
        batching.maxBufferedBytes());
  }

  boolean full(PartitionBatch batch) {
    return batch.rowCount() >= maxRows || batch.encodedBytes() >= maxBytes;
  }

  /**
   * A full batch goes (its flush was cut short by a stall), and so does a complete rebuild; an old one
   * goes unless more records are waiting ({@code backlogged}, asked only then). A rebuild whose range
   * does not arrive in time is written as read.
   */
  Tick onTick(PartitionState state, long nowNanos, BooleanSupplier backlogged) {
    PartitionBatch batch = state.batch();
    if (batch.isEmpty()) {
      return Tick.KEEP;
    }
    long age = batch.ageNanos(nowNanos);
    if (state.rebuilding()) {
      if (state.rebuildComplete()) {
        return Tick.FLUSH;
      }
      return age >= rebuildWaitNanos() ? Tick.FLUSH_INCOMPLETE_REBUILD : Tick.KEEP;
    }
    if (full(batch)) {
      return Tick.FLUSH;
    }
    if (age < maxAgeNanos) {
      return Tick.KEEP;
    }
    return age >= BACKLOG_AGE_FACTOR * maxAgeNanos || !backlogged.getAsBoolean() ? Tick.FLUSH : Tick.KEEP;
  }

  long rebuildWaitNanos() {
    return Math.max(MIN_REBUILD_WAIT.toNanos(), BACKLOG_AGE_FACTOR * maxAgeNanos);
  }

  /** On shutdown every batch goes that the next owner would not rebuild anyway. */
  boolean onShutdown(PartitionState state) {
    return !state.batch().isEmpty() && (!state.rebuilding() || state.rebuildComplete());
  }

  boolean overMemory(long bufferedBytes) {
    return bufferedBytes > maxBufferedBytes;
  }

  /**
   * The batch to send early when over memory (after the queued inserts are done): the largest open one.
   * A rebuild is never cut early, its range is fixed.
   */
  Optional<PartitionState> evict(Collection<PartitionState> states) {
    return states.stream()
        .filter(state -> !state.rebuilding() && !state.batch().isEmpty())
        .max(Comparator.comparingLong(state -> state.batch().bufferedBytes()));
  }
}
