package io.llmtrace.sink.processing;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.sink.mapping.TableMapping;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

class PartitionBatchTest {

  /** "n" becomes an Int64 row; "boom" fails in the encoder after writing half a row. */
  private static final TableMapping<String> NUMBERS = new TableMapping<>("numbers", "t", "numbers", List.of("n"),
      TableMapping.ValueDecoder.of(new StringDeserializer()), (value, partition, offset, out) -> {
        out.int64(offset);
        out.int64(Long.parseLong(value));
      });

  private static ConsumerRecord<byte[], byte[]> record(long offset, String value) {
    return new ConsumerRecord<>("t", 2, offset, null, value.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void coversItsOffsetRangeNamesItAndDeadLettersWhatCannotBeMapped() throws IOException {
    PartitionBatch batch = new PartitionBatch(new TopicPartition("t", 2), 16);
    batch.add(record(40, "1"), NUMBERS.appender(), 0);
    batch.add(record(41, "boom"), NUMBERS.appender(), 0);
    batch.add(record(43, "3"), NUMBERS.appender(), 0);

    assertThat(batch.token()).isEqualTo("t-2-40-43");
    assertThat(batch.rowCount()).isEqualTo(2);
    assertThat(batch.deadLetters()).singleElement().satisfies(letter -> {
      assertThat(letter.offset()).isEqualTo(41);
      assertThat(letter.errorClass()).isEqualTo("unmappable");
      assertThat(letter.payload()).isEqualTo("boom".getBytes(StandardCharsets.UTF_8));
    });
    // the half-written row of the failed record is gone: two rows of 16 bytes each
    assertThat(batch.rowsBytes(0, 2)).isEqualTo(32);
    assertThat(batch.rows(1, 2).readAllBytes()).hasSize(16).startsWith(43, 0, 0, 0);
    assertThat(batch.token(1, 2)).isEqualTo("t-2-43-43");
  }

  @Test
  void aBatchRebuiltFromTheSameRecordsHasTheSameBytesAndToken() throws IOException {
    PartitionBatch first = new PartitionBatch(new TopicPartition("t", 2), 16);
    PartitionBatch again = new PartitionBatch(new TopicPartition("t", 2), 1024);
    for (long offset = 100; offset < 150; offset++) {
      first.add(record(offset, Long.toString(offset * 7)), NUMBERS.appender(), offset);
      again.add(record(offset, Long.toString(offset * 7)), NUMBERS.appender(), 0);
    }
    assertThat(again.token()).isEqualTo(first.token()).isEqualTo("t-2-100-149");
    assertThat(again.rows(0, 50).readAllBytes()).isEqualTo(first.rows(0, 50).readAllBytes());
    first.clear();
    assertThat(first.isEmpty()).isTrue();
    assertThat(first.bufferedBytes()).isZero();
  }
}
