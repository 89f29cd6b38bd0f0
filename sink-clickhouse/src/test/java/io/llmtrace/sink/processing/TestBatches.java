package io.llmtrace.sink.processing;

import io.llmtrace.sink.mapping.TableMapping;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Batches of the processing package's tests: every record a number, every row 8 bytes (one Int64). */
final class TestBatches {

  static final TopicPartition P0 = new TopicPartition("t", 0);
  static final TopicPartition P1 = new TopicPartition("t", 1);
  static final int ROW_BYTES = 8;

  static final TableMapping<String> NUMBERS = new TableMapping<>("numbers", "t", "numbers", List.of("n"),
      TableMapping.ValueDecoder.of(new StringDeserializer()), (value, partition, offset, out) -> out.int64(Long.parseLong(value)));

  private TestBatches() {}

  static ConsumerRecord<byte[], byte[]> record(TopicPartition partition, long offset) {
    return new ConsumerRecord<>(partition.topic(), partition.partition(), offset, null,
        Long.toString(offset * 10).getBytes(StandardCharsets.UTF_8));
  }

  /** A batch of the records {@code [first, last]}, opened at {@code openedAtNanos}. */
  static PartitionBatch batch(TopicPartition partition, long first, long last, long openedAtNanos) {
    PartitionBatch batch = new PartitionBatch(partition, 64);
    for (long offset = first; offset <= last; offset++) {
      batch.add(record(partition, offset), NUMBERS.appender(), openedAtNanos);
    }
    return batch;
  }

  static void add(PartitionState state, long offset) {
    state.batch().add(record(state.partition(), offset), NUMBERS.appender(), 0);
  }

  /** Limits: {@code maxRows} rows, 1 MiB per batch, {@code maxAge}, 4 MiB in all. */
  static FlushPolicy policy(int maxRows, long maxAgeNanos) {
    return new FlushPolicy(maxRows, 1 << 20, maxAgeNanos, 4 << 20);
  }
}
