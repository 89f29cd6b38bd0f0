package io.llmtrace.sink.processing;

import io.llmtrace.sink.db.ClickHouseTarget;
import io.llmtrace.sink.db.ClickHouseTarget.InsertException;
import io.llmtrace.sink.dlq.DeadLetter;
import io.llmtrace.sink.mapping.TableMapping;
import io.llmtrace.sink.metrics.SinkMetrics;
import io.llmtrace.sink.encoding.NativeTranscoder;
import io.llmtrace.sink.encoding.RowBinaryBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one {@link PartitionBatch}: its rows (transcoded to one Native block) with the batch's token,
 * then its dead letters (RowBinary) with the same
 * token into {@code dead_letters}. When ClickHouse rejects the values, the batch is split in halves
 * (each half with the token of its own offset range) until the rejected rows are alone; those become
 * dead letters. Splitting depends only on the rows, so a batch rebuilt after a crash splits the same way
 * and every part already written is deduplicated. A retriable failure is thrown, with nothing counted.
 */
final class BatchWriter implements BatchInserter {

  private static final Logger LOG = LoggerFactory.getLogger(BatchWriter.class);

  private final ClickHouseTarget target;
  private final TableMapping<?> mapping;
  private final SinkMetrics.TableMeters meters;
  private final NativeTranscoder transcoder;
  private final RowBinaryBuffer nativeBlock = new RowBinaryBuffer(1 << 20);
  private final RowBinaryBuffer deadLetterRows = new RowBinaryBuffer(4096);

  private final RawRecords rawRecords;

  BatchWriter(ClickHouseTarget target, TableMapping<?> mapping, SinkMetrics.TableMeters meters, RawRecords rawRecords) {
    this.target = target;
    this.rawRecords = rawRecords;
    this.mapping = mapping;
    this.meters = meters;
    this.transcoder = new NativeTranscoder(mapping.columns(), target.columnTypes(mapping.table(), mapping.columns()));
  }

  /** {@code resent}: the batch may have been written before (a retry, or a batch rebuilt after a crash). */
  @Override
  public void write(PartitionBatch batch, boolean resent) throws InsertException {
    if (resent) {
      meters.resentInserts.increment();
    }
    List<DeadLetter> deadLetters = new ArrayList<>(batch.deadLetters());
    if (batch.rowCount() > 0) {
      insertRows(batch, 0, batch.rowCount(), batch.token(), deadLetters);
    }
    if (!deadLetters.isEmpty()) {
      deadLetters.sort(Comparator.comparingLong(DeadLetter::offset));
      deadLetterRows.clear();
      deadLetters.forEach(letter -> letter.encode(deadLetterRows));
      target.insertRowBinary(DeadLetter.TABLE, DeadLetter.COLUMNS, deadLetterRows.stream(0, deadLetterRows.size()), batch.token());
      for (DeadLetter letter : deadLetters) {
        meters.deadLetters(letter.errorClass(), 1);
        // ids only: the reason can quote values (it is kept in dead_letters, with the payload)
        LOG.warn("dead-lettered {}-{}@{} ({})", letter.topic(), letter.partition(), letter.offset(), letter.errorClass());
      }
    }
  }

  private void insertRows(PartitionBatch batch, int from, int to, String token, List<DeadLetter> rejected)
      throws InsertException {
    long started = System.nanoTime();
    try {
      nativeBlock.clear();
      transcoder.transcode(batch.rowBuffer(), batch.rowStart(from), batch.rowEnd(to - 1), to - from, nativeBlock);
      target.insertNative(mapping.table(), mapping.columns(), nativeBlock.stream(0, nativeBlock.size()), token);
      meters.insertLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      meters.rowsWritten.increment(to - from);
      meters.batchRows.record(to - from);
      meters.batchBytes.record(batch.rowsBytes(from, to));
    } catch (InsertException e) {
      if (e.failure().retriable()) {
        throw e;
      }
      if (to - from == 1) {
        long offset = batch.rowOffset(from);
        ConsumerRecord<byte[], byte[]> record = rawRecords.fetch(batch.partition(), offset);
        rejected.add(record != null
            ? PartitionBatch.deadLetter(record, mapping.table(), "rejected", e.failure().message())
            : new DeadLetter(mapping.table(), batch.partition().topic(), batch.partition().partition(), offset, -1, "rejected",
                e.failure().message() + " (the record is no longer in Kafka)", null, null));
        return;
      }
      LOG.warn("ClickHouse rejected {} rows of {} (code {}); splitting to find the bad rows", to - from, token,
          e.failure().serverCode());
      int middle = (from + to) >>> 1;
      insertRows(batch, from, middle, batch.token(from, middle), rejected);
      insertRows(batch, middle, to, batch.token(middle, to), rejected);
    }
  }

  @Override
  public void close() {
    rawRecords.close();
  }
}
