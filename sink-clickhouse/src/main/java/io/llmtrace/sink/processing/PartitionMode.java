package io.llmtrace.sink.processing;

/**
 * Where a partition's open batch may end. {@link Normal}: wherever the sink's own limits say. {@link
 * Rebuilding}: the partition was assigned with a pending batch committed ({@link OffsetProtocol}), and its
 * first batch must be exactly that range again, whatever the limits, so the insert carries the token of
 * the first attempt and ClickHouse drops it if that attempt was written.
 */
sealed interface PartitionMode {

  PartitionMode NORMAL = new Normal();

  record Normal() implements PartitionMode {}

  /** Rebuild the pending batch up to and including {@code lastOffset}. */
  record Rebuilding(long lastOffset) implements PartitionMode {}
}
