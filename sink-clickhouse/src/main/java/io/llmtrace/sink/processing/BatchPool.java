package io.llmtrace.sink.processing;

import java.util.ArrayDeque;
import org.apache.kafka.common.TopicPartition;

/**
 * Empty batches for reuse: a batch's buffer grows once to the size batches reach and is kept, so a busy
 * partition does not re-grow (and the collector re-copy) megabytes for every batch.
 */
final class BatchPool {

  private final ArrayDeque<PartitionBatch> spares = new ArrayDeque<>();
  private final int initialBytes;

  BatchPool(long maxBatchBytes) {
    this.initialBytes = (int) Math.min(maxBatchBytes, 1 << 20);
  }

  PartitionBatch take(TopicPartition partition) {
    PartitionBatch batch = spares.poll();
    if (batch == null) {
      return new PartitionBatch(partition, initialBytes);
    }
    batch.reuseFor(partition);
    return batch;
  }

  /** Takes back a batch nothing refers to any more. */
  void release(PartitionBatch batch) {
    // The same batch handed out twice would mix two partitions' rows: fail instead.
    for (PartitionBatch spare : spares) {
      if (spare == batch) {
        throw new IllegalStateException("batch released twice: " + batch.partition());
      }
    }
    batch.clear();
    spares.push(batch);
  }

  int spares() {
    return spares.size();
  }
}
