package io.llmtrace.processors.redaction.stage;

import io.llmtrace.processors.enrich.CostEnricher;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.LlmSpan;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.Topology;

/**
 * The first stream stage, built by one method that the tests call: raw spans → redacted spans, with
 * dead letters, quarantine and redaction-failure events as named side outputs. Values are read as bytes
 * so that a record that cannot be deserialized reaches the dead-letter topic unchanged.
 */
public final class RedactionTopology {

  static final String SOURCE = "raw-spans";
  static final String PROCESSOR = "redact-and-enrich";
  static final String REDACTED = "redacted-spans";
  static final String DEAD_LETTERS = "dead-letters";
  static final String QUARANTINE = "quarantine";
  static final String EVENTS = "redaction-events";

  private RedactionTopology() {}

  /**
   * @param spans the Avro serde for LlmSpan (reads the raw topic, writes redacted and quarantine)
   * @param events the Avro serde for AlertEvent
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static Topology build(RedactionTopics topics, Serde<LlmSpan> spans, Serde<AlertEvent> events, SpanScrubber scrubber,
      CostEnricher enricher) {
    Deserializer<LlmSpan> reader = spans.deserializer();
    Serializer spanWriter = spans.serializer();
    Serializer eventWriter = events.serializer();
    Topology topology = new Topology();
    topology.addSource(SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), topics.raw());
    topology.addProcessor(PROCESSOR, () -> new RedactionProcessor(reader, scrubber, enricher), SOURCE);
    topology.addSink(REDACTED, topics.redacted(), new StringSerializer(), spanWriter, PROCESSOR);
    topology.addSink(DEAD_LETTERS, topics.deadLetters(), new StringSerializer(), (Serializer) new ByteArraySerializer(), PROCESSOR);
    topology.addSink(QUARANTINE, topics.quarantine(), new StringSerializer(), spanWriter, PROCESSOR);
    topology.addSink(EVENTS, topics.events(), new StringSerializer(), eventWriter, PROCESSOR);
    return topology;
  }
}
