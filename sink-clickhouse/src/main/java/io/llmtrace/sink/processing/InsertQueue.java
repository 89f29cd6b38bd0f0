package io.llmtrace.sink.processing;

import io.llmtrace.sink.db.ClickHouseTarget.InsertException;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.common.TopicPartition;

/**
 * Batches handed over for insertion, written one after another on one thread, in the order they were
 * queued, while the worker reads the next ones. Outcomes are taken back in the same order on the
 * worker's thread, which owns the Kafka consumer and so commits the offsets.
 *
 * @param <O> what a batch was taken from (the worker's partition state), given back with its outcome
 */
final class InsertQueue<O> implements AutoCloseable {

  private record Entry<O>(O owner, PartitionBatch batch, Future<InsertException> result) {}

  /** A finished insert; {@code failure} is null if it succeeded. */
  record Completed<O>(O owner, PartitionBatch batch, InsertException failure) {}

  private final ArrayDeque<Entry<O>> entries = new ArrayDeque<>();
  private final BatchInserter writer;
  private final ExecutorService thread;

  InsertQueue(BatchInserter writer, String name) {
    this.writer = writer;
    this.thread = Executors.newSingleThreadExecutor(runnable -> {
      Thread insert = new Thread(runnable, name);
      insert.setDaemon(true);
      return insert;
    });
  }

  void submit(O owner, PartitionBatch batch, boolean resent) {
    entries.add(new Entry<>(owner, batch, thread.submit(() -> {
      try {
        writer.write(batch, resent);
        return null;
      } catch (InsertException e) {
        return e;
      }
    })));
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  boolean headDone() {
    return !entries.isEmpty() && entries.peek().result().isDone();
  }

  /** True if a batch of {@code partition} is queued (a partition's batches are written in order). */
  boolean holds(TopicPartition partition) {
    return entries.stream().anyMatch(entry -> entry.batch().partition().equals(partition));
  }

  long bufferedBytes() {
    return entries.stream().mapToLong(entry -> entry.batch().bufferedBytes()).sum();
  }

  /** Waits for the oldest insert; returns it with its failure (null if it succeeded). */
  Completed<O> takeHead() {
    Entry<O> head = entries.poll();
    try {
      return new Completed<>(head.owner(), head.batch(), head.result().get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for insert " + head.batch().token(), e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("insert " + head.batch().token() + " failed unexpectedly", e.getCause());
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
