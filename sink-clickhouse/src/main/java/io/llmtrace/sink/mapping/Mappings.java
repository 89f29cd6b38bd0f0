package io.llmtrace.sink.mapping;

import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.ReleaseMarker;
import io.llmtrace.schemas.avro.ReviewItem;
import io.llmtrace.schemas.avro.TraceSummary;
import io.llmtrace.schemas.registry.SchemaRegistryClient;
import io.llmtrace.schemas.serde.AvroDeserializer;
import java.util.List;

/** The topics the sink writes, one mapping each. */
public final class Mappings {

  private Mappings() {}

  /** Redacted spans into {@code spans}. */
  public static TableMapping<LlmSpan> spans(String topic, SchemaRegistryClient registry) {
    AvroDeserializer<LlmSpan> avro = new AvroDeserializer<>(registry, LlmSpan.class);
    SpanAvroTranscoder direct = new SpanAvroTranscoder(registry);
    return new TableMapping<>("spans", topic, "spans", SpanRows.COLUMNS,
        (source, headers, value, reuse) -> avro.deserialize(source, value, reuse), SpanRows::encode, direct::transcode);
  }

  /**
   * Assembled trace summaries into {@code traces}, every version a row (the table keeps the highest per
   * trace). No byte-level shortcut: a trace is one record per many spans, so decoding is not the cost.
   */
  public static TableMapping<TraceSummary> traces(String topic, SchemaRegistryClient registry) {
    return avro("traces", topic, "traces", TraceSummary.class, TraceRows.COLUMNS, TraceRows::encode, registry);
  }

  /**
   * One-minute metric windows into {@code metrics_1m}; its materialized views roll them up into
   * {@code metrics_1h} and {@code metrics_1d} in the same insert. No byte-level shortcut: a window
   * stands for many spans.
   */
  public static TableMapping<MetricWindow> metrics(String topic, SchemaRegistryClient registry) {
    return avro("metrics", topic, "metrics_1m", MetricWindow.class, MetricRows.COLUMNS, MetricRows::encode, registry);
  }

  /** Alert episode events (FIRING, RENOTIFY, RESOLVED) into {@code alerts}, one row each. */
  public static TableMapping<AlertEvent> alerts(String topic, SchemaRegistryClient registry) {
    return avro("alerts", topic, "alerts", AlertEvent.class, AlertRows.COLUMNS, AlertRows::encode, registry);
  }

  /** Release markers into {@code releases} (copies of one release id collapse). */
  public static TableMapping<ReleaseMarker> releases(String topic, SchemaRegistryClient registry) {
    return avro("releases", topic, "releases", ReleaseMarker.class, ReleaseRows.COLUMNS, ReleaseRows::encode, registry);
  }

  /** Review queue items into {@code review_queue}, every version a row (the table keeps the highest per item). */
  public static TableMapping<ReviewItem> review(String topic, SchemaRegistryClient registry) {
    return avro("review", topic, "review_queue", ReviewItem.class, ReviewRows.COLUMNS, ReviewRows::encode, registry);
  }

  /** A topic of one Avro record type, decoded through the registry into the record the encoder writes. */
  private static <T> TableMapping<T> avro(String name, String topic, String table, Class<T> type, List<String> columns,
      TableMapping.RowEncoder<T> encoder, SchemaRegistryClient registry) {
    AvroDeserializer<T> avro = new AvroDeserializer<>(registry, type);
    return new TableMapping<>(name, topic, table, columns, (source, headers, value, reuse) -> avro.deserialize(source, value, reuse),
        encoder);
  }
}
