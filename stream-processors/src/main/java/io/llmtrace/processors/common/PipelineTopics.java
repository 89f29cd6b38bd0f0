package io.llmtrace.processors.common;

import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.ReleaseMarker;
import io.llmtrace.schemas.avro.ReviewItem;
import io.llmtrace.schemas.avro.TraceSummary;
import io.llmtrace.schemas.registry.SchemaRegistryClient;
import io.llmtrace.schemas.serde.AvroSerdes;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The typed topic catalog: every topic of the stream stages with its serdes. Keys are trace ids
 * (strings) end to end; values are Avro in the Confluent wire format through one shared registry
 * client, except where a stage must see the original bytes (the raw topic, so an unreadable record
 * reaches the dead letters unchanged).
 */
public record PipelineTopics(
    Topic<String, byte[]> raw,
    Topic<String, LlmSpan> redacted,
    Topic<String, byte[]> deadLetters,
    Topic<String, LlmSpan> quarantine,
    Topic<String, AlertEvent> redactionEvents,
    Topic<String, TraceSummary> traces,
    Topic<String, MetricWindow> metrics,
    Topic<String, ReleaseMarker> releases,
    Topic<String, AlertEvent> alerts,
    Topic<String, ReviewItem> review) {

  /** Serdes from a registry client shared by every topic of the application. */
  public static PipelineTopics create(TopicNames names, SchemaRegistryClient registry) {
    return create(names, new AvroFactory() {
      @Override
      public <T extends SpecificRecord> Serde<T> serde(Class<T> type) {
        return AvroSerdes.specific(type, registry, Map.of(), false);
      }
    });
  }

  /** Serdes built from a serde config map (tests: a fake registry's URL). */
  public static PipelineTopics create(TopicNames names, Map<String, ?> serdeConfig) {
    return create(names, new AvroFactory() {
      @Override
      public <T extends SpecificRecord> Serde<T> serde(Class<T> type) {
        return AvroSerdes.specific(type, serdeConfig, false);
      }
    });
  }

  private static PipelineTopics create(TopicNames names, AvroFactory avro) {
    Serde<String> keys = Serdes.String();
    Serde<LlmSpan> spans = avro.serde(LlmSpan.class);
    return new PipelineTopics(
        new Topic<>(names.raw(), keys, Serdes.ByteArray()),
        new Topic<>(names.redacted(), keys, spans),
        new Topic<>(names.deadLetters(), keys, Serdes.ByteArray()),
        new Topic<>(names.quarantine(), keys, spans),
        new Topic<>(names.redactionEvents(), keys, avro.serde(AlertEvent.class)),
        new Topic<>(names.traces(), keys, avro.serde(TraceSummary.class)),
        new Topic<>(names.metrics(), keys, avro.serde(MetricWindow.class)),
        new Topic<>(names.releases(), keys, avro.serde(ReleaseMarker.class)),
        new Topic<>(names.alerts(), keys, avro.serde(AlertEvent.class)),
        new Topic<>(names.review(), keys, avro.serde(ReviewItem.class)));
  }

  private interface AvroFactory {
    <T extends SpecificRecord> Serde<T> serde(Class<T> type);
  }
}
