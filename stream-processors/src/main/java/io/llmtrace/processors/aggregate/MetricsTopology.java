package io.llmtrace.processors.aggregate;

import io.llmtrace.processors.aggregate.state.Attribution;
import io.llmtrace.processors.aggregate.state.WindowState;
import io.llmtrace.processors.common.AvroStateSerde;
import io.llmtrace.processors.common.PipelineTopics;
import io.llmtrace.processors.common.WriteBackStore;
import io.llmtrace.schemas.avro.TraceSummary;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * Windowed metrics, built by one method that the tests call: redacted spans and trace summaries (both
 * keyed by trace id) → metric windows keyed by group id, unreadable records to the dead letters.
 */
public final class MetricsTopology {

  static final String SPANS = "redacted-spans";
  static final String TRACES_SOURCE = "trace-summaries";
  static final String PROCESSOR = "window-metrics";
  public static final String WINDOWS = "metric-windows";
  public static final String PROGRESS = "metric-progress";
  public static final String ATTRIBUTION = "span-attribution";
  public static final String COUNTED_TRACES = "counted-traces";
  static final String METRICS = "metric-windows-out";
  static final String DEAD_LETTERS = "dead-letters";

  private MetricsTopology() {}

  @SuppressWarnings({"unchecked", "rawtypes"})
  public static Topology build(PipelineTopics topics, MetricsConfig.Windows windows, MetricsMeters meters) {
    Topology topology = new Topology();
    topology.addSource(SPANS, topics.redacted().keyDeserializer(), Serdes.ByteArray().deserializer(), topics.redacted().name());
    topology.addSource(TRACES_SOURCE, topics.traces().keyDeserializer(), Serdes.ByteArray().deserializer(), topics.traces().name());
    topology.addProcessor(PROCESSOR, () -> new MetricsProcessor(topics.redacted().name(), topics.redacted().valueDeserializer(),
        topics.traces().valueDeserializer(), windows, meters), SPANS, TRACES_SOURCE);
    // Written back at each commit (WriteBackStore), Kafka Streams' byte cache off under it: a group's many updates within a
    // commit interval are one encode, one RocksDB write and one changelog record; the watermark one per commit.
    topology.addStateStore(WriteBackStore.builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WINDOWS), Serdes.Bytes(),
        new AvroStateSerde<>(WindowState.class)).withCachingDisabled()), PROCESSOR);
    topology.addStateStore(WriteBackStore.builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROGRESS), Serdes.String(), Serdes.Long())
        .withCachingDisabled()), PROCESSOR);
    topology.addStateStore(WriteBackStore.builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ATTRIBUTION), Serdes.String(),
        new AvroStateSerde<>(Attribution.class)).withCachingDisabled()), PROCESSOR);
    topology.addStateStore(WriteBackStore.builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(COUNTED_TRACES), Serdes.String(),
        new AvroStateSerde<>(TraceSummary.class)).withCachingDisabled()), PROCESSOR);
    topology.addSink(METRICS, topics.metrics().name(), topics.metrics().keySerializer(), (Serializer) topics.metrics().valueSerializer(),
        PROCESSOR);
    topology.addSink(DEAD_LETTERS, topics.deadLetters().name(), topics.deadLetters().keySerializer(),
        (Serializer) topics.deadLetters().valueSerializer(), PROCESSOR);
    return topology;
  }
}
