package io.llmtrace.processors.redact;

import io.llmtrace.processors.common.PipelineTopics;
import io.llmtrace.processors.enrich.CostEnricher;
import org.apache.kafka.common.serialization.Serializer;
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

  @SuppressWarnings({"unchecked", "rawtypes"})
  public static Topology build(PipelineTopics topics, SpanScrubber scrubber, CostEnricher enricher) {
    // One processor forwards to four sinks of different value types: the sinks are untyped at the join.
    Serializer spanWriter = topics.redacted().valueSerializer();
    Topology topology = new Topology();
    topology.addSource(SOURCE, topics.raw().keyDeserializer(), topics.raw().valueDeserializer(), topics.raw().name());
    topology.addProcessor(PROCESSOR, () -> new RedactionProcessor(topics.redacted().valueDeserializer(), scrubber, enricher), SOURCE);
    topology.addSink(REDACTED, topics.redacted().name(), topics.redacted().keySerializer(), spanWriter, PROCESSOR);
    topology.addSink(DEAD_LETTERS, topics.deadLetters().name(), topics.deadLetters().keySerializer(),
        (Serializer) topics.deadLetters().valueSerializer(), PROCESSOR);
    topology.addSink(QUARANTINE, topics.quarantine().name(), topics.quarantine().keySerializer(),
        (Serializer) topics.quarantine().valueSerializer(), PROCESSOR);
    topology.addSink(EVENTS, topics.redactionEvents().name(), topics.redactionEvents().keySerializer(),
        (Serializer) topics.redactionEvents().valueSerializer(), PROCESSOR);
    return topology;
  }
}
