package io.llmtrace.sink.processing;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;

/**
 * The two offsets the sink commits for a batch {@code [F, L]}, and how a new owner reads them back.
 * Before the insert: {@code F} with metadata {@code llmtrace-sink/pending-last=L}; after it: {@code L + 1}
 * without metadata. A partition assigned with a pending batch starts {@link PartitionMode.Rebuilding}; the
 * states are tabled in {@link SinkWorker}'s Javadoc.
 */
final class OffsetProtocol {

  static final String PENDING_PREFIX = "llmtrace-sink/pending-last=";

  private OffsetProtocol() {}

  /** Committed before the batch's insert: from here, whoever reads the partition next rebuilds the batch. */
  static OffsetAndMetadata pending(PartitionBatch batch) {
    return new OffsetAndMetadata(batch.firstOffset(), PENDING_PREFIX + batch.lastOffset());
  }

  /** Committed after the batch's insert: everything up to its last offset is in ClickHouse. */
  static OffsetAndMetadata written(PartitionBatch batch) {
    return new OffsetAndMetadata(batch.lastOffset() + 1);
  }

  /** The mode a partition starts in when assigned with this committed offset (null: nothing committed yet). */
  static PartitionMode onAssignment(OffsetAndMetadata committed) {
    String metadata = committed == null ? null : committed.metadata();
    if (metadata == null || !metadata.startsWith(PENDING_PREFIX)) {
      return PartitionMode.NORMAL;
    }
    String last = metadata.substring(PENDING_PREFIX.length());
    try {
      return new PartitionMode.Rebuilding(Long.parseLong(last));
    } catch (NumberFormatException e) {
      // Someone else wrote this metadata: guessing a range would break the exactly-once argument.
      throw new IllegalStateException("committed offset " + committed.offset() + " has metadata '" + metadata
          + "', expected " + PENDING_PREFIX + "<last offset>", e);
    }
  }
}
