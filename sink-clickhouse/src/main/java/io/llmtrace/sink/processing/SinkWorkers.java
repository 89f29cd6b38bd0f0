package io.llmtrace.sink.processing;

import io.llmtrace.sink.config.SinkConfig;
import io.llmtrace.sink.db.ClickHouseTarget;
import io.llmtrace.sink.mapping.TableMapping;
import io.llmtrace.sink.metrics.SinkMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Builds a worker and its consumer from the sink's configuration. */
public final class SinkWorkers {

  private SinkWorkers() {}

  public static <T> SinkWorker<T> create(SinkConfig config, TableMapping<T> mapping, ClickHouseTarget target,
      SinkMetrics metrics, Backoff backoff) {
    Map<String, Object> properties = consumerProperties(config, mapping);
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    new KafkaClientMetrics(consumer).bindTo(metrics.registry());
    SinkMetrics.TableMeters meters = metrics.table(mapping.table());
    return new SinkWorker<>(mapping, config.batching(), backoff, consumer, new BatchWriter(target, mapping, meters, new RawRecords(properties)), meters);
  }

  static Map<String, Object> consumerProperties(SinkConfig config, TableMapping<?> mapping) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupIdPrefix() + "." + mapping.name());
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "llmtrace-sink-" + mapping.name());
    // Offsets are committed by the worker, after the insert that covers them.
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // The redaction stage writes transactionally: never store rows of an aborted transaction.
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
    props.putAll(config.consumerOverrides());
    return props;
  }
}
