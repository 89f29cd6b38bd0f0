package io.llmtrace.sink.processing;

import io.llmtrace.sink.db.ClickHouseTarget.InsertException;

/**
 * Writes a batch where it belongs, exactly once per token: {@link BatchWriter} for ClickHouse. An
 * interface so that the worker's offset protocol can be tested on its own.
 */
interface BatchInserter extends AutoCloseable {

  /** Returns when the batch is durable; throws only for failures worth retrying with the same batch. */
  void write(PartitionBatch batch, boolean resent) throws InsertException;

  @Override
  void close();
}
