package io.llmtrace.processors.redact;

import io.llmtrace.processors.common.TopologyFixture;
import io.llmtrace.processors.common.TopicNames;
import io.llmtrace.processors.enrich.CostEnricher;
import io.llmtrace.processors.enrich.PriceTable;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.LlmSpan;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The real redaction topology ({@link RedactionTopology#build}) in a {@link TopologyTestDriver}, with a
 * fake schema registry, the shipped price table and the given scrubber: the setup every stage test
 * shares, so that they differ only in the scrubber and the spans they pipe.
 */
public final class StageDriver implements AutoCloseable {

  private static final TopicNames TOPICS = new TopicNames("raw", "redacted", "dlq", "quarantine", "events", "traces", "metrics", "releases",
      "alerts", "review");

  private final TopologyFixture fixture;
  private final TopologyTestDriver driver;
  public final Serde<LlmSpan> spans;
  public final TestInputTopic<String, byte[]> raw;
  public final TestOutputTopic<String, LlmSpan> redacted;
  public final TestOutputTopic<String, byte[]> dlq;
  public final TestOutputTopic<String, LlmSpan> quarantine;
  public final TestOutputTopic<String, AlertEvent> events;

  public StageDriver(String applicationId, SpanScrubber scrubber) {
    CostEnricher enricher = new CostEnricher(PriceTable.load(Path.of("..", "deploy", "config", "model-prices.yaml")));
    fixture = TopologyFixture.start(applicationId, TOPICS, built -> RedactionTopology.build(built, scrubber, enricher), Instant.now());
    driver = fixture.driver;
    spans = fixture.topics.redacted().valueSerde();
    Serde<AlertEvent> alerts = fixture.topics.redactionEvents().valueSerde();
    raw = driver.createInputTopic(TOPICS.raw(), new StringSerializer(), new ByteArraySerializer());
    redacted = driver.createOutputTopic(TOPICS.redacted(), new StringDeserializer(), spans.deserializer());
    dlq = driver.createOutputTopic(TOPICS.deadLetters(), new StringDeserializer(), new ByteArrayDeserializer());
    quarantine = driver.createOutputTopic(TOPICS.quarantine(), new StringDeserializer(), spans.deserializer());
    events = driver.createOutputTopic(TOPICS.redactionEvents(), new StringDeserializer(), alerts.deserializer());
  }

  /** Serializes the span as a producer would and pipes it into the raw topic, keyed by its trace. */
  public void pipe(LlmSpan span) {
    raw.pipeInput(span.getTraceId(), spans.serializer().serialize(TOPICS.raw(), span));
  }

  @Override
  public void close() {
    fixture.close();
  }
}
