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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The worker's offset protocol against Kafka's MockConsumer and an inserter that records what it was
 * asked to write, and what the group had committed at that moment. (Rebuilding a pending range after a
 * crash needs a group coordinator's view of committed offsets on assignment, which MockConsumer does
 * not give: SinkIT covers it against the real broker.)
 */
class SinkWorkerTest {

  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TableMapping<String> NUMBERS = new TableMapping<>("numbers", "t", "numbers", List.of("n"),
      TableMapping.ValueDecoder.of(new StringDeserializer()), (value, partition, offset, out) -> out.int64(Long.parseLong(value)));

  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final Recorder inserter = new Recorder();
  private SinkWorker<String> worker;
  private Thread thread;

  /** What the inserter saw: each call's token, and the committed offset of P0 when it was called. */
  private final class Recorder implements BatchInserter {
    final List<String> tokens = Collections.synchronizedList(new ArrayList<>());
    final List<OffsetAndMetadata> committedAtInsert = Collections.synchronizedList(new ArrayList<>());
    final List<Boolean> pausedAtInsert = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger failuresLeft = new AtomicInteger();

    @Override
    public void write(PartitionBatch batch, boolean resent) throws InsertException {
      tokens.add(batch.token());
      committedAtInsert.add(consumer.committed(Set.of(P0)).get(P0));
      pausedAtInsert.add(consumer.paused().contains(P0));
      if (failuresLeft.getAndDecrement() > 0) {
        throw new InsertException(new InsertFailure(InsertFailure.Kind.RETRIABLE, 252, "TOO_MANY_PARTS"), null);
      }
    }

    @Override
    public void close() {}
  }

  private void start(int maxRows) {
    SinkConfig.Batching batching = new SinkConfig.Batching(maxRows, 1 << 20, Duration.ofMinutes(10), 1 << 22);
    worker = new SinkWorker<>(NUMBERS, batching, new Backoff(Duration.ofMillis(5), Duration.ofMillis(20)), consumer, inserter,
        new SinkMetrics().table("numbers"));
    consumer.schedulePollTask(() -> {
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

}
