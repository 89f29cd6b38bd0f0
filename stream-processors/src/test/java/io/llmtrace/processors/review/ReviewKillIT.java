package io.llmtrace.processors.review;

import static io.llmtrace.processors.review.ReviewFixtures.T0;
import static io.llmtrace.processors.review.ReviewFixtures.alert;
import static io.llmtrace.processors.review.ReviewFixtures.decision;
import static io.llmtrace.processors.review.ReviewFixtures.failedTrace;
import static io.llmtrace.processors.review.ReviewFixtures.nextVersion;
import static io.llmtrace.processors.review.ReviewFixtures.outcome;
import static io.llmtrace.processors.review.ReviewFixtures.quietTrace;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertSeverity;
import io.llmtrace.schemas.avro.AlertState;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.ReviewItem;
import io.llmtrace.schemas.avro.ReviewStatus;
import io.llmtrace.schemas.avro.TraceSummary;
import io.llmtrace.schemas.serde.AvroSerdes;
import io.llmtrace.schemas.testing.TestSpans;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The review queue as its own process ({@link ReviewApp}, the shipped queue file) against the real broker and
 * registry, killed with SIGKILL in the middle of a chunk of input, input still coming while it is down, then
 * started again on the same application id and state directory. What {@code llm.review} holds (read_committed)
 * is exactly what the same input gives through the topology without a kill — the oracle, a {@link ReviewDriver}
 * fed every record in the order it was sent: each (item id, version) once, none missing, each version equal.
 *
 * <p>The input is such that the result does not depend on how the three topics interleave: a trace's
 * versions share a partition, alerts have one, an alert names only traces with no other reason (an alert
 * example copies a sibling item's context, which would depend on which came first), and a reviewer decides a
 * trace only after what the oracle queued for it is visible in {@code llm.review} — as a person would.
 *
 * <p>The queue's own output mostly survives a replay anyway (a candidate already stored, or a decision an item
 * already carries, publishes nothing); losing its store does not (a decision then finds no item). Dead
 * letters have nothing to be deduplicated on, so undecodable records trickle in around the kill and the
 * dead-letter topic is compared too: that is where at-least-once processing would show.
 */
@ExtendWith(LocalStackExtension.class)
class ReviewKillIT {

  private static final int GROUPS = 24;
  private static final int PER_GROUP = 20;
  /** The first process is killed half-way through sending this chunk; the second starts before chunk RESTART_AT. */
  private static final int KILL_AT = 8;
  private static final int RESTART_AT = 12;
  /**
   * Nothing is forgotten here: the fixtures' event time is fixed, the real run's stream time is the wall clock
   * (the local broker keeps a day, so records carry their send time), and the oracle's is event time.
   */
  private static final ReviewConfig.State STATE = new ReviewConfig.State(Duration.ofDays(3_650), ReviewConfig.DEFAULT_SWEEP_INTERVAL);

  /** What a chunk sends besides decisions. */
  private sealed interface Input permits Summary, Alert, Poison {}

  private record Summary(TraceSummary trace) implements Input {}

  private record Alert(AlertEvent event) implements Input {}

  /** Bytes that are no Avro record, for the dead letters. */
  private record Poison(String key) implements Input {}

  @Test
  void killedMidStreamItPublishesEveryItemVersionOnceAndEndsWhereTheRunWithoutAKillEnds(StackEndpoints stack, TestNames names)
      throws Exception {
    Map<String, String> topics = Map.of("llmtrace.topics.traces", names.topic("traces"), "llmtrace.topics.redacted",
        names.topic("redacted"), "llmtrace.topics.alerts", names.topic("alerts"), "llmtrace.topics.review", names.topic("review"),
        "llmtrace.topics.dead-letters", names.topic("dlq"));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.createTopics(List.of(new NewTopic(names.topic("traces"), 3, (short) 1), new NewTopic(names.topic("redacted"), 2, (short) 1),
          new NewTopic(names.topic("alerts"), 1, (short) 1), new NewTopic(names.topic("review"), 2, (short) 1),
          new NewTopic(names.topic("dlq"), 1, (short) 1))).all().get();
    }
    Map<String, String> settings = new HashMap<>(topics);
    settings.putAll(Map.of(
        "llmtrace.kafka.bootstrap", stack.kafkaBootstrap(),
        "llmtrace.schema.registry.url", stack.schemaRegistryUrl(),
        "llmtrace.review.application-id", names.group("review"),
        "llmtrace.review.admin.host", "127.0.0.1",
        "llmtrace.review.admin.port", "0",
        "llmtrace.review.retention", STATE.retention().toDays() + "d",
        "llmtrace.streams.state.dir", Files.createTempDirectory("review-state").toString(),
        "llmtrace.streams.session.timeout.ms", "6000"));
    Path log = Files.createTempFile("review-kill", ".log");
    Map<String, Object> serde = Map.of("schema.registry.url", stack.schemaRegistryUrl());
    Deserializer<ReviewItem> items = AvroSerdes.specific(ReviewItem.class, serde, false).deserializer();

    long started = System.nanoTime();
    Deque<LlmSpan> pending = new ArrayDeque<>();
    int expectedAtKill;
    int seenAtKill;
    int sentAtKill;
    try (ReviewDriver oracle = new ReviewDriver(ReviewPolicy.bundled(), STATE);
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(), "acks", "all",
            "linger.ms", "5"), new StringSerializer(), new ByteArraySerializer());
        KafkaConsumer<String, ReviewItem> consumer = consumer(stack, names.group("reader"), "read_committed", items)) {
      consumer.subscribe(Set.of(names.topic("review")));
      Feed feed = new Feed(producer, oracle, names, serde);
      Published published = new Published(feed.expected, log);

      // Given the queue running and fed chunk after chunk: traces and alerts of a group, the next versions of
      // the group before, and the decisions of earlier groups as soon as what they decide is visible
      Process first = ChildJvm.start(ReviewApp.class, settings, log);
      Process second = null;
      try {
        for (int c = 0; c < KILL_AT; c++) {
          if (c == KILL_AT - 2) {
            Await.until(Duration.ofSeconds(90), "the first process to commit review items; log " + log, () -> published.poll(consumer)
                && published.size() >= 40);
          }
          feed.chunk(c, pending, published);
          published.poll(consumer);
        }

        // When it is killed half-way through a chunk that trickles in record by record (with more undecodable ones,
        // whose dead letters a replay would repeat), and input keeps coming while it is down
        List<Input> chunk = inputs(KILL_AT);
        for (int i = 0; i < chunk.size() / 2; i++) {
          if (i % 3 == 2) {
            feed.send(new Poison("poison-" + KILL_AT + "-" + i));
          }
          feed.send(chunk.get(i));
          producer.flush();
          published.poll(consumer, Duration.ofMillis(10));
        }
        first.destroyForcibly().waitFor();
        sentAtKill = feed.sent;
        expectedAtKill = feed.expected.size();
        Await.until(Duration.ofSeconds(30), "everything the killed process committed", () -> published.poll(consumer)
            && consumer.assignment().size() == 2 && consumer.endOffsets(consumer.assignment()).entrySet().stream()
                .allMatch(e -> consumer.position(e.getKey()) >= e.getValue()));
        seenAtKill = published.size();
        chunk.subList(chunk.size() / 2, chunk.size()).forEach(feed::send);
        feed.decide(KILL_AT, pending, published);
        for (int c = KILL_AT + 1; c < GROUPS + 2; c++) {
          if (c == RESTART_AT) {
            // and is started again on the same application id and state directory
            second = ChildJvm.start(ReviewApp.class, settings, log);
          }
          feed.chunk(c, pending, published);
          published.poll(consumer);
        }

        // Then every decision finds what it decides, and llm.review ends up with the oracle's versions (each one
        // is checked against the oracle as it is read: a version the oracle does not have, or one read twice, fails at once)
        try {
          Await.until(Duration.ofSeconds(60), "every decision sent; log " + log, () -> {
            published.poll(consumer);
            feed.release(pending, published);
            return pending.isEmpty();
          });
          Await.until(Duration.ofSeconds(60), feed.expected.size() + " item versions; log " + log, () -> published.poll(consumer)
              && published.size() >= feed.expected.size());
        } catch (IllegalStateException timedOut) {
          assertThat(published.keys).as("%s: what is missing", timedOut.getMessage())
              .containsExactlyInAnyOrderElementsOf(feed.expected.keySet());
          throw timedOut;
        }
        // a version published twice would be behind the last: read to the end of what is committed
        Await.until(Duration.ofSeconds(30), "the end of the review topic", () -> published.poll(consumer)
            && consumer.endOffsets(consumer.assignment()).entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue()));
      } finally {
        first.destroyForcibly();
        if (second != null) {
          second.destroy();
          if (!second.waitFor(30, TimeUnit.SECONDS)) {
            second.destroyForcibly();
          }
        }
      }

      assertThat(sentAtKill).as("killed while input was still being sent").isLessThan(feed.sent);
      assertThat(seenAtKill).as("killed after some output was committed, before all of it (log %s)", log)
          .isPositive().isLessThan(expectedAtKill);

      assertThat(published.keys).as("(item id, version) published, read_committed, vs the run without a kill; log %s", log)
          .doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(feed.expected.keySet());
      assertThat(published.last()).as("each item's last version").isEqualTo(last(feed.expected.values()));
      assertThat(published.inOrder).as("an item's versions are read in order").isTrue();

      // and the dead letters, read_committed, are those of the run without a kill
      List<String> deadLetters = new ArrayList<>();
      try (KafkaConsumer<String, byte[]> dlq = consumer(stack, names.group("dlq-reader"), "read_committed", new ByteArrayDeserializer())) {
        dlq.subscribe(Set.of(names.topic("dlq")));
        Await.until(Duration.ofSeconds(30), feed.deadLetters.size() + " dead letters", () -> {
          dlq.poll(Duration.ofMillis(200)).forEach(r -> deadLetters.add(r.key()));
          return deadLetters.size() >= feed.deadLetters.size() && dlq.endOffsets(dlq.assignment()).entrySet().stream()
              .allMatch(e -> dlq.position(e.getKey()) >= e.getValue());
        });
      }
      assertThat(deadLetters).containsExactlyInAnyOrderElementsOf(feed.deadLetters);

      // the run is what it claims to be: many items, every reason of the input, decisions, corrections
      Map<String, ReviewItem> last = last(feed.expected.values());
      assertThat(feed.expected).hasSizeGreaterThan(600);
      assertThat(last.values()).extracting(ReviewItem::getReason).contains("failed_evaluation", "negative_feedback",
          "low_judge_confidence", "high_risk_feature", "tool_call_limit", "alert_example", "reviewed");
      assertThat(last.values()).filteredOn(i -> i.getStatus() == ReviewStatus.DECIDED).hasSizeGreaterThan(200);
      assertThat(last.values()).filteredOn(i -> i.getVersion() == 3).hasSizeGreaterThan(20);
      assertThat(last.values()).filteredOn(i -> i.getStatus() == ReviewStatus.OPEN).hasSizeGreaterThan(50);
      System.out.printf("ReviewKillIT: %d records sent (%d before the kill), %d item versions (%d committed of %d due at the kill, "
              + "%d aborted records in llm.review), %d dead letters, %.1f s%n", feed.sent, sentAtKill, feed.expected.size(), seenAtKill,
          expectedAtKill, aborted(stack, names.topic("review"), published.size()), deadLetters.size(), (System.nanoTime() - started) / 1e9);
    }
  }

  /**
   * Chunk {@code c}: a record that is no Avro; the traces of group c (kind by index: 0 failed evaluation, 1
   * negative feedback, 2 low judge confidence, 3 high-risk feature, 4 too many tool calls, 5 failed and
   * negative, 6 failed then negative in its next version, 7 and 9 qualify for nothing, 8 not sent: only an
   * alert's example); the next versions of group c - 1; a reminder of group c - 1's alert naming a new
   * example, group c's alert firing and group c - 2's resolving.
   */
  private static List<Input> inputs(int c) {
    // dead letters have no item id to be deduplicated on: a record processed twice would show there
    List<Input> out = new ArrayList<>(List.of(new Poison("poison-" + c)));
    if (c < GROUPS) {
      for (int i = 0; i < PER_GROUP; i++) {
        long n = n(c, i);
        TraceSummary.Builder v1 = switch (i % 10) {
          case 0, 6 -> failedTrace(n);
          case 1 -> quietTrace(n).setNegativeFeedback(2).setFeedbackCount(3);
          case 2 -> quietTrace(n).setEvaluations(new HashMap<>(Map.of("faithfulness", outcome(1, 0, 0.31))));
          case 3 -> quietTrace(n).setFeatureName("refund_approval");
          case 4 -> quietTrace(n).setToolCalls(14);
          case 5 -> failedTrace(n).setNegativeFeedback(1).setFeedbackCount(1);
          case 8 -> null;
          default -> quietTrace(n);
        };
        if (v1 != null) {
          // no prompt versions: a new version's first-seen time is kept per task, so its detail depends on the partitioning
          out.add(new Summary(v1.setPromptVersionsUsed(new ArrayList<>()).build()));
        }
      }
    }
    if (c >= 1 && c <= GROUPS) {
      for (int i = 0; i < PER_GROUP; i++) {
        long n = n(c - 1, i);
        if (i % 10 == 5) { // the same reasons again: queues nothing
          out.add(new Summary(nextVersion(failedTrace(n).setNegativeFeedback(1).setFeedbackCount(1).setPromptVersionsUsed(new ArrayList<>())
              .build(), Duration.ofMinutes(2)).build()));
        } else if (i % 10 == 6) { // feedback came late: a new reason
          out.add(new Summary(nextVersion(failedTrace(n).setPromptVersionsUsed(new ArrayList<>()).build(), Duration.ofMinutes(2))
              .setNegativeFeedback(1).setFeedbackCount(1).build()));
        }
      }
    }
    if (c >= 1 && c <= GROUPS) {
      out.add(new Alert(episode(c - 1, AlertState.RENOTIFY, id(c - 1, 8), id(c - 1, 18), c < GROUPS ? id(c, 9) : id(c - 1, 9))));
    }
    if (c < GROUPS) {
      out.add(new Alert(episode(c, AlertState.FIRING, id(c, 8), id(c, 18), id(c, 9), id(c, 19))));
    }
    if (c >= 2 && c < GROUPS + 2) {
      out.add(new Alert(episode(c - 2, AlertState.RESOLVED, id(c - 2, 8))));
    }
    return out;
  }

  /** The reviewers' spans for group g, in the order they post them. */
  private static List<LlmSpan> decisions(int g) {
    List<LlmSpan> out = new ArrayList<>();
    for (int i = 0; i < PER_GROUP; i++) {
      long n = n(g, i);
      Instant at = T0.plus(Duration.ofHours(2)).plusSeconds(n);
      switch (i % 10) {
        case 0, 8 -> out.add(decision(n, "hallucinated", "cites a refund policy that does not exist", at));
        case 1 -> {
          out.add(decision(n, "meh", "not a label: decides nothing", at));
          out.add(decision(n, "incomplete", "answers half the question", at.plusSeconds(1)));
        }
        case 2, 7 -> out.add(decision(n, "correct", null, at));
        case 4 -> out.add(decision(n, "tool_error", "looped on the search tool", at));
        case 5 -> {
          LlmSpan early = decision(n, "correct", null, at);
          out.add(early);
          out.add(decision(n, "partially_correct", "on second look, the dates are wrong", at.plusSeconds(60)));
          out.add(early); // posted again after the correction: the later word stands
        }
        case 6 -> {
          LlmSpan unsafe = decision(n, "unsafe", "gives medical advice", at);
          out.add(unsafe);
          out.add(unsafe); // the same span twice
        }
        default -> { }
      }
    }
    return out;
  }

  private static AlertEvent episode(int g, AlertState state, String... examples) {
    AlertSeverity severity = List.of(AlertSeverity.PAGE, AlertSeverity.NOTIFY, AlertSeverity.REVIEW).get(g % 3);
    return AlertEvent.newBuilder(alert("episode-" + g, state, severity, T0.plusSeconds(60L * g + 30), examples))
        .setNotification(state == AlertState.FIRING ? 0 : 1).build();
  }

  private static long n(int group, int index) {
    return 1_000 + (long) group * PER_GROUP + index;
  }

  private static String id(int group, int index) {
    return TestSpans.traceId(n(group, index));
  }

  private static String key(ReviewItem item) {
    return item.getItemId() + " v" + item.getVersion();
  }

  private static Map<String, ReviewItem> last(Iterable<ReviewItem> versions) {
    Map<String, ReviewItem> last = new TreeMap<>();
    versions.forEach(i -> last.merge(i.getItemId(), i, (a, b) -> b.getVersion() > a.getVersion() ? b : a));
    return last;
  }

  private static <V> KafkaConsumer<String, V> consumer(StackEndpoints stack, String group, String isolation, Deserializer<V> values) {
    return new KafkaConsumer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(), "group.id", group, "auto.offset.reset", "earliest",
        "isolation.level", isolation), new StringDeserializer(), values);
  }

  /** Records in the topic that read_committed does not see: the output of the transaction the kill left open. */
  private static long aborted(StackEndpoints stack, String topic, int committed) {
    try (KafkaConsumer<String, byte[]> all = consumer(stack, topic + ".uncommitted", "read_uncommitted", new ByteArrayDeserializer())) {
      all.subscribe(Set.of(topic));
      long[] count = {0};
      Await.until(Duration.ofSeconds(30), "the end of " + topic + " read_uncommitted", () -> {
        count[0] += all.poll(Duration.ofMillis(200)).count();
        return !all.assignment().isEmpty() && all.endOffsets(all.assignment()).entrySet().stream()
            .allMatch(e -> all.position(e.getKey()) >= e.getValue());
      });
      return count[0] - committed;
    }
  }

  /**
   * What the queue published, read_committed, in the order read; each record checked as it is read against what
   * the oracle published by then (the oracle has seen every record the app has, so it has every right version).
   */
  private static final class Published {
    final List<ConsumerRecord<String, ReviewItem>> records = new ArrayList<>();
    final List<String> keys = new ArrayList<>();
    final Set<String> seen = new HashSet<>();
    private final Map<String, Integer> lastVersion = new HashMap<>();
    private final Map<String, ReviewItem> expected;
    private final Path log;
    boolean inOrder = true;

    Published(Map<String, ReviewItem> expected, Path log) {
      this.expected = expected;
      this.log = log;
    }

    boolean poll(KafkaConsumer<String, ReviewItem> consumer) {
      return poll(consumer, Duration.ofMillis(100));
    }

    boolean poll(KafkaConsumer<String, ReviewItem> consumer, Duration timeout) {
      for (ConsumerRecord<String, ReviewItem> record : consumer.poll(timeout)) {
        String key = key(record.value());
        records.add(record);
        keys.add(key);
        assertThat(seen.add(key)).as("%s read twice (log %s)", key, log).isTrue();
        assertThat(record.value()).as("%s as the run without a kill has it (log %s)", key, log).isEqualTo(expected.get(key));
        assertThat(record.key()).as("%s keyed by its trace", key).isEqualTo(record.value().getTraceId());
        Integer before = lastVersion.put(record.value().getItemId(), record.value().getVersion());
        inOrder &= before == null || before < record.value().getVersion();
      }
      return true;
    }

    int size() {
      return records.size();
    }

    Map<String, ReviewItem> last() {
      return ReviewKillIT.last(records.stream().map(ConsumerRecord::value).toList());
    }
  }

  /**
   * Sends each record to the broker and pipes it into the oracle, in the same order, and keeps what the oracle
   * published: per item version, and per trace (a decision waits until its trace's versions are visible).
   */
  private static final class Feed {
    final Map<String, ReviewItem> expected = new LinkedHashMap<>();
    final List<String> deadLetters = new ArrayList<>();
    int sent;
    private final Map<String, List<String>> byTrace = new HashMap<>();
    private final KafkaProducer<String, byte[]> producer;
    private final ReviewDriver oracle;
    private final String traces;
    private final String spans;
    private final String alerts;
    private final Serializer<TraceSummary> traceValues;
    private final Serializer<LlmSpan> spanValues;
    private final Serializer<AlertEvent> alertValues;

    Feed(KafkaProducer<String, byte[]> producer, ReviewDriver oracle, TestNames names, Map<String, Object> serde) {
      this.producer = producer;
      this.oracle = oracle;
      traces = names.topic("traces");
      spans = names.topic("redacted");
      alerts = names.topic("alerts");
      traceValues = AvroSerdes.specific(TraceSummary.class, serde, false).serializer();
      spanValues = AvroSerdes.specific(LlmSpan.class, serde, false).serializer();
      alertValues = AvroSerdes.specific(AlertEvent.class, serde, false).serializer();
    }

    /** Chunk c's inputs, then group c - 2's decisions join the waiting ones and those that may go, go. */
    void chunk(int c, Deque<LlmSpan> pending, Published published) {
      inputs(c).forEach(this::send);
      decide(c, pending, published);
    }

    void decide(int c, Deque<LlmSpan> pending, Published published) {
      if (c >= 2 && c - 2 < GROUPS) {
        pending.addAll(decisions(c - 2));
      }
      release(pending, published);
    }

    /** Sends, in order, the decisions on traces whose every version so far is visible; a trace's later ones wait with it. */
    void release(Deque<LlmSpan> pending, Published published) {
      Set<String> waiting = new HashSet<>();
      for (Iterator<LlmSpan> it = pending.iterator(); it.hasNext(); ) {
        LlmSpan span = it.next();
        String trace = span.getTraceId();
        if (waiting.contains(trace) || !published.seen.containsAll(byTrace.getOrDefault(trace, List.of()))) {
          waiting.add(trace);
          continue;
        }
        it.remove();
        producer.send(new ProducerRecord<>(spans, trace, spanValues.serialize(spans, span)));
        oracle.pipe(span);
        collect();
      }
      producer.flush();
    }

    void send(Input input) {
      if (input instanceof Summary s) {
        producer.send(new ProducerRecord<>(traces, s.trace().getTraceId(), traceValues.serialize(traces, s.trace())));
        oracle.pipe(s.trace());
      } else if (input instanceof Alert a) {
        producer.send(new ProducerRecord<>(alerts, a.event().getAlertId(), alertValues.serialize(alerts, a.event())));
        oracle.pipe(a.event());
      } else if (input instanceof Poison p) {
        byte[] bytes = "not an avro record".getBytes(StandardCharsets.UTF_8);
        producer.send(new ProducerRecord<>(traces, p.key(), bytes));
        oracle.traces.pipeInput(p.key(), bytes, T0);
      }
      collect();
    }

    private void collect() {
      sent++;
      for (TestRecord<String, ReviewItem> record : oracle.records()) {
        ReviewItem item = record.value();
        assertThat(expected.put(key(item), item)).as("the oracle publishes %s once", key(item)).isNull();
        byTrace.computeIfAbsent(item.getTraceId(), t -> new ArrayList<>()).add(key(item));
      }
      oracle.deadLetters.readKeyValuesToList().forEach(kv -> deadLetters.add(kv.key));
    }
  }
}
