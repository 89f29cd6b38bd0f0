package io.llmtrace.processors.review;

import static io.llmtrace.processors.review.ReviewFixtures.T0;
import static io.llmtrace.processors.review.ReviewFixtures.alert;
import static io.llmtrace.processors.review.ReviewFixtures.decision;
import static io.llmtrace.processors.review.ReviewFixtures.failedTrace;
import static io.llmtrace.processors.review.ReviewFixtures.nextVersion;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.processors.common.StreamsRunner;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertSeverity;
import io.llmtrace.schemas.avro.AlertState;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.ReviewItem;
import io.llmtrace.schemas.avro.ReviewStatus;
import io.llmtrace.schemas.avro.TraceSummary;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.schemas.serde.AvroSerdes;
import io.llmtrace.schemas.testing.TestSpans;
import io.llmtrace.stack.Await;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * The review queue as deployed ({@link ReviewApp}, exactly_once_v2, the shipped queue file) against the real
 * broker and registry, inputs with different partition counts (traces 3, spans 2, alerts 1), and a restart on
 * an empty state directory in the middle: what was queued before is restored from the changelog, so a trace's
 * later version is not queued again and a decision finds the items queued before the restart.
 */
@ExtendWith(LocalStackExtension.class)
class ReviewQueueIT {

  private static final Pattern DUPLICATES = Pattern.compile("llmtrace_review_duplicates_total\\{[^}]*reason=\"failed_evaluation\"[^}]*} (\\S+)");

  @Test
  void queuesOnceAcrossARestartAndDecidesWhatWasQueuedBefore(StackEndpoints stack, TestNames names) throws Exception {
    Map<String, String> topics = Map.of("llmtrace.topics.traces", names.topic("traces"), "llmtrace.topics.redacted", names.topic("redacted"),
        "llmtrace.topics.alerts", names.topic("alerts"), "llmtrace.topics.review", names.topic("review"),
        "llmtrace.topics.dead-letters", names.topic("dlq"));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.createTopics(List.of(new NewTopic(names.topic("traces"), 3, (short) 1), new NewTopic(names.topic("redacted"), 2, (short) 1),
          new NewTopic(names.topic("alerts"), 1, (short) 1), new NewTopic(names.topic("review"), 1, (short) 1),
          new NewTopic(names.topic("dlq"), 1, (short) 1))).all().get();
    }
    Map<String, String> settings = new HashMap<>(topics);
    settings.putAll(Map.of("llmtrace.kafka.bootstrap", stack.kafkaBootstrap(), "llmtrace.schema.registry.url", stack.schemaRegistryUrl(),
        "llmtrace.review.application-id", names.group("review"), "llmtrace.review.admin.host", "127.0.0.1",
        "llmtrace.review.admin.port", "0"));
    // the fixtures' times are fixed (ReviewFixtures.T0) while stream time is the wall clock's: without a long
    // retention, the sweep would forget their items once T0 is more than the default 30 days ago
    settings.put("llmtrace.review.retention", "3650d");
    Map<String, Object> serde = Map.of("schema.registry.url", stack.schemaRegistryUrl());
    Serializer<TraceSummary> traces = AvroSerdes.specific(TraceSummary.class, serde, false).serializer();
    Serializer<LlmSpan> spans = AvroSerdes.specific(LlmSpan.class, serde, false).serializer();
    Serializer<AlertEvent> alerts = AvroSerdes.specific(AlertEvent.class, serde, false).serializer();
    TraceSummary first = failedTrace(1).build();
    String a = first.getTraceId();
    String b = TestSpans.traceId(2);
    // the shipped file samples 5% of a new prompt version's traces: a is not one of them, so it has one trace reason
    assertThat(Sampling.point(a, ReviewReason.SAMPLED_PROMPT_VERSION)).isGreaterThanOrEqualTo(0.05);

    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(), "acks", "all"),
        new StringSerializer(), new ByteArraySerializer());
        KafkaConsumer<String, ReviewItem> consumer = consumer(stack, names.topic("review"), serde)) {
      List<ReviewItem> seen = new ArrayList<>();

      // Given trace a queued for its failed evaluation, and a and b as examples of a firing alert
      settings.put("llmtrace.streams.state.dir", Files.createTempDirectory("review-state-1").toString());
      try (StreamsRunner queue = ReviewApp.start(Settings.of(settings))) {
        producer.send(new ProducerRecord<>(names.topic("traces"), a, traces.serialize(names.topic("traces"), first))).get();
        producer.send(new ProducerRecord<>(names.topic("alerts"), "p95/e1", alerts.serialize(names.topic("alerts"),
            alert("p95/e1", AlertState.FIRING, AlertSeverity.PAGE, T0.plusSeconds(60), a, b)))).get();
        readUntil(consumer, seen, 3);
      }
      assertThat(seen).extracting(i -> i.getTraceId() + " " + i.getReason() + " " + i.getStatus())
          .containsExactlyInAnyOrder(a + " failed_evaluation OPEN", a + " alert_example OPEN", b + " alert_example OPEN");

      // When the queue restarts on an empty state directory, and a's next version and a decision on a arrive
      settings.put("llmtrace.streams.state.dir", Files.createTempDirectory("review-state-2").toString());
      try (StreamsRunner queue = ReviewApp.start(Settings.of(settings))) {
        producer.send(new ProducerRecord<>(names.topic("traces"), a, traces.serialize(names.topic("traces"),
            nextVersion(first, Duration.ofMinutes(1)).build()))).get();
        Instant decidedAt = T0.plusSeconds(3_600);
        producer.send(new ProducerRecord<>(names.topic("redacted"), a, spans.serialize(names.topic("redacted"),
            decision(1, "hallucinated", "cites a refund policy that does not exist", decidedAt)))).get();

        // Then both of a's items are decided, and its next version queued nothing
        readUntil(consumer, seen, 5);
        Await.until(Duration.ofSeconds(60), "trace a's version 2 counted as a duplicate", () -> duplicates(queue.adminPort()) >= 1);
      }
      assertThat(seen.subList(3, seen.size())).extracting(i -> i.getTraceId() + " " + i.getReason() + " " + i.getStatus() + " v"
              + i.getVersion() + " " + i.getDecisionLabel())
          .containsExactlyInAnyOrder(a + " failed_evaluation DECIDED v2 hallucinated", a + " alert_example DECIDED v2 hallucinated");
      // and the topic holds exactly those five versions
      try (KafkaConsumer<String, ReviewItem> again = consumer(stack, names.topic("review"), serde)) {
        List<ReviewItem> all = new ArrayList<>();
        readUntil(again, all, 5);
        Await.until(Duration.ofSeconds(30), "the end of the review topic", () -> {
          again.poll(Duration.ofMillis(200)).forEach(r -> all.add(r.value()));
          return again.assignment().stream().allMatch(p -> again.position(p) >= again.endOffsets(Set.of(p)).get(p));
        });
        assertThat(all).hasSize(5);
        assertThat(all).filteredOn(i -> i.getStatus() == ReviewStatus.DECIDED).hasSize(2);
      }
    }
  }

  private static KafkaConsumer<String, ReviewItem> consumer(StackEndpoints stack, String topic, Map<String, Object> serde) {
    KafkaConsumer<String, ReviewItem> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(),
        "group.id", topic + ".reader." + System.nanoTime(), "auto.offset.reset", "earliest", "isolation.level", "read_committed"),
        new StringDeserializer(), AvroSerdes.specific(ReviewItem.class, serde, false).deserializer());
    consumer.subscribe(Set.of(topic));
    return consumer;
  }

  private static void readUntil(KafkaConsumer<String, ReviewItem> consumer, List<ReviewItem> seen, int count) {
    Await.until(Duration.ofSeconds(120), count + " review item version(s)", () -> {
      for (ConsumerRecord<String, ReviewItem> record : consumer.poll(Duration.ofMillis(200))) {
        assertThat(record.key()).isEqualTo(record.value().getTraceId());
        seen.add(record.value());
      }
      return seen.size() >= count;
    });
  }

  /** The queue's duplicates counter for failed_evaluation, from its /metrics. */
  private static double duplicates(int adminPort) {
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      Matcher m = DUPLICATES.matcher(response.body());
      return m.find() ? Double.parseDouble(m.group(1)) : 0;
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }
}
