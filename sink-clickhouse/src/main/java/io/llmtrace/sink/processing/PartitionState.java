package io.llmtrace.sink.processing;

import org.apache.kafka.common.TopicPartition;

/**
 * One assigned partition: its open batch and the {@link PartitionMode} that says where the batch ends.
 * It decides, record by record, whether the batch must go out now; the worker does the sending.
 *
 * <pre>
 *   assigned, nothing pending ──────► Normal ◄── the rebuilt batch is handed off, or a record past L
 *   assigned, F pending-last=L ─► Rebuilding(L)     arrives before any of [F, L] (retention took them)
 * </pre>
 *
 * A rebuild ends when its batch is handed off, not when its last record is read: if sending it is cut
 * short by a stall, the complete batch waits as it is rather than growing past {@code L} under another
 * token.
 */
final class PartitionState {

  private final TopicPartition partition;
  private PartitionBatch batch;
  private PartitionMode mode;

  PartitionState(PartitionBatch batch, PartitionMode mode) {
    this.partition = batch.partition();
    this.batch = batch;
    this.mode = mode;
  }

  TopicPartition partition() {
    return partition;
  }

  PartitionBatch batch() {
    return batch;
  }

  PartitionMode mode() {
    return mode;
  }

  boolean rebuilding() {
    return mode instanceof PartitionMode.Rebuilding;
  }

  /** The whole pending range is read: the rebuilt batch is ready to go. */
  boolean rebuildComplete() {
    return mode instanceof PartitionMode.Rebuilding rebuilding && !batch.isEmpty()
        && batch.lastOffset() >= rebuilding.lastOffset();
  }

  /**
   * Called before the record at {@code offset} joins the batch: true if the batch must go out first. A
   * normal batch that is already full (its flush was cut short by a stall) must; so must a rebuild that
   * reaches past its range without its last records (retention deleted them): it is written as read.
   * A rebuild of which nothing was read just ends.
   */
  boolean beforeAdding(long offset, FlushPolicy policy) {
    if (!(mode instanceof PartitionMode.Rebuilding rebuilding)) {
      return policy.full(batch);
    }
    if (offset <= rebuilding.lastOffset()) {
      return false;
    }
    if (batch.isEmpty()) {
      mode = PartitionMode.NORMAL;
      return false;
    }
    return true;
  }

  /** Called after a record joined the batch: true if the batch must go out now. */
  boolean afterAdding(FlushPolicy policy) {
    return rebuilding() ? rebuildComplete() : policy.full(batch);
  }

  /**
   * The open batch goes to be written (its pending range is recorded, or about to be retried); the
   * partition continues normally in {@code next}, an empty batch of the same partition.
   */
  PartitionBatch handOff(PartitionBatch next) {
    if (!next.isEmpty() || !next.partition().equals(partition)) {
      throw new IllegalArgumentException("a partition continues in an empty batch of its own, not " + next.token());
    }
    PartitionBatch out = batch;
    batch = next;
    mode = PartitionMode.NORMAL;
    return out;
  }
}
