package io.llmtrace.sink.processing;

import io.llmtrace.sink.config.SinkConfig;
import io.llmtrace.sink.db.ClickHouseTarget.InsertException;
import io.llmtrace.sink.mapping.TableMapping;
import io.llmtrace.sink.metrics.SinkMetrics;
import io.llmtrace.sink.processing.Stall.Retry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One table's consumer loop: reads its topic, batches rows per partition, writes each batch exactly
 * once, and commits the offsets a batch covers only after ClickHouse has it. Where a batch ends is
 * decided by {@link PartitionState} and {@link FlushPolicy}, retries by {@link Stall}; this class makes
 * the Kafka calls.
 *
 * <p>Offset states of a partition (what the group's committed offset + metadata say, {@link OffsetProtocol}):
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
 * while still polling (the consumer stays in its group). Retries are written on this thread, so the
 * insert queue is emptied first.
 */
public final class SinkWorker<T> implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(SinkWorker.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final long LAG_REFRESH_NANOS = 1_000_000_000L;

  private final TableMapping<T> mapping;
  private final TableMapping.RowAppender<T> appender;
  private final FlushPolicy policy;
  private final Backoff backoff;
  private final Consumer<byte[], byte[]> consumer;
  private final BatchInserter writer;
  private final InsertQueue<PartitionState> inserts;
  private final BatchPool pool;
  private final SinkMetrics.TableMeters meters;
  private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  /** Non-null while backing off a retriable failure, with every partition paused. */
  private Stall stall;
  private long lagRefreshedAt;
  private volatile Throwable failure;

  /** What became of a record offered to its partition's batch. */
  private enum Step {
    TAKEN,
    /** Not in any batch: to be read again after the stall. */
    NOT_TAKEN,
    /** The partition's batch was dropped and the consumer sought back to its first record. */
    BATCH_DROPPED
  }

  /** What became of a batch handed over for writing. */
  private enum Handoff { QUEUED, STALLED, DROPPED }

  private enum Pending { RECORDED, RETRY, DROPPED }

  SinkWorker(TableMapping<T> mapping, SinkConfig.Batching batching, Backoff backoff,
      Consumer<byte[], byte[]> consumer, BatchInserter writer, SinkMetrics.TableMeters meters) {
    this.mapping = mapping;
    this.appender = mapping.appender();
    this.policy = FlushPolicy.of(batching);
    this.backoff = backoff;
    this.consumer = consumer;
    this.writer = writer;
    this.inserts = new InsertQueue<>(writer, "sink-" + mapping.name() + "-insert");
    this.pool = new BatchPool(batching.maxBytes());
    this.meters = meters;
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
    List<TopicPartition> polled = new ArrayList<>(records.partitions());
    for (int p = 0; p < polled.size(); p++) {
      PartitionState state = partitions.get(polled.get(p));
      List<ConsumerRecord<byte[], byte[]>> list = records.records(polled.get(p));
      for (int i = 0; i < list.size(); i++) {
        Step step = accept(state, list.get(i), now);
        if (step == Step.TAKEN) {
          meters.recordsRead.increment();
        }
        if (stall != null) {
          rewind(records, polled, p, step == Step.TAKEN ? i + 1 : i);
          return;
        }
        if (step == Step.BATCH_DROPPED) {
          break; // the rest of this partition's records are read again
        }
      }
    }
  }

  private Step accept(PartitionState state, ConsumerRecord<byte[], byte[]> record, long now) {
    if (state.beforeAdding(record.offset(), policy)) {
      Handoff before = flush(state);
      if (before != Handoff.QUEUED) {
        return before == Handoff.DROPPED ? Step.BATCH_DROPPED : Step.NOT_TAKEN;
      }
    }
    try {
      state.batch().add(record, appender, now);
    } catch (TableMapping.TransientMappingException e) {
      LOG.warn("cannot decode {}-{}@{} now, will retry: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
      meters.retry("decode");
      startStall(null);
      return Step.NOT_TAKEN;
    }
    if (state.afterAdding(policy) && flush(state) == Handoff.DROPPED) {
      return Step.BATCH_DROPPED;
    }
    return Step.TAKEN;
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
    for (PartitionState state : List.copyOf(partitions.values())) {
      if (stall != null) {
        return;
      }
      switch (policy.onTick(state, now, () -> backlogged(state.partition()))) {
        case FLUSH -> flush(state);
        case FLUSH_INCOMPLETE_REBUILD -> {
          LOG.warn("{}: the rest of the batch to rebuild ({}) did not arrive; writing the {} rows read",
              state.partition(), state.mode(), state.batch().rowCount());
          flush(state);
        }
        case KEEP -> { }
      }
    }
    // Memory: queued inserts finish first; then the largest open batch goes out.
    while (stall == null && policy.overMemory(bufferedBytes())) {
      if (!inserts.isEmpty()) {
        completeHead();
        continue;
      }
      Optional<PartitionState> largest = policy.evict(partitions.values());
      if (largest.isEmpty() || flush(largest.get()) == Handoff.STALLED) {
        return;
      }
    }
  }

  /** Records already waiting in Kafka for this partition (see {@link FlushPolicy#BACKLOG_AGE_FACTOR}). */
  private boolean backlogged(TopicPartition partition) {
    OptionalLong lag = consumer.currentLag(partition);
    return lag.isPresent() && lag.getAsLong() > 0;
  }

  /**
   * Queues the partition's batch for insertion, once the partition's previous insert is written and
   * committed; the partition goes on in a fresh batch.
   */
  private Handoff flush(PartitionState state) {
    while (stall == null && inserts.holds(state.partition())) {
      completeHead();
    }
    if (stall != null) {
      return Handoff.STALLED;
    }
    boolean rebuilt = state.rebuilding();
    switch (recordPending(state, state.batch())) {
      case RECORDED -> {
        inserts.submit(state, state.handOff(pool.take(state.partition())), rebuilt);
        return Handoff.QUEUED;
      }
      case RETRY -> {
        startStall(new Retry(state, state.handOff(pool.take(state.partition())), false));
        return Handoff.STALLED;
      }
      default -> {
        state.batch().clear();
        return Handoff.DROPPED;
      }
    }
  }

  /** Takes the oldest insert's outcome: commits its offsets, or stalls on it. */
  private void completeHead() {
    InsertQueue.Completed<PartitionState> done = inserts.takeHead();
    if (done.failure() == null) {
      committed(done.owner(), done.batch());
      return;
    }
    failed(done.batch(), done.failure());
    Retry retry = new Retry(done.owner(), done.batch(), true);
    if (stall == null) {
      startStall(retry);
    } else {
      stall.resend(retry);
    }
  }

  /** Pauses everything; the inserts already queued are taken first (committed, or joining the retries). */
  private void startStall(Retry first) {
    stall = new Stall(backoff, System.nanoTime());
    consumer.pause(consumer.assignment());
    if (first != null) {
      stall.resend(first);
    }
    while (!inserts.isEmpty()) {
      completeHead();
    }
  }

  private void failed(PartitionBatch batch, InsertException failure) {
    LOG.warn("insert {} into {} failed, will retry: {}", batch.token(), mapping.table(), failure.getMessage());
    meters.retry(failure.failure().serverCode() == 0 ? "io" : "code_" + failure.failure().serverCode());
  }

  /**
   * Commits {@code (first, pending-last=last)}: from here a crash leads to the batch being rebuilt. On a
   * non-retriable failure the batch is to be dropped (its caller clears it).
   */
  private Pending recordPending(PartitionState owner, PartitionBatch batch) {
    try {
      consumer.commitSync(Map.of(batch.partition(), OffsetProtocol.pending(batch)));
      return Pending.RECORDED;
    } catch (RetriableException e) {
      LOG.warn("cannot record the pending batch {} in Kafka, will retry: {}", batch.token(), e.toString());
      meters.retry("kafka_commit");
      return Pending.RETRY;
    } catch (KafkaException e) {
      // Most likely not ours any more (rebalance): the next owner reads from the last committed offset.
      // If it is still ours, read the batch's records again rather than skip them.
      LOG.info("dropping batch {}: {}", batch.token(), e.toString());
      if (owns(owner)) {
        consumer.seek(batch.partition(), batch.firstOffset());
      }
      return Pending.DROPPED;
    }
  }

  /**
   * Commits the offsets after a written batch, unless the partition was revoked since: its new owner
   * has re-read the batch (and maybe more), and an offset committed now would move its position back.
   */
  private void committed(PartitionState owner, PartitionBatch batch) {
    if (owns(owner)) {
      try {
        consumer.commitSync(Map.of(batch.partition(), OffsetProtocol.written(batch)));
      } catch (KafkaException e) {
        // The rows are in ClickHouse; whoever reads [first, last] again re-sends the same token.
        LOG.warn("inserted {} but could not commit its offsets ({}); a re-read will be deduplicated", batch.token(), e.toString());
      }
    }
    pool.release(batch);
    meters.bufferedBytes.set(bufferedBytes());
  }

  private boolean owns(PartitionState state) {
    return partitions.get(state.partition()) == state;
  }

  /** While stalled: poll (paused) until the backoff is over, then send the failed batches again, in order. */
  private void waitOrRetry() {
    long wait = stall.waitNanos(System.nanoTime());
    if (wait > 0) {
      ConsumerRecords<byte[], byte[]> unexpected = consumer.poll(Duration.ofNanos(Math.min(wait, POLL.toNanos())));
      if (!unexpected.isEmpty()) {
        List<TopicPartition> polled = new ArrayList<>(unexpected.partitions());
        rewind(unexpected, polled, 0, 0);
        consumer.pause(polled);
      }
      return;
    }
    for (Retry retry = stall.next(this::owns); retry != null; retry = stall.next(this::owns)) {
      Pending pending = retry.pendingCommitted() ? Pending.RECORDED : recordPending(retry.owner(), retry.batch());
      if (pending == Pending.RETRY) {
        stall.failedAgain(System.nanoTime());
        return;
      }
      if (pending == Pending.DROPPED) {
        pool.release(retry.batch());
      } else {
        try {
          writer.write(retry.batch(), retry.pendingCommitted());
        } catch (InsertException e) {
          failed(retry.batch(), e);
          stall.insertFailed(System.nanoTime());
          return;
        }
        committed(retry.owner(), retry.batch());
      }
      stall.sent();
    }
    LOG.info("{}: resuming after {} retries", mapping.table(), stall.attempts());
    stall = null;
    consumer.resume(consumer.assignment());
  }

  private void flushAllOnShutdown() {
    while (stall == null && !inserts.isEmpty()) {
      completeHead();
    }
    for (PartitionState state : List.copyOf(partitions.values())) {
      if (stall != null) {
        return;
      }
      if (policy.onShutdown(state)) {
        flush(state);
      }
    }
    while (stall == null && !inserts.isEmpty()) {
      completeHead();
    }
  }

  private long bufferedBytes() {
    long total = inserts.bufferedBytes() + (stall == null ? 0 : stall.bufferedBytes());
    for (PartitionState state : partitions.values()) {
      total += state.batch().bufferedBytes();
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
    for (PartitionState state : partitions.values()) {
      lag += consumer.currentLag(state.partition()).orElse(0) + state.batch().rowCount() + state.batch().deadLetters().size();
    }
    meters.lag.set(lag);
    meters.bufferedBytes.set(bufferedBytes());
  }

  private final class Rebalance implements ConsumerRebalanceListener {

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
      // Open batches of these partitions are dropped (their offsets were not committed); queued inserts
      // finish and commit nothing, retries are skipped (see owns()).
      for (TopicPartition tp : revoked) {
        PartitionState state = partitions.remove(tp);
        if (state != null) {
          pool.release(state.batch());
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
      Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(assigned));
      for (TopicPartition tp : assigned) {
        PartitionMode mode = OffsetProtocol.onAssignment(committed.get(tp));
        if (mode instanceof PartitionMode.Rebuilding rebuilding) {
          LOG.info("{}: rebuilding the pending batch [{}, {}] before anything else", tp, committed.get(tp).offset(), rebuilding.lastOffset());
        }
        partitions.put(tp, new PartitionState(pool.take(tp), mode));
      }
      if (stall != null) {
        consumer.pause(assigned);
      }
    }
  }
}
