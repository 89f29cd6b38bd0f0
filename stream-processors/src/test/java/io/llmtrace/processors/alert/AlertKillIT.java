package io.llmtrace.processors.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertState;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.serde.AvroSerdes;
import io.llmtrace.stack.Await;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.ChildJvm;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The alert application as its own process against the real broker and registry, killed with SIGKILL
 * while episodes are open and windows keep coming, then started again. What {@code llm.alerts} holds
 * (read_committed) is exactly what the same windows give through the topology without a kill — computed
 * here by {@link AlertDriver}: every FIRING and RESOLVED once, none missing, none twice.
 */
@ExtendWith(LocalStackExtension.class)
class AlertKillIT {

  private static final int GROUPS = 40;
  private static final int MINUTES = 45;

  /** A group's provider errors: 5% in its bad minutes [a, b), none otherwise (20 calls a minute). */
  static MetricWindow window(Instant t0, int group, int minute) {
    int a = group % 7;
    int b = a + 6 + group % 5 + (group % 3 == 0 ? 20 : 0);
    boolean bad = minute >= a && minute < b;
    Instant start = t0.plus(Duration.ofMinutes(minute));
    Map<String, String> dims = Map.of("tenant_id", "acme", "environment", "production", "kind", "LLM", "model_provider", "openai",
        "model_name", "model-" + group);
    return MetricWindow.newBuilder().setMetricName("llm.spans").setDimensions(dims).setGroupId("g" + group).setWindowStart(start)
        .setWindowEnd(start.plusSeconds(60)).setCount(20).setErrorCount(bad ? 1 : 0)
        .setExemplars(bad ? AlertDriver.errors("t-" + group + "-" + minute) : null).build();
  }

  @Test
  void killedMidEpisodeItPublishesEveryTransitionOnce(StackEndpoints stack, TestNames names) throws Exception {
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(90));
    // the oracle: the same windows through the topology, no kill
    List<String> expected = new ArrayList<>();
    try (AlertDriver driver = new AlertDriver()) {
      for (int m = 0; m < MINUTES; m++) {
        List<MetricWindow> windows = new ArrayList<>();
        for (int g = 0; g < GROUPS; g++) {
          windows.add(window(t0, g, m));
        }
        driver.minute(windows);
      }
      driver.seen.forEach(e -> expected.add(describe(e)));
    }
    assertThat(expected).filteredOn(e -> e.contains(" FIRING")).hasSize(GROUPS);
    assertThat(expected).filteredOn(e -> e.contains(" RESOLVED")).hasSizeGreaterThan(GROUPS / 2);

    String metrics = names.topic("metrics");
    String alerts = names.topic("alerts");
    Map<String, String> topics = Map.of("llmtrace.topics.metrics", metrics, "llmtrace.topics.alerts", alerts,
        "llmtrace.topics.redacted", names.topic("redacted"), "llmtrace.topics.redaction-events", names.topic("events"),
        "llmtrace.topics.releases", names.topic("releases"), "llmtrace.topics.dead-letters", names.topic("dlq"));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.createTopics(topics.values().stream().map(t -> new NewTopic(t, t.equals(metrics) ? 3 : 1, (short) 1)).toList()).all().get();
    }
    Map<String, String> settings = new HashMap<>(topics);
    settings.putAll(Map.of(
        "llmtrace.kafka.bootstrap", stack.kafkaBootstrap(),
        "llmtrace.schema.registry.url", stack.schemaRegistryUrl(),
        "llmtrace.alerts.application-id", names.group("alerts"),
        "llmtrace.alerts.admin.port", "0",
        "llmtrace.alerts.evaluate-interval", "200ms",
        "llmtrace.streams.state.dir", Files.createTempDirectory("alerts-state").toString(),
        "llmtrace.streams.session.timeout.ms", "6000"));
    Path log = Files.createTempFile("alerts-kill", ".log");
    Map<String, Object> serde = Map.of("schema.registry.url", stack.schemaRegistryUrl());
    Serializer<MetricWindow> serializer = AvroSerdes.specific(MetricWindow.class, serde, false).serializer();
    Deserializer<AlertEvent> deserializer = AvroSerdes.specific(AlertEvent.class, serde, false).deserializer();
    List<String> published = new ArrayList<>();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(), "acks", "all"),
        new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer());
        KafkaConsumer<String, AlertEvent> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(),
            "group.id", names.group("reader"), "auto.offset.reset", "earliest", "isolation.level", "read_committed"),
            new StringDeserializer(), deserializer)) {
      consumer.subscribe(Set.of(alerts));
      Process first = ChildJvm.start(AlertApp.class, settings, log);
      try {
        produce(producer, metrics, serializer, t0, 0, 20);
        // kill it once episodes are open, while the next windows stream in
        Await.until(Duration.ofSeconds(120), "the first FIRING events", () -> poll(consumer, published)
            && published.stream().filter(e -> e.contains(" FIRING")).count() >= 10);
        produce(producer, metrics, serializer, t0, 20, 30);
        first.destroyForcibly().waitFor();
      } finally {
        first.destroyForcibly();
      }
      Process second = ChildJvm.start(AlertApp.class, settings, log);
      try {
        produce(producer, metrics, serializer, t0, 30, MINUTES);
        try {
          Await.until(Duration.ofSeconds(180), "every transition of the oracle", () -> poll(consumer, published)
              && published.size() >= expected.size());
        } finally {
          poll(consumer, published);
        }
        assertThat(published).as("published (read_committed) vs the run without a kill; log %s", log)
            .containsExactlyInAnyOrderElementsOf(expected);
        // and per episode: one FIRING, at most one RESOLVED
        Map<String, Long> firings = new HashMap<>();
        published.stream().filter(e -> e.contains(" FIRING")).forEach(e -> firings.merge(e.split(" ")[0], 1L, Long::sum));
        assertThat(firings.values()).containsOnly(1L);
      } finally {
        second.destroy();
        second.waitFor();
      }
    }
  }

  private static String describe(AlertEvent e) {
    return e.getAlertId() + " " + e.getState() + " " + e.getWindowEnd() + " " + e.getMeasuredValue() + " " + e.getExampleTraceIds()
        + (e.getState() == AlertState.RESOLVED ? " resolved " + e.getResolvedAt() : "");
  }

  private static void produce(KafkaProducer<String, byte[]> producer, String topic, Serializer<MetricWindow> serializer, Instant t0,
      int from, int to) {
    for (int m = from; m < to; m++) {
      for (int g = 0; g < GROUPS; g++) {
        MetricWindow w = window(t0, g, m);
        producer.send(new ProducerRecord<>(topic, w.getGroupId(), serializer.serialize(topic, w)));
      }
    }
    producer.flush();
  }

  private static boolean poll(KafkaConsumer<String, AlertEvent> consumer, List<String> published) {
    for (ConsumerRecord<String, AlertEvent> record : consumer.poll(Duration.ofMillis(200))) {
      published.add(describe(record.value()));
    }
    return true;
  }
}
