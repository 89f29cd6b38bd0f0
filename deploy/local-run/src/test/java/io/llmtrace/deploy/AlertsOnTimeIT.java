package io.llmtrace.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.gateway.Gateway;
import io.llmtrace.gateway.GatewayConfig;
import io.llmtrace.processors.alert.AlertApp;
import io.llmtrace.processors.common.StreamsRunner;
import io.llmtrace.processors.redact.RedactionApp;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertState;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.schemas.serde.AvroSerdes;
import io.llmtrace.stack.Await;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How soon an alert is on {@code llm.alerts}, on the real broker with the shipped rules: an immediate
 * rule's (a severe policy violation in production, sent to the gateway) from the span's 2xx, through
 * redaction and the alert stage; a window rule's (provider error rate) from the moment the metric window
 * that crosses the line is published. The bounds (5 s and 10 s) are asserted; the measured times
 * are printed for the notes.
 */
@ExtendWith(LocalStackExtension.class)
class AlertsOnTimeIT {

  private static final String KEY = "llmtrace-local-dev-key";
  private static final int SAMPLES = 5;

  @Test
  void immediateAlertsWithinFiveSecondsOfTheSpansAcceptanceAndWindowAlertsWithinTenOfTheWindow(StackEndpoints stack, TestNames names)
      throws Exception {
    Path repo = Path.of("..", "..").toAbsolutePath().normalize();
    Map<String, String> topics = new HashMap<>(Map.of("llmtrace.topics.raw", names.topic("raw"), "llmtrace.topics.redacted",
        names.topic("redacted"), "llmtrace.topics.dead-letters", names.topic("dlq"), "llmtrace.topics.quarantine", names.topic("quarantine"),
        "llmtrace.topics.redaction-events", names.topic("events"), "llmtrace.topics.metrics", names.topic("metrics"),
        "llmtrace.topics.alerts", names.topic("alerts"), "llmtrace.topics.releases", names.topic("releases")));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.createTopics(topics.values().stream().map(t -> new NewTopic(t, 1, (short) 1)).toList()).all().get();
    }
    Map<String, String> common = new HashMap<>(topics);
    common.putAll(Map.of("llmtrace.kafka.bootstrap", stack.kafkaBootstrap(), "llmtrace.schema.registry.url", stack.schemaRegistryUrl(),
        "llmtrace.streams.state.dir", Files.createTempDirectory("ontime-state").toString()));
    Map<String, String> redaction = new HashMap<>(common);
    redaction.putAll(Map.of("llmtrace.redaction.application-id", names.group("redaction"), "llmtrace.redaction.admin.port", "0",
        "llmtrace.redaction.hash-key", "on-time-test-hash-key-0123456789"));
    Map<String, String> alerts = new HashMap<>(common);
    alerts.putAll(Map.of("llmtrace.alerts.application-id", names.group("alerts"), "llmtrace.alerts.admin.port", "0"));
    Map<String, String> gateway = new HashMap<>(common);
    gateway.putAll(Map.of("llmtrace.gateway.host", "127.0.0.1", "llmtrace.gateway.port", "0",
        "llmtrace.gateway.api-keys-file", repo.resolve("deploy/config/api-keys.local.yaml").toString()));
    Map<String, Object> serde = Map.of("schema.registry.url", stack.schemaRegistryUrl());
    Map<String, Long> firedAt = new HashMap<>();
    try (StreamsRunner redact = RedactionApp.start(Settings.of(redaction));
        StreamsRunner alert = AlertApp.start(Settings.of(alerts));
        Gateway intake = Gateway.start(GatewayConfig.from(Settings.of(gateway)));
        KafkaConsumer<String, AlertEvent> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(),
            "group.id", names.group("reader"), "auto.offset.reset", "earliest", "isolation.level", "read_committed"),
            new StringDeserializer(), AvroSerdes.specific(AlertEvent.class, serde, false).deserializer());
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(), "acks", "all"),
            new StringSerializer(), new ByteArraySerializer())) {
      consumer.subscribe(Set.of(names.topic("alerts")));
      String url = "http://127.0.0.1:" + intake.port() + "/v1/spans";
      // warm-up: a first violation in a feature of its own (JIT, schema registration, the first transaction)
      post(url, "warmup");
      Await.until(Duration.ofSeconds(60), "the warm-up alert", () -> poll(consumer, firedAt) && firedAt.containsKey("warmup"));

      List<Long> immediate = new ArrayList<>();
      for (int i = 0; i < SAMPLES; i++) {
        String feature = "refund_agent_" + i;
        long accepted = post(url, feature);
        Await.until(Duration.ofSeconds(30), "the alert of " + feature, () -> poll(consumer, firedAt) && firedAt.containsKey(feature));
        immediate.add(firedAt.get(feature) - accepted);
      }

      // a window rule: provider errors at 5% for 5 one-minute windows; the fifth window's publication is the "close"
      Serializer<MetricWindow> windows = AvroSerdes.specific(MetricWindow.class, serde, false).serializer();
      List<Long> windowed = new ArrayList<>();
      Instant t0 = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(30));
      for (int i = 0; i < SAMPLES; i++) {
        String model = "model-" + i;
        long published = 0;
        for (int m = 0; m < 5; m++) {
          Instant start = t0.plus(Duration.ofMinutes(m));
          MetricWindow w = MetricWindow.newBuilder().setMetricName("llm.spans").setGroupId(model).setDimensions(Map.of("tenant_id", "local",
              "environment", "production", "kind", "LLM", "model_provider", "openai", "model_name", model)).setWindowStart(start)
              .setWindowEnd(start.plusSeconds(60)).setCount(20).setErrorCount(1).build();
          producer.send(new ProducerRecord<>(names.topic("metrics"), model, windows.serialize(names.topic("metrics"), w))).get();
          published = System.currentTimeMillis();
        }
        Await.until(Duration.ofSeconds(30), "the provider alert of " + model, () -> poll(consumer, firedAt) && firedAt.containsKey(model));
        windowed.add(firedAt.get(model) - published);
      }
      System.out.printf(Locale.ROOT, "alert on llm.alerts after: immediate rule (from the span's 2xx) %s ms; window rule (from the"
          + " window's publication) %s ms%n", immediate, windowed);
      assertThat(immediate).allSatisfy(ms -> assertThat(ms).isLessThan(5_000));
      assertThat(windowed).allSatisfy(ms -> assertThat(ms).isLessThan(10_000));
    }
  }

  /** Posts a severe policy violation in production for {@code feature}; the time of the 2xx. */
  private static long post(String url, String feature) throws Exception {
    long now = System.currentTimeMillis() * 1000;
    String body = """
        {"spans":[{"trace_id":"%032x","span_id":"%016x","name":"refund_policy_check","kind":"POLICY_CHECK","status":"ERROR",
          "environment":"production","feature_name":"%s","policy_severity":"critical","start_time":%d,"end_time":%d}]}"""
        .formatted(System.nanoTime(), System.nanoTime(), feature, now, now + 1000);
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
    long at = System.currentTimeMillis();
    assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
    return at;
  }

  /** Records when each FIRING arrived, by feature (immediate) or model (window); the consumer's clock, not the event's. */
  private static boolean poll(KafkaConsumer<String, AlertEvent> consumer, Map<String, Long> firedAt) {
    for (ConsumerRecord<String, AlertEvent> record : consumer.poll(Duration.ofMillis(50))) {
      AlertEvent event = record.value();
      if (event.getState() != AlertState.FIRING) {
        continue;
      }
      long arrived = System.currentTimeMillis();
      Map<String, String> group = event.getGroupDimensions();
      if (event.getRuleId().equals("severe_policy_violation")) {
        firedAt.putIfAbsent(group.getOrDefault("feature_name", "?"), arrived);
      } else if (event.getRuleId().equals("provider_error_rate")) {
        firedAt.putIfAbsent(group.getOrDefault("model_name", "?"), arrived);
      }
    }
    return true;
  }
}
