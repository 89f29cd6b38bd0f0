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
 * <p>Writing overlaps reading: a full batch is queued on an {@link InsertQueue} and the partition goes on
 * in a fresh batch; a partition's next batch is only queued once its previous one is written and
 * committed, so its offsets move forward batch by batch.
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
  private static final int BACKLOG_AGE_FACTOR = 10;

  private final TableMapping<T> mapping;
  private final TableMapping.RowAppender<T> appender;
  private final SinkConfig.Batching batching;
  private final Backoff backoff;
  private final Consumer<byte[], byte[]> consumer;
  private final BatchInserter writer;
  private final InsertQueue inserts;
  private final SinkMetrics.TableMeters meters;
  private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
  private final ArrayDeque<PartitionBatch> spares = new ArrayDeque<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  /** A partition whose batch was dropped while its records were being taken: skip the rest of the poll. */
  private TopicPartition abandoned;
  private Stall stall;
  private long lagRefreshedAt;
  private volatile Throwable failure;

  SinkWorker(TableMapping<T> mapping, SinkConfig.Batching batching, Backoff backoff,
      Consumer<byte[], byte[]> consumer, BatchInserter writer, SinkMetrics.TableMeters meters) {
    this.mapping = mapping;
    this.appender = mapping.appender();
    this.batching = batching;
    this.backoff = backoff;
    this.consumer = consumer;
    this.writer = writer;
    this.inserts = new InsertQueue(writer, "sink-" + mapping.name() + "-insert");
    this.meters = meters;
  }

  /** A partition's open batch, and the end of the batch it must rebuild first, if any. */
  private static final class PartitionState {
    PartitionBatch batch;
    long replayUntil = -1;

    PartitionState(PartitionBatch batch) {
      this.batch = batch;
    }
  }

  /** A batch to send again after the backoff; {@code pendingCommitted}: its pending offset is recorded. */
  private record Retry(PartitionState state, PartitionBatch batch, boolean pendingCommitted) {}

  /** Waiting out a retriable failure, with the batches to send again (none if decoding failed). */
  private static final class Stall {
    final ArrayDeque<Retry> batches = new ArrayDeque<>();
    int attempts;
    long retryAtNanos;
  }

  private enum Pending { RECORDED, RETRY, DROPPED }

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
          while (stall == null && inserts.headDone()) {
            completeHead();
          }
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
      inserts.close();
      writer.close();
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
    // A batch dropped outside this loop (flushDue) was sought back already: nothing of this poll to skip.
    abandoned = null;
    List<TopicPartition> polled = new ArrayList<>(records.partitions());
    for (int p = 0; p < polled.size(); p++) {
      TopicPartition tp = polled.get(p);
      PartitionState state = partitions.get(tp);
      List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
      for (int i = 0; i < list.size(); i++) {
        boolean taken = accept(state, list.get(i), now);
        if (taken) {
          meters.recordsRead.increment();
        }
        if (stall != null) {
          rewind(records, polled, p, taken ? i + 1 : i);
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
    if (state.replayUntil >= 0 && record.offset() > state.replayUntil) {
      state.replayUntil = -1;
      if (!flush(state, true)) {
        return false;
      }
    }
    try {
      state.batch.add(record, appender, now);
    } catch (TableMapping.TransientMappingException e) {
      LOG.warn("cannot decode {}-{}@{} now, will retry: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
      meters.retry("decode");
      startStall();
      return false;
    }
    if (state.replayUntil >= 0) {
      if (record.offset() == state.replayUntil) {
        state.replayUntil = -1;
        flush(state, true);
      }
    } else if (state.batch.rowCount() >= batching.maxRows() || state.batch.encodedBytes() >= batching.maxBytes()) {
      flush(state, false);
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
      boolean full = state.batch.rowCount() >= batching.maxRows() || state.batch.encodedBytes() >= batching.maxBytes();
      if (state.replayUntil < 0 && !state.batch.isEmpty() && (full || age >= maxAge
          && (age >= BACKLOG_AGE_FACTOR * maxAge || !backlogged(state.batch.partition())))) {
        // full: its flush was cut short by a stall (the record that filled it is long taken)
        flush(state, false);
      } else if (state.replayUntil >= 0 && age >= replayFallback) {
        LOG.warn("{}: records up to offset {} of the batch to rebuild did not arrive; writing the {} rows read",
            state.batch.partition(), state.replayUntil, state.batch.rowCount());
        state.replayUntil = -1;
        flush(state, true);
      }
    }
    // Memory: queued inserts finish first; then the largest open batch goes out.
    while (stall == null && bufferedBytes() > batching.maxBufferedBytes()) {
      if (!inserts.isEmpty()) {
        completeHead();
        continue;
      }
      PartitionState largest = partitions.values().stream()
          .filter(s -> s.replayUntil < 0 && !s.batch.isEmpty())
          .max((a, b) -> Long.compare(a.batch.bufferedBytes(), b.batch.bufferedBytes())).orElse(null);
      if (largest == null || !flush(largest, false)) {
        return;
      }
    }
  }

  /**
   * Records already waiting in Kafka for this partition: then the batch fills up to its size limit
   * (bounded by {@link #BACKLOG_AGE_FACTOR} × max-age) instead of going out by age, so catching up
   * after an outage or a restart makes few large inserts rather than many small ones.
   */
  private boolean backlogged(TopicPartition partition) {
    OptionalLong lag = consumer.currentLag(partition);
    return lag.isPresent() && lag.getAsLong() > 0;
  }

  /**
   * Queues the partition's batch for insertion, once the partition's previous insert is written and
   * committed; the partition continues in a fresh batch. False if the worker is now stalled.
   * {@code rebuilt}: the batch is the one a previous owner recorded as pending.
   */
  private boolean flush(PartitionState state, boolean rebuilt) {
    PartitionBatch batch = state.batch;
    if (batch.isEmpty()) {
      return true;
    }
    while (stall == null && inserts.holds(batch.partition())) {
      completeHead();
    }
    if (stall != null) {
      return false;
    }
    switch (recordPending(state, batch)) {
      case RETRY -> {
        startStall().batches.add(new Retry(state, batch, false));
        return false;
      }
      case DROPPED -> {
        return true;
      }
      default -> {
        state.batch = spare(batch.partition());
        inserts.submit(state, batch, rebuilt);
        return true;
      }
    }
  }

  /** Takes the oldest insert's outcome: commits its offsets, or stalls on it. */
  private void completeHead() {
    InsertQueue.Completed done = inserts.takeHead();
    PartitionState state = (PartitionState) done.owner();
    if (done.failure() == null) {
      committed(state, done.batch());
      return;
    }
    failed(done.batch(), done.failure());
    startStall().batches.add(new Retry(state, done.batch(), true));
    // the inserts behind it were sent already: take their outcomes too, in order
    while (!inserts.isEmpty()) {
      InsertQueue.Completed next = inserts.takeHead();
      if (next.failure() == null) {
        committed((PartitionState) next.owner(), next.batch());
      } else {
        failed(next.batch(), next.failure());
        stall.batches.add(new Retry((PartitionState) next.owner(), next.batch(), true));
      }
    }
  }

  private void failed(PartitionBatch batch, InsertException failure) {
    LOG.warn("insert {} into {} failed, will retry: {}", batch.token(), mapping.table(), failure.getMessage());
    meters.retry(failure.failure().serverCode() == 0 ? "io" : "code_" + failure.failure().serverCode());
  }

  /** Commits {@code (first, pending-last=last)}: from here a crash leads to the batch being rebuilt. */
  private Pending recordPending(PartitionState state, PartitionBatch batch) {
    try {
      consumer.commitSync(Map.of(batch.partition(),
          new OffsetAndMetadata(batch.firstOffset(), PENDING_PREFIX + batch.lastOffset())));
      return Pending.RECORDED;
    } catch (org.apache.kafka.common.errors.RetriableException e) {
      LOG.warn("cannot record the pending batch {} in Kafka, will retry: {}", batch.token(), e.toString());
      meters.retry("kafka_commit");
      return Pending.RETRY;
    } catch (KafkaException e) {
      // Most likely not ours any more (rebalance): the next owner reads from the last committed offset.
      // If it is still ours, read the batch's records again rather than skip them.
      LOG.info("dropping batch {}: {}", batch.token(), e.toString());
      if (partitions.get(batch.partition()) == state) {
        consumer.seek(batch.partition(), batch.firstOffset());
      }
      abandoned = batch.partition();
      batch.clear();
      return Pending.DROPPED;
    }
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

  private Stall startStall() {
    if (stall == null) {
      stall = new Stall();
      consumer.pause(consumer.assignment());
    }
    stall.retryAtNanos = System.nanoTime() + backoff.delay(stall.attempts++).toNanos();
    return stall;
  }

  /** While stalled: poll (paused) until the backoff is over, then send the failed batches again, in order. */
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
    while (!stall.batches.isEmpty()) {
      Retry retry = stall.batches.peek();
      if (partitions.get(retry.batch().partition()) != retry.state()) {
        stall.batches.poll(); // revoked meanwhile: its new owner rebuilds it
        continue;
      }
      Pending pending = retry.pendingCommitted() ? Pending.RECORDED : recordPending(retry.state(), retry.batch());
      if (pending == Pending.RETRY) {
        startStall();
        return;
      }
      if (pending == Pending.RECORDED) {
        try {
          writer.write(retry.batch(), retry.pendingCommitted());
        } catch (InsertException e) {
          failed(retry.batch(), e);
          stall.batches.poll();
          stall.batches.addFirst(new Retry(retry.state(), retry.batch(), true));
          startStall();
          return;
        }
        committed(retry.state(), retry.batch());
      }
      stall.batches.poll();
    }
    LOG.info("{}: resuming after {} retries", mapping.table(), stall.attempts);
    stall = null;
    consumer.resume(consumer.assignment());
  }

  private void flushAllOnShutdown() {
    while (stall == null && !inserts.isEmpty()) {
      completeHead();
    }
    for (PartitionState state : new ArrayList<>(partitions.values())) {
      if (stall != null) {
        return;
      }
      if (state.replayUntil < 0) {
        flush(state, false);
      }
    }
    while (stall == null && !inserts.isEmpty()) {
      completeHead();
    }
  }

  private long bufferedBytes() {
    long total = inserts.bufferedBytes();
    for (PartitionState state : partitions.values()) {
      total += state.batch.bufferedBytes();
    }
    if (stall != null) {
      for (Retry retry : stall.batches) {
        total += retry.batch().bufferedBytes();
      }
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
      // Open batches of these partitions are dropped (their offsets were not committed); queued inserts
      // finish, and commit nothing (see committed()).
      for (TopicPartition tp : revoked) {
        PartitionState state = partitions.remove(tp);
        if (state != null) {
          state.batch.clear();
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
      Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(assigned));
      for (TopicPartition tp : assigned) {
        PartitionState state = new PartitionState(spare(tp));
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
