package io.llmtrace.sink.processing;

import io.llmtrace.sink.config.SinkConfig;
import io.llmtrace.sink.db.ClickHouseTarget.InsertException;
import io.llmtrace.sink.mapping.TableMapping;
import io.llmtrace.sink.metrics.SinkMetrics;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One table's consumer loop: reads its topic, batches rows per partition, writes each batch exactly
 * once, and commits the offsets a batch covers only after ClickHouse has it.
 *
 * <p>Offset states of a partition (what the group's committed offset + metadata say):
 * <table>
 *   <tr><th>committed</th><th>meaning</th><th>on (re)assignment</th></tr>
 *   <tr><td>{@code C}, no metadata</td><td>everything before C is in ClickHouse</td><td>read from C, batch normally</td></tr>
 *   <tr><td>{@code F}, {@code pending-last=L}</td><td>the batch [F, L] is being (or was) inserted with token
 *       {@code topic-p-F-L}; nothing before F is missing</td><td>rebuild exactly [F, L] (ignore size/time
 *       limits), insert it with the same token (ClickHouse drops it if it was written), then continue</td></tr>
 * </table>
 * A batch moves: open (rows appended) → {@code commitSync(F, pending-last=L)} → insert → {@code
 * commitSync(L + 1)}. A crash or rebalance anywhere in that sequence leaves one of the two states above,
 * and both lead to the same rows in ClickHouse once. The guarantee holds while the re-sent insert is
 * within the table's deduplication window (see the module README).
 *
 * <p>Retriable failures (ClickHouse down or overloaded, schema registry unreachable) pause every assigned
 * partition, so no more records are fetched and memory stays bounded, and retry with exponential backoff
 * while still polling (the consumer stays in its group).
 */
public final class SinkWorker<T> implements Runnable {

  static final String PENDING_PREFIX = "llmtrace-sink/pending-last=";
  private static final Logger LOG = LoggerFactory.getLogger(SinkWorker.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final long LAG_REFRESH_NANOS = 1_000_000_000L;

  private final TableMapping<T> mapping;
  private final TableMapping.RowAppender<T> appender;
  private final SinkConfig.Batching batching;
  private final Backoff backoff;
  private final Consumer<byte[], byte[]> consumer;
  private final BatchWriter writer;
  private final SinkMetrics.TableMeters meters;
  private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
  private final ArrayDeque<PartitionBatch> spares = new ArrayDeque<>();
  /** One insert at a time runs here while the worker decodes the next batch. */
  private final ExecutorService insertThread;
  private InFlight inFlight;
  /** A partition whose batch was dropped while its records were being taken: skip the rest of the poll. */
  private TopicPartition abandoned;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private Stall stall;
  private long lagRefreshedAt;
  private volatile Throwable failure;

  public SinkWorker(TableMapping<T> mapping, SinkConfig.Batching batching, Backoff backoff,
      Consumer<byte[], byte[]> consumer, BatchWriter writer, SinkMetrics.TableMeters meters) {
    this.mapping = mapping;
    this.appender = mapping.appender();
    this.batching = batching;
    this.backoff = backoff;
    this.consumer = consumer;
    this.writer = writer;
    this.meters = meters;
    this.insertThread = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "sink-" + mapping.name() + "-insert");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** The insert running on the insert thread, and the partition state its offsets belong to. */
  private record InFlight(PartitionState state, PartitionBatch batch, Future<InsertException> result) {}

  /** A partition's open batch, and the end of the batch it must rebuild first, if any. */
  private static final class PartitionState {
    PartitionBatch batch;
    long replayUntil = -1;

    PartitionState(TopicPartition partition, int initialBytes) {
      this.batch = new PartitionBatch(partition, initialBytes);
    }
  }

  /** Waiting out a retriable failure; {@code batch} is the batch to send again, if the failure was an insert. */
  private static final class Stall {
    PartitionState state;
    PartitionBatch batch;
    boolean pendingCommitted;
    int attempts;
    long retryAtNanos;
  }

  public TableMapping<T> mapping() {
    return mapping;
  }

  /** Non-null when the loop ended on an error it could not handle. */
  public Throwable failure() {
    return failure;
  }

  /** True while the worker is backing off a retriable failure. */
  public boolean stalled() {
    return stall != null;
  }

  @Override
  public void run() {
    consumer.subscribe(List.of(mapping.topic()), new Rebalance());
    try {
      while (running.get()) {
        if (stall != null) {
          waitOrRetry();
        } else {
          process(consumer.poll(POLL));
          completeInFlightIfDone();
          flushDue(System.nanoTime());
        }
        refreshLag();
      }
      flushAllOnShutdown();
    } catch (RuntimeException | Error e) {
      failure = e;
      LOG.error("sink worker for {} stopped", mapping.table(), e);
      throw e;
    } finally {
      insertThread.shutdownNow();
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /**
   * Stops the loop within one poll interval (no {@code wakeup()}: it would also abort an offset commit);
   * open batches are written if ClickHouse takes them, else left to the next owner.
   */
  public void stop() {
    running.set(false);
  }

  private void process(ConsumerRecords<byte[], byte[]> records) {
    long now = System.nanoTime();
    List<TopicPartition> polled = new ArrayList<>(records.partitions());
    for (int p = 0; p < polled.size(); p++) {
      TopicPartition tp = polled.get(p);
      PartitionState state = partitions.get(tp);
      List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
      for (int i = 0; i < list.size(); i++) {
        int resumeAt = accept(state, list.get(i), now) ? i + 1 : i;
        if (stall != null) {
          rewind(records, polled, p, resumeAt);
          return;
        }
        if (tp.equals(abandoned)) {
          abandoned = null;
          break; // the consumer was sought back to the dropped batch's first record
        }
      }
    }
  }

  /** Adds one record; false if it was not taken (to be read again after a backoff). */
  private boolean accept(PartitionState state, ConsumerRecord<byte[], byte[]> record, long now) {
    PartitionBatch batch = state.batch;
    if (state.replayUntil >= 0 && record.offset() > state.replayUntil) {
      state.replayUntil = -1;
      if (!flush(state, true)) {
        return false;
      }
    }
    try {
      batch.add(record, appender, now);
    } catch (TableMapping.TransientMappingException e) {
      LOG.warn("cannot decode {}-{}@{} now, will retry: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
      meters.retry("decode");
      startStall(null, null, false);
      return false;
    }
    if (state.replayUntil >= 0) {
      if (record.offset() == state.replayUntil) {
        state.replayUntil = -1;
        flush(state, true);
      }
    } else if (batch.rowCount() >= batching.maxRows() || batch.encodedBytes() >= batching.maxBytes()) {
      flush(state);
    }
    return true;
  }

  /** Seeks every partition of this poll back to its first record not taken, so none is skipped. */
  private void rewind(ConsumerRecords<byte[], byte[]> records, List<TopicPartition> polled, int partitionIndex, int recordIndex) {
    for (int p = partitionIndex; p < polled.size(); p++) {
      TopicPartition tp = polled.get(p);
      List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
      int from = p == partitionIndex ? recordIndex : 0;
      if (from < list.size() && partitions.containsKey(tp)) {
        consumer.seek(tp, list.get(from).offset());
      }
    }
  }

  private void flushDue(long now) {
    long maxAge = batching.maxAge().toNanos();
    long replayFallback = Math.max(Duration.ofSeconds(30).toNanos(), 10 * maxAge);
    for (PartitionState state : new ArrayList<>(partitions.values())) {
      if (stall != null) {
        return;
      }
      long age = state.batch.ageNanos(now);
      if (state.replayUntil < 0 && !state.batch.isEmpty() && age >= maxAge) {
        flush(state);
      } else if (state.replayUntil >= 0 && age >= replayFallback) {
        LOG.warn("{}: records up to offset {} of the batch to rebuild did not arrive; writing the {} rows read",
            state.batch.partition(), state.replayUntil, state.batch.rowCount());
        state.replayUntil = -1;
        flush(state, true);
      }
    }
    long buffered = bufferedBytes();
    while (stall == null && buffered > batching.maxBufferedBytes()) {
      PartitionState largest = partitions.values().stream()
          .filter(s -> s.replayUntil < 0 && !s.batch.isEmpty())
          .max((a, b) -> Long.compare(a.batch.bufferedBytes(), b.batch.bufferedBytes())).orElse(null);
      if (largest == null) {
        break;
      }
      flush(largest);
      buffered = bufferedBytes();
    }
  }

  /** Writes the partition's batch; false when it failed retriably (the worker is now stalled on it). */
  private boolean flush(PartitionState state) {
    return flush(state, false);
  }

  /**
   * Hands the partition's batch to the insert thread, after the previous insert has completed and
   * its offsets are committed (so a partition's offsets only move forward, batch by batch); the
   * partition continues in a fresh batch meanwhile. False if the worker is now stalled.
   * {@code rebuilt}: the batch is the one a previous owner recorded as pending.
   */
  private boolean flush(PartitionState state, boolean rebuilt) {
    PartitionBatch batch = state.batch;
    if (batch.isEmpty()) {
      return true;
    }
    if (!awaitInFlight() || !commitPending(state, batch)) {
      return stall == null;
    }
    state.batch = spare(batch.partition());
    inFlight = new InFlight(state, batch, insertThread.submit(() -> {
      try {
        writer.write(batch, rebuilt);
        return null;
      } catch (InsertException e) {
        return e;
      }
    }));
    return true;
  }

  /** Completes the insert in flight, if any; false if it failed (the worker is now stalled on it). */
  private boolean awaitInFlight() {
    if (inFlight == null) {
      return true;
    }
    InFlight done = inFlight;
    inFlight = null;
    InsertException failure;
    try {
      failure = done.result().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for an insert", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("insert of " + done.batch().token() + " failed unexpectedly", e.getCause());
    }
    if (failure != null) {
      LOG.warn("insert {} into {} failed, will retry: {}", done.batch().token(), mapping.table(), failure.getMessage());
      meters.retry(failure.failure().serverCode() == 0 ? "io" : "code_" + failure.failure().serverCode());
      startStall(done.state(), done.batch(), true);
      return false;
    }
    committed(done.state(), done.batch());
    return true;
  }

  private void completeInFlightIfDone() {
    if (inFlight != null && inFlight.result().isDone()) {
      awaitInFlight();
    }
  }

  private boolean commitPending(PartitionState state, PartitionBatch batch) {
    try {
      consumer.commitSync(Map.of(batch.partition(),
          new OffsetAndMetadata(batch.firstOffset(), PENDING_PREFIX + batch.lastOffset())));
      return true;
    } catch (org.apache.kafka.common.errors.RetriableException e) {
      LOG.warn("cannot record the pending batch {} in Kafka, will retry: {}", batch.token(), e.toString());
      meters.retry("kafka_commit");
      startStall(state, batch, false);
      return false;
    } catch (KafkaException e) {
      // Most likely not ours any more (rebalance): the next owner reads from the last committed offset.
      // If it is still ours, read the batch's records again rather than skip them.
      LOG.info("dropping batch {}: {}", batch.token(), e.toString());
      if (partitions.get(batch.partition()) == state) {
        consumer.seek(batch.partition(), batch.firstOffset());
      }
      abandoned = batch.partition();
      if (stall != null && stall.batch == batch) {
        stall.batch = null;
      }
      batch.clear();
      return false;
    }
  }

  /** Retries a stalled batch on this thread (nothing else is in flight then). */
  private boolean writeNow(PartitionState state, PartitionBatch batch, boolean resent) {
    try {
      writer.write(batch, resent);
    } catch (InsertException e) {
      LOG.warn("insert {} into {} failed, will retry: {}", batch.token(), mapping.table(), e.getMessage());
      meters.retry(e.failure().serverCode() == 0 ? "io" : "code_" + e.failure().serverCode());
      startStall(state, batch, true);
      return false;
    }
    committed(state, batch);
    return true;
  }

  /**
   * Commits the offsets after a written batch, unless the partition was revoked since: its new owner
   * has re-read the batch (and maybe more), and an offset committed now would move its position back.
   */
  private void committed(PartitionState state, PartitionBatch batch) {
    if (partitions.get(batch.partition()) == state) {
      try {
        consumer.commitSync(Map.of(batch.partition(), new OffsetAndMetadata(batch.lastOffset() + 1)));
      } catch (KafkaException e) {
        // The rows are in ClickHouse; whoever reads [first, last] again re-sends the same token.
        LOG.warn("inserted {} but could not commit its offsets ({}); a re-read will be deduplicated", batch.token(), e.toString());
      }
    }
    batch.clear();
    if (state.batch != batch) {
      spares.push(batch);
    }
    meters.bufferedBytes.set(bufferedBytes());
  }

  private PartitionBatch spare(TopicPartition partition) {
    PartitionBatch batch = spares.poll();
    if (batch == null) {
      return new PartitionBatch(partition, initialBatchBytes());
    }
    batch.reuseFor(partition);
    return batch;
  }

  private int initialBatchBytes() {
    return (int) Math.min(batching.maxBytes(), 1 << 20);
  }

  private void startStall(PartitionState state, PartitionBatch batch, boolean pendingCommitted) {
    if (stall == null) {
      stall = new Stall();
      consumer.pause(consumer.assignment());
    }
    stall.state = state;
    stall.batch = batch;
    stall.pendingCommitted = pendingCommitted;
    stall.retryAtNanos = System.nanoTime() + backoff.delay(stall.attempts++).toNanos();
  }

  private void waitOrRetry() {
    long wait = stall.retryAtNanos - System.nanoTime();
    if (wait > 0) {
      ConsumerRecords<byte[], byte[]> unexpected = consumer.poll(Duration.ofNanos(Math.min(wait, POLL.toNanos())));
      if (!unexpected.isEmpty()) {
        List<TopicPartition> polled = new ArrayList<>(unexpected.partitions());
        rewind(unexpected, polled, 0, 0);
        consumer.pause(polled);
      }
      return;
    }
    PartitionBatch batch = stall.batch;
    PartitionState state = stall.state;
    boolean done = batch == null
        || (stall.pendingCommitted || commitPending(state, batch)) && writeNow(state, batch, stall.pendingCommitted);
    if (done && stall != null && stall.batch == batch) {
      LOG.info("{}: resuming after {} retries", mapping.table(), stall.attempts);
      stall = null;
      consumer.resume(consumer.assignment());
    }
  }

  private void flushAllOnShutdown() {
    if (stall != null || !awaitInFlight()) {
      return;
    }
    for (PartitionState state : new ArrayList<>(partitions.values())) {
      if (state.replayUntil < 0 && !flush(state)) {
        return;
      }
    }
    awaitInFlight();
  }

  private void dropBatch(PartitionBatch batch) {
    batch.clear();
    if (stall != null && stall.batch != null && stall.batch.partition().equals(batch.partition())) {
      stall.batch = null;
    }
  }

  private long bufferedBytes() {
    long total = inFlight == null ? 0 : inFlight.batch().bufferedBytes();
    for (PartitionState state : partitions.values()) {
      total += state.batch.bufferedBytes();
    }
    return total;
  }

  private void refreshLag() {
    long now = System.nanoTime();
    if (now - lagRefreshedAt < LAG_REFRESH_NANOS) {
      return;
    }
    lagRefreshedAt = now;
    long lag = 0;
    for (Map.Entry<TopicPartition, PartitionState> entry : partitions.entrySet()) {
      OptionalLong fetchLag = consumer.currentLag(entry.getKey());
      lag += fetchLag.orElse(0) + entry.getValue().batch.rowCount() + entry.getValue().batch.deadLetters().size();
    }
    meters.lag.set(lag);
    meters.bufferedBytes.set(bufferedBytes());
  }

  private final class Rebalance implements ConsumerRebalanceListener {

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
      for (TopicPartition tp : revoked) {
        PartitionState state = partitions.remove(tp);
        if (state != null) {
          dropBatch(state.batch);
        }
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
      onPartitionsRevoked(lost);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
      if (assigned.isEmpty()) {
        return;
      }
      int initialBytes = initialBatchBytes();
      Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(assigned));
      for (TopicPartition tp : assigned) {
        PartitionState state = new PartitionState(tp, initialBytes);
        OffsetAndMetadata offset = committed.get(tp);
        if (offset != null && offset.metadata() != null && offset.metadata().startsWith(PENDING_PREFIX)) {
          state.replayUntil = Long.parseLong(offset.metadata().substring(PENDING_PREFIX.length()));
          LOG.info("{}: rebuilding the pending batch [{}, {}] before anything else", tp, offset.offset(), state.replayUntil);
        }
        partitions.put(tp, state);
      }
      if (stall != null) {
        consumer.pause(assigned);
      }
    }
  }
}
