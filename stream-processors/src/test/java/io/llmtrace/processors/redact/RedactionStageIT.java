package io.llmtrace.processors.redact;

import io.llmtrace.processors.common.DeadLetterHeaders;
import io.llmtrace.processors.common.StreamsRunner;
import io.llmtrace.processors.common.TopicNames;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.schemas.serde.AvroSerdes;
import io.llmtrace.schemas.testing.TestSpans;
import io.llmtrace.stack.Await;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The redaction stage as deployed (RedactionApp, exactly_once_v2, the shipped policy plus one canary no
 * detector can catch) against the real broker and registry: raw in; redacted, dead letters and
 * quarantine out, each with the right records and nothing sensitive on the redacted topic.
 */
@ExtendWith(LocalStackExtension.class)
class RedactionStageIT {

  private static final String UNCATCHABLE_CANARY = "CANARY-zq7k-unredactable";
  private static final List<String> SECRETS = List.of("jane.doe@corp.example", "4111 1111 1111 1111", "sk_live_51HqLyjWDarjtT1zdp7dc",
      "ghp_1a2b3c4d5e6f7g8h9i0jklmnopqrstuvwxyzAB");

  @Test
  void routesRedactedDeadLettersAndQuarantine(StackEndpoints stack, TestNames names) throws Exception {
    TopicNames topics = new TopicNames(names.topic("raw"), names.topic("redacted"), names.topic("dlq"),
        names.topic("quarantine"), names.topic("events"), names.topic("traces"), names.topic("metrics"), names.topic("releases"),
        names.topic("alerts"), names.topic("review"));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.createTopics(List.of(topics.raw(), topics.redacted(), topics.deadLetters(), topics.quarantine(), topics.redactionEvents()).stream()
          .map(t -> new NewTopic(t, 1, (short) 1)).toList()).all().get();
    }
    Path policy = Files.createTempFile("policy", ".yaml");
    Files.writeString(policy, Files.readString(Path.of("..", "deploy", "config", "redaction-policy.yaml"))
        .replace("canaries:\n", "canaries:\n  - " + UNCATCHABLE_CANARY + "\n"));
    Map<String, String> settings = new HashMap<>(Map.of(
        "llmtrace.kafka.bootstrap", stack.kafkaBootstrap(),
        "llmtrace.schema.registry.url", stack.schemaRegistryUrl(),
        "llmtrace.redaction.application-id", names.group("redaction"),
        "llmtrace.redaction.policy-file", policy.toString(),
        "llmtrace.redaction.hash-key", "integration-test-hash-key-0123456789",
        "llmtrace.enrichment.price-table", Path.of("..", "deploy", "config", "model-prices.yaml").toString(),
        "llmtrace.streams.state.dir", Files.createTempDirectory("redaction-state").toString()));
    settings.putAll(Map.of("llmtrace.topics.raw", topics.raw(), "llmtrace.topics.redacted", topics.redacted(),
        "llmtrace.topics.dead-letters", topics.deadLetters(), "llmtrace.topics.quarantine", topics.quarantine(),
        "llmtrace.topics.redaction-events", topics.redactionEvents()));
    Map<String, Object> serde = Map.of("schema.registry.url", stack.schemaRegistryUrl());

    settings.put("llmtrace.redaction.admin.port", "0");
    try (StreamsRunner stage = RedactionApp.start(Settings.of(settings))) {

      // Given a span with secrets in several fields, a record that is not a span, and a span carrying a canary
      LlmSpan secretive = TestSpans.fullyPopulated();
      secretive.getOutput().setText("Mail " + SECRETS.get(0) + ", card " + SECRETS.get(1));
      secretive.setErrorMessage("auth failed for key " + SECRETS.get(2));
      secretive.getToolExecution().setArgumentsJson("{\"token\":\"" + SECRETS.get(3) + "\"}");
      LlmSpan canary = TestSpans.minimal();
      canary.setSpanId("00000000000000ca");
      canary.setErrorMessage("seeded " + UNCATCHABLE_CANARY);
      try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(), "acks", "all"),
          new StringSerializer(), new ByteArraySerializer())) {
        var serializer = AvroSerdes.specific(LlmSpan.class, serde, false).serializer();
        producer.send(new ProducerRecord<>(topics.raw(), secretive.getTraceId(), serializer.serialize(topics.raw(), secretive))).get();
        producer.send(new ProducerRecord<>(topics.raw(), "junk", "not a span".getBytes(StandardCharsets.UTF_8))).get();
        producer.send(new ProducerRecord<>(topics.raw(), canary.getTraceId(), serializer.serialize(topics.raw(), canary))).get();
      }

      // Then
      List<ConsumerRecord<String, LlmSpan>> redacted = read(stack, topics.redacted(), AvroSerdes.specific(LlmSpan.class, serde, false).deserializer(), 1);
      LlmSpan clean = redacted.get(0).value();
      assertThat(clean.getSpanId()).isEqualTo(secretive.getSpanId());
      SECRETS.forEach(secret -> assertThat(clean.toString()).doesNotContain(secret));
      assertThat(clean.getRedaction().getApplied()).isTrue();
      assertThat(clean.getRedaction().getPolicyVersion()).isNotBlank();
      assertThat(clean.getRedaction().getCountsByDetector()).containsKeys("email", "payment_card", "stripe_key", "github_token");

      List<ConsumerRecord<String, byte[]>> dead = read(stack, topics.deadLetters(), new ByteArrayDeserializer(), 1);
      assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("not a span");
      assertThat(new String(dead.get(0).headers().lastHeader(DeadLetterHeaders.TOPIC).value(), StandardCharsets.UTF_8)).isEqualTo(topics.raw());
      assertThat(new String(dead.get(0).headers().lastHeader(DeadLetterHeaders.OFFSET).value(), StandardCharsets.UTF_8)).isEqualTo("1");

      List<ConsumerRecord<String, LlmSpan>> quarantined = read(stack, topics.quarantine(), AvroSerdes.specific(LlmSpan.class, serde, false).deserializer(), 1);
      assertThat(quarantined.get(0).value().getSpanId()).isEqualTo("00000000000000ca");
      List<ConsumerRecord<String, AlertEvent>> events = read(stack, topics.redactionEvents(), AvroSerdes.specific(AlertEvent.class, serde, false).deserializer(), 1);
      assertThat(events.get(0).value().getRuleId()).isEqualTo("redaction_failure");

      // and the redacted topic got nothing but the one clean span
      assertThat(read(stack, topics.redacted(), AvroSerdes.specific(LlmSpan.class, serde, false).deserializer(), 1)).hasSize(1);
    }
  }

  private static <V> List<ConsumerRecord<String, V>> read(StackEndpoints stack, String topic, Deserializer<V> values, int expected) {
    List<ConsumerRecord<String, V>> records = new ArrayList<>();
    try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(),
        "group.id", topic + ".reader." + System.nanoTime(), "auto.offset.reset", "earliest", "isolation.level", "read_committed"),
        new StringDeserializer(), values)) {
      consumer.subscribe(Set.of(topic));
      Await.until(Duration.ofSeconds(90), expected + " record(s) on " + topic, () -> {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return records.size() >= expected;
      });
    }
    return records;
  }
}
