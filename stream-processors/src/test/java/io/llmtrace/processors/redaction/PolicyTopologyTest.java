package io.llmtrace.processors.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.processors.enrich.CostEnricher;
import io.llmtrace.processors.enrich.PriceTable;
import io.llmtrace.processors.redaction.stage.PolicyScrubber;
import io.llmtrace.processors.redaction.stage.RedactionTopics;
import io.llmtrace.processors.redaction.stage.RedactionTopology;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.serde.AvroSerdes;
import io.llmtrace.schemas.testing.FakeSchemaRegistry;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/** The real policy through the real topology: every field path comes out of the stage redacted. */
class PolicyTopologyTest {

  @Test
  void everyFieldPathIsRedactedOnTheWayThroughTheStage() {
    try (FakeSchemaRegistry registry = FakeSchemaRegistry.start()) {
      Map<String, Object> config = Map.of("schema.registry.url", registry.url());
      Serde<LlmSpan> spans = AvroSerdes.specific(LlmSpan.class, config, false);
      Serde<AlertEvent> alerts = AvroSerdes.specific(AlertEvent.class, config, false);
      RedactionTopics topics = new RedactionTopics("raw", "redacted", "dlq", "quarantine", "events");
      Properties props = new Properties();
      props.put(StreamsConfig.APPLICATION_ID_CONFIG, "policy-topology-test");
      props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
      PolicyScrubber scrubber = new PolicyScrubber(RedactionPolicyTest.parse(RedactorTest.POLICY));
      CostEnricher enricher = new CostEnricher(PriceTable.load(Path.of("..", "deploy", "config", "model-prices.yaml")));
      try (TopologyTestDriver driver = new TopologyTestDriver(RedactionTopology.build(topics, spans, alerts, scrubber, enricher), props)) {
        TestInputTopic<String, byte[]> raw = driver.createInputTopic("raw", new StringSerializer(), new ByteArraySerializer());
        TestOutputTopic<String, LlmSpan> redacted = driver.createOutputTopic("redacted", new StringDeserializer(), spans.deserializer());
        LlmSpan span = RedactorTest.secretEverywhere("tenant-acme");

        raw.pipeInput(span.getTraceId(), spans.serializer().serialize("raw", span));

        LlmSpan out = redacted.readValue();
        assertThat(String.join("\n", RedactorTest.allStrings(out))).doesNotContain(RedactorTest.EMAIL).doesNotContain(RedactorTest.CARD);
        assertThat(out.getRedaction().getCountsByDetector()).containsEntry("email", 17).containsEntry("payment_card", 1);
        assertThat(driver.createOutputTopic("quarantine", new StringDeserializer(), spans.deserializer()).isEmpty()).isTrue();
      }
    }
  }
}
