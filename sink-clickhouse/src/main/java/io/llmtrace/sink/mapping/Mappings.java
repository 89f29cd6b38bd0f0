package io.llmtrace.sink.mapping;

import io.llmtrace.schemas.avro.LlmSpan;
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
}
