package io.llmtrace.processors.alert.forward;

import static io.llmtrace.processors.common.TestMeters.counter;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertState;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.schemas.serde.AvroSerdes;
import io.llmtrace.schemas.testing.TestRecords;
import io.llmtrace.schemas.testing.TestSpans;
import io.llmtrace.stack.AlertmanagerServer;
import io.llmtrace.stack.Await;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forwarder against the real broker, registry and a real Alertmanager whose webhook receiver is this test:
 * two episodes fire, one is reminded of, the forwarder restarts, both resolve. Each episode reaches the webhook
 * exactly once firing and once resolved, with the mapped labels and annotations.
 */
@ExtendWith(LocalStackExtension.class)
class AlertmanagerForwarderIT {

  private static final Duration RESEND = Duration.ofSeconds(3);
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void eachEpisodeNotifiesOnceFiringAndOnceResolvedAcrossAReminderAndARestart(StackEndpoints stack, TestNames names, @TempDir Path dir)
      throws Exception {
    String topic = names.topic("alerts");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    AlertEvent firingA = episode("ep-a", "support_chatbot", AlertState.FIRING, now);
    AlertEvent firingB = episode("ep-b", "search_assistant", AlertState.FIRING, now);

    try (AlertmanagerWebhook webhook = AlertmanagerWebhook.start();
        AlertmanagerServer alertmanager = AlertmanagerServer.start(dir, AlertmanagerServer.Routing.toWebhook(webhook.url()));
        KafkaProducer<String, AlertEvent> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(), "acks", "all"),
            new StringSerializer(), AvroSerdes.specific(AlertEvent.class, Map.of("schema.registry.url", stack.schemaRegistryUrl()), false)
                .serializer())) {
      AlertmanagerForwarderConfig config = AlertmanagerForwarderConfig.from(Settings.of(Map.of(
          "llmtrace.kafka.bootstrap", stack.kafkaBootstrap(),
          "llmtrace.schema.registry.url", stack.schemaRegistryUrl(),
          "llmtrace.topics.alerts", topic,
          "llmtrace.alertmanager.url", alertmanager.url(),
          "llmtrace.alertmanager.group-id", names.group("forwarder"),
          "llmtrace.alertmanager.admin.port", "0",
          "llmtrace.alertmanager.resend-interval", RESEND.toMillis() + "ms",
          "llmtrace.alertmanager.retry-backoff", "200ms")));
      AlertmanagerForwarder forwarder = AlertmanagerForwarder.start(config);
      try {
        Await.until(DEADLINE, "the forwarder to be assigned the topic's partitions", () -> forwarder.assignedPartitions() == 3);

        // When two episodes fire
        send(producer, topic, firingA, firingB);

        // Then each notifies once, firing, with the rule's labels and the runbook, action and trace ids
        Await.until(DEADLINE, "a firing notification per episode",
            () -> webhook.alerts("ep-a", "firing").size() == 1 && webhook.alerts("ep-b", "firing").size() == 1);
        AlertmanagerWebhook.Alert a = webhook.alerts("ep-a", "firing").get(0);
        assertThat(a.labels()).containsExactlyInAnyOrderEntriesOf(Map.of(
            "alertname", "p95-latency-critical-workflow", "severity", "page", "owner", "team-support-ai", "episode", "ep-a",
            "tenant_id", TestSpans.TENANT_ID, "feature_name", "support_chatbot"));
        assertThat(a.annotations())
            .containsEntry("runbook_url", "https://runbooks.example.com/llm/p95-latency")
            .containsEntry("action", "Check provider status, then the slowest span of the example traces.")
            .containsEntry("example_trace_ids", TestSpans.TRACE_ID + "," + TestSpans.traceId(2))
            .containsEntry("summary", "p95 8.4 s above 8 s for support_chatbot")
            .containsEntry("observed_value", "8400")
            .containsEntry("threshold", "8000");
        assertThat(Instant.parse(a.startsAt())).isEqualTo(firingA.getStartedAt());
        assertThat(webhook.notifications()).allSatisfy(n -> assertThat(n.alerts()).hasSize(1));

        // When episode A is reminded of
        double flushes = alertmanagerMetric(alertmanager, "alertmanager_nflog_queries_total");
        send(producer, topic, AlertEvent.newBuilder(firingA).setState(AlertState.RENOTIFY).setNotification(1).setMeasuredValue(9_000)
            .setFiredAt(now.plusSeconds(1)).build());
        Await.until(DEADLINE, "the reminder delivered",
            () -> counter(forwarder.meters(), "llmtrace_alertmanager_events", "state", "renotify", "result", "delivered") == 1);
        // every flush of a group consults the notification log: both groups flushed several times since
        Await.until(DEADLINE, "Alertmanager to flush its groups after the reminder",
            () -> alertmanagerMetric(alertmanager, "alertmanager_nflog_queries_total") >= flushes + 6);

        // Then no second firing notification (repeat_interval is hours), but Alertmanager has the new annotations
        assertThat(webhook.alerts("ep-a", "firing")).hasSize(1);
        assertThat(activeAlerts(alertmanager)).anySatisfy(alert -> {
          assertThat(alert.get("labels").get("episode").asText()).isEqualTo("ep-a");
          assertThat(alert.get("annotations").get("observed_value").asText()).isEqualTo("9000");
        });
      } finally {
        forwarder.close();
      }

      // When the forwarder restarts with the same group: it reads the topic back and keeps both episodes firing
      AlertmanagerForwarder restarted = AlertmanagerForwarder.start(config);
      try {
        Await.until(DEADLINE, "the restarted forwarder to re-post both open episodes",
            () -> restarted.openEpisodes() == 2 && counter(restarted.meters(), "llmtrace_alertmanager_resent") >= 2);

        // and both episodes resolve
        Instant resolvedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        send(producer, topic, resolved(firingA, resolvedAt), resolved(firingB, resolvedAt));

        // Then each notifies once, resolved, ending when the episode ended
        Await.until(DEADLINE, "a resolved notification per episode",
            () -> webhook.alerts("ep-a", "resolved").size() == 1 && webhook.alerts("ep-b", "resolved").size() == 1);
        assertThat(Instant.parse(webhook.alerts("ep-b", "resolved").get(0).endsAt())).isEqualTo(resolvedAt);
        assertThat(webhook.alerts("ep-b", "resolved").get(0).labels()).containsEntry("feature_name", "search_assistant");

        // and nothing more can come: the forwarder holds no open episode, Alertmanager has dropped both groups
        Await.until(DEADLINE, "the forwarder to close both episodes", () -> restarted.openEpisodes() == 0);
        Await.until(Duration.ofSeconds(90), "Alertmanager to drop the resolved groups (its maintenance runs every 30 s)",
            () -> alertmanagerMetric(alertmanager, "alertmanager_dispatcher_aggregation_groups") == 0);
        assertThat(webhook.notifications()).hasSize(4);
        for (String episode : List.of("ep-a", "ep-b")) {
          assertThat(webhook.alerts(episode, "firing")).as(episode).hasSize(1);
          assertThat(webhook.alerts(episode, "resolved")).as(episode).hasSize(1);
        }
        assertThat(counter(restarted.meters(), "llmtrace_alertmanager_posts", "outcome", "rejected")).isZero();
        assertThat(counter(restarted.meters(), "llmtrace_alertmanager_events", "state", "resolved", "result", "delivered")).isEqualTo(2);
        String admin = "http://127.0.0.1:" + restarted.adminPort();
        assertThat(get(admin + "/health")).contains("\"status\":\"UP\"").contains("\"open_episodes\":0");
        assertThat(get(admin + "/metrics")).contains("llmtrace_alertmanager_posts_total{application=")
            .contains("llmtrace_alertmanager_open_episodes{").contains("kafka_consumer_fetch_manager_records_lag_max{");
      } finally {
        restarted.close();
      }
    }
  }

  private static AlertEvent episode(String alertId, String feature, AlertState state, Instant firedAt) {
    return AlertEvent.newBuilder(TestRecords.alertEvent())
        .setAlertId(alertId)
        .setState(state)
        .setGroupDimensions(Map.of("tenant_id", TestSpans.TENANT_ID, "feature_name", feature))
        .setSummary("p95 8.4 s above 8 s for " + feature)
        .setStartedAt(firedAt.minusSeconds(300))
        .setFiredAt(firedAt)
        .build();
  }

  private static AlertEvent resolved(AlertEvent firing, Instant at) {
    return AlertEvent.newBuilder(firing).setState(AlertState.RESOLVED).setResolvedAt(at).setFiredAt(at).build();
  }

  private static void send(KafkaProducer<String, AlertEvent> producer, String topic, AlertEvent... events) throws Exception {
    for (AlertEvent event : events) {
      producer.send(new ProducerRecord<>(topic, event.getAlertId(), event)).get();
    }
  }

  /** One sample of Alertmanager's own Prometheus metrics (an unlabelled series). */
  private static double alertmanagerMetric(AlertmanagerServer alertmanager, String name) {
    String text = get(alertmanager.url() + "/metrics");
    return text.lines().filter(line -> line.startsWith(name + " ")).mapToDouble(line -> Double.parseDouble(line.substring(name.length() + 1)))
        .findFirst().orElseThrow(() -> new IllegalStateException("no " + name + " in Alertmanager's metrics"));
  }

  private static List<JsonNode> activeAlerts(AlertmanagerServer alertmanager) throws Exception {
    JsonNode alerts = JSON.readTree(get(alertmanager.url() + "/api/v2/alerts?active=true"));
    return java.util.stream.StreamSupport.stream(alerts.spliterator(), false).toList();
  }

  private static String get(String url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (Exception e) {
      throw new IllegalStateException("GET " + url + ": " + e, e);
    }
  }
}
