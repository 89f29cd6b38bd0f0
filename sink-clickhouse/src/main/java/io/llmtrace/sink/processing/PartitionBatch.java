package io.llmtrace.sink.processing;

import io.llmtrace.sink.dlq.DeadLetter;
import io.llmtrace.sink.mapping.TableMapping;
import io.llmtrace.sink.encoding.RowBinaryBuffer;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The rows of one partition's consecutive records, waiting to be written as one insert. It covers the
 * offsets {@code [firstOffset, lastOffset]}: every record read in that range is either a row or a dead
 * letter, so the range alone names the insert ({@link #token()}), and the same range read again gives
 * the same rows.
 */
final class PartitionBatch {

  private TopicPartition partition;
  private final RowBinaryBuffer rows;
  private final List<DeadLetter> deadLetters = new ArrayList<>();
  private int[] rowEnds = new int[256];
  /** Offsets of the rows (not the records: those are not kept, see {@link RawRecords}). */
  private long[] rowOffsets = new long[256];
  private int rowCount;
  private long firstOffset = -1;
  private long lastOffset = -1;
  private long openedAtNanos;

  PartitionBatch(TopicPartition partition, int initialBytes) {
    this.partition = partition;
    this.rows = new RowBinaryBuffer(initialBytes);
  }

  /**
   * Adds the record as a row, or as a dead letter when it cannot be mapped. A transient mapping
   * failure propagates and leaves the batch as it was.
   */
  void add(ConsumerRecord<byte[], byte[]> record, TableMapping.RowAppender<?> appender, long nowNanos) {
    try {
      appender.append(record, rows);
      if (rowCount == rowEnds.length) {
        rowEnds = Arrays.copyOf(rowEnds, rowCount * 2);
        rowOffsets = Arrays.copyOf(rowOffsets, rowCount * 2);
      }
      rowEnds[rowCount] = rows.size();
      rowOffsets[rowCount++] = record.offset();
    } catch (TableMapping.PoisonRecordException e) {
      deadLetters.add(deadLetter(record, appender.mapping().table(), e.errorClass(), e.getMessage()));
    }
    if (firstOffset < 0) {
      firstOffset = record.offset();
      openedAtNanos = nowNanos;
    }
    lastOffset = record.offset();
  }

  static DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record, String table, String errorClass, String reason) {
    return new DeadLetter(table, record.topic(), record.partition(), record.offset(), record.timestamp(),
        errorClass, reason, record.key(), record.value());
  }

  boolean isEmpty() {
    return firstOffset < 0;
  }

  TopicPartition partition() {
    return partition;
  }

  long firstOffset() {
    return firstOffset;
  }

  long lastOffset() {
    return lastOffset;
  }

  int rowCount() {
    return rowCount;
  }

  /** What this batch holds in memory: its encoded rows (and a few dead letters). */
  long bufferedBytes() {
    return rows.size();
  }

  long encodedBytes() {
    return rows.size();
  }

  long ageNanos(long nowNanos) {
    return isEmpty() ? 0 : nowNanos - openedAtNanos;
  }

  List<DeadLetter> deadLetters() {
    return deadLetters;
  }

  long rowOffset(int row) {
    return rowOffsets[row];
  }

  /** The encoded rows {@code [from, to)} as one stream. */
  InputStream rows(int from, int to) {
    return rows.stream(rowStart(from), rowEnds[to - 1]);
  }

  RowBinaryBuffer rowBuffer() {
    return rows;
  }

  /** Byte offset of row {@code row} in {@link #rowBuffer()}. */
  int rowStart(int row) {
    return row == 0 ? 0 : rowEnds[row - 1];
  }

  int rowEnd(int row) {
    return rowEnds[row];
  }

  long rowsBytes(int from, int to) {
    return rowEnds[to - 1] - (from == 0 ? 0 : rowEnds[from - 1]);
  }

  /** {@code <topic>-<partition>-<first offset>-<last offset>}: the insert's deduplication token. */
  String token() {
    return token(firstOffset, lastOffset);
  }

  /** The token of the rows {@code [from, to)} alone, used when a rejected batch is split. */
  String token(int from, int to) {
    return token(rowOffsets[from], rowOffsets[to - 1]);
  }

  private String token(long first, long last) {
    return partition.topic() + "-" + partition.partition() + "-" + first + "-" + last;
  }

  /** Empties the batch and gives it to another partition (batches are pooled by the worker). */
  void reuseFor(TopicPartition next) {
    clear();
    partition = next;
  }

  void clear() {
    rows.clear();
    rowCount = 0;
    deadLetters.clear();
    firstOffset = -1;
    lastOffset = -1;
  }
}
