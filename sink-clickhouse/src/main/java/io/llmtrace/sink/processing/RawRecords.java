package io.llmtrace.sink.processing;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads single records back from Kafka by offset, for the rare dead letter of a row ClickHouse rejected:
 * batches keep only the encoded rows, not the records they came from, which halves the sink's memory and
 * keeps the consumed payloads out of the old generation. Used from the insert thread only.
 */
final class RawRecords implements AutoCloseable {

  private static final Duration DEADLINE = Duration.ofSeconds(10);

  private final Map<String, Object> consumerProperties;
  private KafkaConsumer<byte[], byte[]> consumer;

  RawRecords(Map<String, Object> consumerProperties) {
    Map<String, Object> props = new HashMap<>(consumerProperties);
    props.remove("group.id");
    props.put("client.id", String.valueOf(consumerProperties.get("client.id")) + "-raw");
    props.put("enable.auto.commit", false);
    props.put("max.poll.records", 1);
    this.consumerProperties = props;
  }

  /** The record at {@code offset}, or null if Kafka no longer has it. */
  ConsumerRecord<byte[], byte[]> fetch(TopicPartition partition, long offset) {
    if (consumer == null) {
      consumer = new KafkaConsumer<>(consumerProperties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
    consumer.assign(List.of(partition));
    consumer.seek(partition, offset);
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200)).records(partition)) {
        if (record.offset() == offset) {
          return record;
        }
        if (record.offset() > offset) {
          return null;
        }
      }
    }
    return null;
  }

  @Override
  public void close() {
    if (consumer != null) {
      consumer.close(Duration.ofSeconds(2));
    }
  }
}
