package io.llmtrace.processors.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.processors.aggregate.MetricsApp;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertState;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.SpanStatus;
import io.llmtrace.schemas.serde.AvroSerdes;
import io.llmtrace.stack.Await;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.ChildJvm;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import java.nio.charset.StandardCharsets;
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
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The metrics application evaluating the alert rules ({@code llmtrace.metrics.evaluate-alerts}) as its own process
 * against the real broker and registry, killed with SIGKILL once episodes are open while spans keep coming, then
 * started again. Every FIRING and RESOLVED the alerts topic holds (read_committed) is once, and they are exactly
 * the events the alert application's topology ({@link AlertDriver}) gives from the windows the metrics topic holds
 * (read_committed) and the same severe spans: nothing lost to the kill, nothing published twice.
 */
@ExtendWith(LocalStackExtension.class)
class EmbeddedAlertsKillIT {

  private static final int MINUTES = 11;
  private static final int TRACES_PER_MINUTE = 150;

  @Test
  void killedMidEpisodeTheMetricsAppPublishesEveryTransitionOnce(StackEndpoints stack, TestNames names) throws Exception {
    Map<String, String> topics = Map.of("llmtrace.topics.redacted", names.topic("redacted"), "llmtrace.topics.traces", names.topic("traces"),
        "llmtrace.topics.metrics", names.topic("metrics"), "llmtrace.topics.alerts", names.topic("alerts"),
        "llmtrace.topics.redaction-events", names.topic("events"), "llmtrace.topics.releases", names.topic("releases"),
        "llmtrace.topics.dead-letters", names.topic("dlq"));
    String spansTopic = topics.get("llmtrace.topics.redacted");
    Set<String> partitioned = Set.of(spansTopic, topics.get("llmtrace.topics.traces"), topics.get("llmtrace.topics.metrics"));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.createTopics(topics.values().stream().map(t -> new NewTopic(t, partitioned.contains(t) ? 3 : 1, (short) 1)).toList()).all().get();
    }
    Path rules = Files.createTempFile("embedded-alert-rules", ".yaml");
    Files.writeString(rules, EmbeddedAlertsTraffic.RULES);
    Map<String, String> settings = new HashMap<>(topics);
    settings.putAll(Map.of(
        "llmtrace.kafka.bootstrap", stack.kafkaBootstrap(),
        "llmtrace.schema.registry.url", stack.schemaRegistryUrl(),
        "llmtrace.metrics.application-id", names.group("metrics-alerts"),
        "llmtrace.metrics.admin.port", "0",
        "llmtrace.metrics.evaluate-alerts", "true",
        "llmtrace.alerts.rules-file", rules.toString(),
        "llmtrace.alerts.evaluate-interval", "200ms",
        // windows close by event time only: the wall-clock close would close them all at the first pause
        "llmtrace.metrics.grace", "30s",
        "llmtrace.metrics.idle-close-after", "10m",
        "llmtrace.streams.state.dir", Files.createTempDirectory("metrics-alerts-state").toString()));
    settings.put("llmtrace.streams.session.timeout.ms", "6000");
    Path log = Files.createTempFile("metrics-alerts-kill", ".log");

    Instant from = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(MINUTES + 5));
    List<LlmSpan> all = EmbeddedAlertsTraffic.spans(from, MINUTES, TRACES_PER_MINUTE, 11);
    List<LlmSpan> severe = all.stream().filter(AlertRouter::severe).toList();
    assertThat(severe).as("severe policy violations in the traffic").hasSizeGreaterThanOrEqualTo(3);
    Map<String, Object> serde = Map.of("schema.registry.url", stack.schemaRegistryUrl());
    Serializer<LlmSpan> serializer = AvroSerdes.specific(LlmSpan.class, serde, false).serializer();
    List<AlertEvent> published = new ArrayList<>();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(), "acks", "all"),
        new StringSerializer(), new ByteArraySerializer());
        KafkaConsumer<String, AlertEvent> consumer = reader(stack, names.group("reader"), AvroSerdes.specific(AlertEvent.class, serde, false)
            .deserializer())) {
      consumer.subscribe(Set.of(topics.get("llmtrace.topics.alerts")));
      Process first = ChildJvm.start(MetricsApp.class, settings, log);
      try {
        produce(producer, spansTopic, serializer, all.subList(0, all.size() / 2));
        // kill it once the first window episodes are open, while the next spans stream in
        Await.until(Duration.ofSeconds(120), "the first window rule FIRING events", () -> poll(consumer, published)
            && published.stream().filter(e -> e.getRuleId().equals("llm_error_spike") && e.getState() == AlertState.FIRING).count() >= 2);
        produce(producer, spansTopic, serializer, all.subList(all.size() / 2, all.size() * 3 / 4));
        first.destroyForcibly().waitFor();
      } finally {
        first.destroyForcibly();
      }
      int beforeKill = published.size();
      Process second = ChildJvm.start(MetricsApp.class, settings, log);
      try {
        produce(producer, spansTopic, serializer, all.subList(all.size() * 3 / 4, all.size()));
        produce(producer, spansTopic, serializer, closers(all.get(all.size() - 1)));
        // the oracle: the windows the metrics topic holds once every minute is closed, through the alert app's topology
        List<String> expected = oracle(stack, topics.get("llmtrace.topics.metrics"), serde, severe);
        assertThat(expected).filteredOn(e -> e.startsWith("llm_error_spike:") && e.endsWith(" FIRING")).hasSize(4);
        assertThat(expected).filteredOn(e -> e.startsWith("llm_error_spike:") && e.endsWith(" RESOLVED")).hasSize(4);
        assertThat(expected).filteredOn(e -> e.startsWith("severe_policy_violation:")).isNotEmpty();
        try {
          Await.until(Duration.ofSeconds(120), "every transition of the oracle", () -> poll(consumer, published)
              && published.size() >= expected.size());
        } finally {
          poll(consumer, published);
        }
        assertThat(beforeKill).as("events committed before the kill").isGreaterThan(0).isLessThan(expected.size());
        List<String> got = published.stream().map(EmbeddedAlertsKillIT::describe).toList();
        assertThat(got).as("published (read_committed) vs the alert app's topology over the committed windows; log %s", log)
            .containsExactlyInAnyOrderElementsOf(expected);
      } finally {
        second.destroy();
        second.waitFor();
      }
    }
  }

  /** An episode's transition, without the values a minute's windows give when only some partitions' have arrived. */
  private static String describe(AlertEvent e) {
    return e.getAlertId() + " " + e.getState();
  }

  /** Every window on the metrics topic (read_committed) once the closers' minutes are out, minute by minute through AlertDriver. */
  private static List<String> oracle(StackEndpoints stack, String metricsTopic, Map<String, Object> serde, List<LlmSpan> severe) {
    Deserializer<MetricWindow> windows = AvroSerdes.specific(MetricWindow.class, serde, false).deserializer();
    TreeMap<Instant, List<MetricWindow>> byMinute = new TreeMap<>();
    try (KafkaConsumer<String, MetricWindow> consumer = reader(stack, "oracle-" + metricsTopic, windows)) {
      consumer.subscribe(Set.of(metricsTopic));
      // the last traffic minute's windows are out when every partition's shard of it is (3 shards per group)
      Await.until(Duration.ofSeconds(150), "the last minute's windows on the metrics topic", () -> {
        for (ConsumerRecord<String, MetricWindow> record : consumer.poll(Duration.ofMillis(200))) {
          byMinute.computeIfAbsent(record.value().getWindowStart(), k -> new ArrayList<>()).add(record.value());
        }
        return byMinute.size() >= MINUTES && byMinute.lastEntry().getValue().stream().map(MetricWindow::getShard).distinct().count() == 3;
      });
    }
    List<String> expected = new ArrayList<>();
    try (AlertDriver driver = new AlertDriver(EmbeddedAlertsTraffic.rules())) {
      severe.forEach(driver::pipe);
      byMinute.values().forEach(driver::minute);
      driver.tick(Duration.ofSeconds(1));
      driver.seen.forEach(e -> expected.add(describe(e)));
    }
    return expected;
  }

  /** A span a few minutes after the last in each partition (each task has its own watermark): it closes the last windows. */
  private static List<LlmSpan> closers(LlmSpan last) {
    Instant later = last.getStartTime().plus(Duration.ofMinutes(3));
    List<LlmSpan> closers = new ArrayList<>();
    for (int n = 0, partition = 0; partition < 3; n++) {
      String traceId = String.format("%032x", 0xc105e000L + n);
      if (Utils.toPositive(Utils.murmur2(traceId.getBytes(StandardCharsets.UTF_8))) % 3 == partition) {
        closers.add(LlmSpan.newBuilder(last).setTraceId(traceId).setSpanId("00000000000000c1").setParentSpanId(null).setKind(SpanKind.WORKFLOW)
            .setStatus(SpanStatus.OK).setPolicySeverity(null).setStartTime(later).setEndTime(later).build());
        partition++;
      }
    }
    return closers;
  }

  private static <V> KafkaConsumer<String, V> reader(StackEndpoints stack, String group, Deserializer<V> values) {
    return new KafkaConsumer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(), "group.id", group, "auto.offset.reset", "earliest",
        "isolation.level", "read_committed"), new StringDeserializer(), values);
  }

  private static void produce(KafkaProducer<String, byte[]> producer, String topic, Serializer<LlmSpan> serializer, List<LlmSpan> spans) {
    for (LlmSpan span : spans) {
      producer.send(new ProducerRecord<>(topic, span.getTraceId(), serializer.serialize(topic, span)));
    }
    producer.flush();
  }

  private static boolean poll(KafkaConsumer<String, AlertEvent> consumer, List<AlertEvent> published) {
    for (ConsumerRecord<String, AlertEvent> record : consumer.poll(Duration.ofMillis(200))) {
      published.add(record.value());
    }
    return true;
  }
}
