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
  private final List<ConsumerRecord<byte[], byte[]>> rowRecords = new ArrayList<>();
  private final List<DeadLetter> deadLetters = new ArrayList<>();
  private int[] rowEnds = new int[256];
  private long firstOffset = -1;
  private long lastOffset = -1;
  private long payloadBytes;
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
      if (rowRecords.size() == rowEnds.length) {
        rowEnds = Arrays.copyOf(rowEnds, rowEnds.length * 2);
      }
      rowEnds[rowRecords.size()] = rows.size();
      rowRecords.add(record);
    } catch (TableMapping.PoisonRecordException e) {
      deadLetters.add(deadLetter(record, appender.mapping().table(), e.errorClass(), e.getMessage()));
    }
    if (firstOffset < 0) {
      firstOffset = record.offset();
      openedAtNanos = nowNanos;
    }
    lastOffset = record.offset();
    payloadBytes += record.value() == null ? 0 : record.value().length;
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
    return rowRecords.size();
  }

  /** Encoded rows plus the original payloads held for dead letters: what this batch costs in memory. */
  long bufferedBytes() {
    return rows.size() + payloadBytes;
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

  ConsumerRecord<byte[], byte[]> rowRecord(int row) {
    return rowRecords.get(row);
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
    return token(rowRecords.get(from).offset(), rowRecords.get(to - 1).offset());
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
    rowRecords.clear();
    deadLetters.clear();
    firstOffset = -1;
    lastOffset = -1;
    payloadBytes = 0;
  }
}
