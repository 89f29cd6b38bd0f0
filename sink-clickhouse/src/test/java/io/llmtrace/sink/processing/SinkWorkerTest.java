package io.llmtrace.sink.processing;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.sink.config.SinkConfig;
import io.llmtrace.sink.db.ClickHouseTarget.InsertException;
import io.llmtrace.sink.db.InsertFailure;
import io.llmtrace.sink.mapping.TableMapping;
import io.llmtrace.sink.metrics.SinkMetrics;
import io.llmtrace.stack.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The worker's offset protocol against Kafka's MockConsumer and an inserter that records what it was
 * asked to write, and what the group had committed at that moment. (MockConsumer hands the worker on
 * assignment what was committed to it; SinkIT covers the same against a real group coordinator.)
 */
class SinkWorkerTest {

  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TableMapping<String> NUMBERS = new TableMapping<>("numbers", "t", "numbers", List.of("n"),
      TableMapping.ValueDecoder.of(new StringDeserializer()), (value, partition, offset, out) -> out.int64(Long.parseLong(value)));

  /** How many of the next commits of a pending range fail with a timeout (a retriable failure). */
  private final AtomicInteger pendingCommitFailures = new AtomicInteger();
  private final AtomicInteger pendingCommits = new AtomicInteger();
  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest") {
    @Override
    public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
      if (offsets.values().stream().anyMatch(offset -> offset.metadata().startsWith(OffsetProtocol.PENDING_PREFIX))) {
        pendingCommits.incrementAndGet();
        if (pendingCommitFailures.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
          throw new TimeoutException("the group coordinator did not answer in time");
        }
      }
      super.commitSync(offsets);
    }
  };
  private final Recorder inserter = new Recorder();
  private SinkWorker<String> worker;
  private Thread thread;

  /** What the inserter saw: each call's token, and the committed offset of P0 when it was called. */
  private final class Recorder implements BatchInserter {
    final List<String> tokens = Collections.synchronizedList(new ArrayList<>());
    final List<OffsetAndMetadata> committedAtInsert = Collections.synchronizedList(new ArrayList<>());
    final List<Boolean> pausedAtInsert = Collections.synchronizedList(new ArrayList<>());
    final List<Boolean> resent = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger failuresLeft = new AtomicInteger();

    @Override
    public void write(PartitionBatch batch, boolean resent) throws InsertException {
      tokens.add(batch.token());
      committedAtInsert.add(consumer.committed(Set.of(P0)).get(P0));
      pausedAtInsert.add(consumer.paused().contains(P0));
      this.resent.add(resent);
      if (failuresLeft.getAndDecrement() > 0) {
        throw new InsertException(new InsertFailure(InsertFailure.Kind.RETRIABLE, 252, "TOO_MANY_PARTS"), null);
      }
    }

    @Override
    public void close() {}
  }

  private void start(int maxRows) {
    start(maxRows, () -> {});
  }

  /** {@code beforeAssignment} runs in the first poll, after the subscription and before P0 is assigned. */
  private void start(int maxRows, Runnable beforeAssignment) {
    SinkConfig.Batching batching = new SinkConfig.Batching(maxRows, 1 << 20, Duration.ofMinutes(10), 1 << 22);
    worker = new SinkWorker<>(NUMBERS, batching, new Backoff(Duration.ofMillis(5), Duration.ofMillis(20)), consumer, inserter,
        new SinkMetrics().table("numbers"));
    consumer.schedulePollTask(() -> {
      beforeAssignment.run();
      consumer.rebalance(List.of(P0));
      consumer.updateBeginningOffsets(Map.of(P0, 0L));
    });
    thread = new Thread(worker, "worker-under-test");
    thread.start();
  }

  private void records(long from, long to) {
    for (long offset = from; offset < to; offset++) {
      consumer.schedulePollTask(record(offset));
    }
  }

  private Runnable record(long offset) {
    return () -> consumer.addRecord(new ConsumerRecord<>("t", 0, offset, null, Long.toString(offset * 10).getBytes(StandardCharsets.UTF_8)));
  }

  private OffsetAndMetadata committed() {
    return consumer.committed(Set.of(P0)).get(P0);
  }

  @AfterEach
  void stop() throws InterruptedException {
    worker.stop();
    thread.join(10_000);
  }

  @Test
  void recordsThePendingRangeBeforeEachInsertAndCommitsItsEndAfter() {
    start(5);
    records(0, 10);
    Await.until(Duration.ofSeconds(10), "offset 10 committed", () -> committed() != null && committed().offset() == 10);

    assertThat(inserter.tokens).containsExactly("t-0-0-4", "t-0-5-9");
    assertThat(inserter.committedAtInsert).containsExactly(
        new OffsetAndMetadata(0, "llmtrace-sink/pending-last=4"), new OffsetAndMetadata(5, "llmtrace-sink/pending-last=9"));
    assertThat(committed().metadata()).isEmpty();
  }

  @Test
  void aRetriableFailureSendsTheSameBatchAgainWhilePausedAndLosesNothing() {
    inserter.failuresLeft.set(3);
    start(5);
    records(0, 5);
    records(5, 10);
    Await.until(Duration.ofSeconds(10), "offset 10 committed", () -> committed() != null && committed().offset() == 10);

    assertThat(inserter.tokens).containsExactly("t-0-0-4", "t-0-0-4", "t-0-0-4", "t-0-0-4", "t-0-5-9");
    // retries happen with the partition paused (nothing more is fetched meanwhile); afterwards it is resumed
    assertThat(inserter.pausedAtInsert).containsExactly(false, true, true, true, false);
    assertThat(consumer.paused()).isEmpty();
  }

  @Test
  void aRetriableFailureToRecordThePendingRangeIsRetriedBeforeTheBatchIsWritten() {
    pendingCommitFailures.set(2);
    start(5);
    records(0, 10);
    Await.until(Duration.ofSeconds(10), "offset 10 committed", () -> committed() != null && committed().offset() == 10);

    // each batch written once, and only once its pending range was in Kafka
    assertThat(inserter.tokens).containsExactly("t-0-0-4", "t-0-5-9");
    assertThat(inserter.committedAtInsert).containsExactly(
        new OffsetAndMetadata(0, "llmtrace-sink/pending-last=4"), new OffsetAndMetadata(5, "llmtrace-sink/pending-last=9"));
    assertThat(inserter.pausedAtInsert).containsExactly(true, false);
    assertThat(pendingCommits).as("two timeouts, then each batch's pending range recorded").hasValue(4);
  }

  @Test
  void aPendingBatchFoundOnAssignmentIsRebuiltExactlyWhateverTheLimitsThenBatchingGoesOnNormally() {
    // Given: a previous owner recorded [3, 7] as pending, and may or may not have written it
    // When: this worker, cutting batches of at most 3 rows, is assigned the partition
    start(3, () -> consumer.commitSync(Map.of(P0, new OffsetAndMetadata(3, "llmtrace-sink/pending-last=7"))));
    records(3, 14);
    Await.until(Duration.ofSeconds(10), "offset 14 committed", () -> committed() != null && committed().offset() == 14);

    // Then: the 5 records of the pending batch go out as one insert with its old token, marked as resent
    assertThat(inserter.tokens).containsExactly("t-0-3-7", "t-0-8-10", "t-0-11-13");
    assertThat(inserter.resent).containsExactly(true, false, false);
    assertThat(inserter.committedAtInsert).containsExactly(new OffsetAndMetadata(3, "llmtrace-sink/pending-last=7"),
        new OffsetAndMetadata(8, "llmtrace-sink/pending-last=10"), new OffsetAndMetadata(11, "llmtrace-sink/pending-last=13"));
  }
}
