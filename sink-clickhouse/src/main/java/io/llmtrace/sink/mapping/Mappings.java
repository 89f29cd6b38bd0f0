package io.llmtrace.sink.mapping;

import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.TraceSummary;
import io.llmtrace.schemas.registry.SchemaRegistryClient;
import io.llmtrace.schemas.serde.AvroDeserializer;

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
    AvroDeserializer<TraceSummary> avro = new AvroDeserializer<>(registry, TraceSummary.class);
    return new TableMapping<>("traces", topic, "traces", TraceRows.COLUMNS,
        (source, headers, value, reuse) -> avro.deserialize(source, value, reuse), TraceRows::encode);
  }

  /**
   * One-minute metric windows into {@code metrics_1m}; its materialized views roll them up into
   * {@code metrics_1h} and {@code metrics_1d} in the same insert. No byte-level shortcut: a window
   * stands for many spans.
   */
  public static TableMapping<MetricWindow> metrics(String topic, SchemaRegistryClient registry) {
    AvroDeserializer<MetricWindow> avro = new AvroDeserializer<>(registry, MetricWindow.class);
    return new TableMapping<>("metrics", topic, "metrics_1m", MetricRows.COLUMNS,
        (source, headers, value, reuse) -> avro.deserialize(source, value, reuse), MetricRows::encode);
  }
}
