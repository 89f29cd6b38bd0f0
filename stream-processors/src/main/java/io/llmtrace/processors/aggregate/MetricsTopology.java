package io.llmtrace.processors.aggregate;

import io.llmtrace.processors.aggregate.state.Attribution;
import io.llmtrace.processors.aggregate.state.TraceAttribution;
import io.llmtrace.processors.aggregate.state.WindowState;
import io.llmtrace.processors.common.AvroStateSerde;
import io.llmtrace.processors.common.PipelineTopics;
import io.llmtrace.processors.common.RecordReader;
import io.llmtrace.processors.common.WriteBackStore;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.MetricWindow;
import java.util.function.Predicate;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * Windowed metrics, built by one method that the tests call: redacted spans and trace summaries (both
 * keyed by trace id) → metric windows keyed by group id, unreadable records to the dead letters.
 * {@link #addTo} wires the same stage into a larger application (the metrics app evaluating alert rules).
 */
public final class MetricsTopology {

  static final String SPANS = "redacted-spans";
  static final String TRACES_SOURCE = "trace-summaries";
  static final String PROCESSOR = "window-metrics";
  public static final String WINDOWS = "metric-windows";
  public static final String PROGRESS = "metric-progress";
  public static final String ATTRIBUTION = "trace-attribution";
  public static final String GROUP_DIMENSIONS = "group-dimensions";
  public static final String COUNTED_TRACES = "counted-traces";
  static final String METRICS = "metric-windows-out";
  /** Open windows kept as objects across commits, per task: 4 tenants' 1,000 groups in 3 open minutes fit. */
  static final int OPEN_WINDOWS_KEPT = 12_000;

  private MetricsTopology() {}

  /** The stage's output: the closed windows, and the decoded spans a tap accepted. */
  public record Streams(KStream<String, MetricWindow> windows, KStream<String, LlmSpan> tapped) {}

  public static Topology build(PipelineTopics topics, MetricsConfig.Windows windows, MetricsMeters meters) {
    StreamsBuilder builder = new StreamsBuilder();
    addTo(builder, topics, windows, meters, span -> false);
    return builder.build();
  }

  /**
   * Adds the stage to {@code builder}: its stores, its sources, the windows published to the metrics topic and
   * dead letters to theirs. Returns the windows and the spans {@code tap} accepts, as decoded objects, for
   * what else the application does with them.
   */
  public static Streams addTo(StreamsBuilder builder, PipelineTopics topics, MetricsConfig.Windows windows, MetricsMeters meters,
      Predicate<LlmSpan> tap) {
    // Written back at each commit (WriteBackStore), Kafka Streams' byte cache off under it: a group's many updates within a
    // commit interval are one encode, one RocksDB write and one changelog record; the watermark one per commit.
    builder.addStateStore(WriteBackStore.builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WINDOWS), Serdes.Bytes(),
        new AvroStateSerde<>(WindowState.class)).withCachingDisabled(), OPEN_WINDOWS_KEPT));
    builder.addStateStore(WriteBackStore.builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROGRESS), Serdes.String(),
        Serdes.Long()).withCachingDisabled()));
    builder.addStateStore(WriteBackStore.builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ATTRIBUTION), Serdes.String(),
        new AvroStateSerde<>(TraceAttribution.class)).withCachingDisabled()));
    builder.addStateStore(WriteBackStore.builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(GROUP_DIMENSIONS), Serdes.String(),
        new AvroStateSerde<>(Attribution.class)).withCachingDisabled()));
    long size = windows.size().toMillis();
    builder.addStateStore(WriteBackStore.builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(COUNTED_TRACES), Serdes.String(),
        CountedTrace.serde(t -> Math.floorDiv(t.getStartTime().toEpochMilli(), size) * size)).withCachingDisabled()));
    KStream<String, byte[]> spans = builder.stream(topics.redacted().name(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(SPANS));
    KStream<String, byte[]> traces = builder.stream(topics.traces().name(),
        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(TRACES_SOURCE));
    KStream<String, Object> out = spans.merge(traces, Named.as("spans-and-traces"))
        .process(() -> new MetricsProcessor(topics.redacted().name(), topics.redacted().valueDeserializer(), topics.traces().valueDeserializer(),
            windows, meters, tap), Named.as(PROCESSOR), WINDOWS, PROGRESS, ATTRIBUTION, GROUP_DIMENSIONS, COUNTED_TRACES);
    KStream<String, MetricWindow> published = RecordReader.split(out, MetricWindow.class, topics.deadLetters().name(), "metrics-");
    published.to(topics.metrics().name(), Produced.with(topics.metrics().keySerde(), topics.metrics().valueSerde()).withName(METRICS));
    KStream<String, LlmSpan> tapped = out.filter((key, value) -> value instanceof LlmSpan, Named.as("metrics-tapped"))
        .mapValues(value -> (LlmSpan) value, Named.as("metrics-tapped-spans"));
    return new Streams(published, tapped);
  }
}
