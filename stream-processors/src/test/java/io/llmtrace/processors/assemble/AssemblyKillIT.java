package io.llmtrace.processors.assemble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.llmtrace.schemas.avro.Cost;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.TraceSummary;
import io.llmtrace.schemas.serde.AvroSerdes;
import io.llmtrace.schemas.testing.TestTraces;
import io.llmtrace.stack.Await;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.ChildJvm;
import io.llmtrace.stack.junit.TestNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The assembly application as its own process against the real broker and registry, killed with SIGKILL
 * (no close, no commit) while traces stream in, then started again; then late spans for some traces.
 * Every trace is emitted, its versions are 1..k with none twice (read_committed, as consumers read), and
 * its last version's totals are those of the spans sent — counted here from the spans, not by the code
 * under test.
 */
@ExtendWith(LocalStackExtension.class)
class AssemblyKillIT {

  private static final int TRACES = 600;
  private static final int LATE = 40;

  @Test
  void killedMidStreamAndRestartedEmitsEveryTraceWithConsecutiveVersionsAndExactTotals(StackEndpoints stack, TestNames names)
      throws Exception {
    String spansTopic = names.topic("redacted");
    String tracesTopic = names.topic("traces");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.createTopics(List.of(new NewTopic(spansTopic, 3, (short) 1), new NewTopic(tracesTopic, 3, (short) 1),
          new NewTopic(names.topic("dlq"), 1, (short) 1))).all().get();
    }
    Map<String, String> settings = new HashMap<>(Map.of(
        "llmtrace.kafka.bootstrap", stack.kafkaBootstrap(),
        "llmtrace.schema.registry.url", stack.schemaRegistryUrl(),
        "llmtrace.assembly.application-id", names.group("assembly"),
        "llmtrace.assembly.admin.port", "0",
        "llmtrace.topics.redacted", spansTopic,
        "llmtrace.topics.traces", tracesTopic,
        "llmtrace.topics.dead-letters", names.topic("dlq"),
        "llmtrace.assembly.inactivity-gap", "3s",
        "llmtrace.assembly.punctuate-interval", "200ms",
        "llmtrace.streams.state.dir", Files.createTempDirectory("assembly-state").toString()));
    settings.put("llmtrace.streams.session.timeout.ms", "6000");
    Path log = Files.createTempFile("assembly-kill", ".log");

    Random random = new Random(42);
    Instant start = Instant.now().minusSeconds(60);
    List<List<LlmSpan>> traces = new ArrayList<>();
    for (int i = 0; i < TRACES; i++) {
      traces.add(TestTraces.random(random, String.format("%032x", 0xa55e0000L + i), start.plusMillis(i * 10L)));
    }
    Map<String, Object> serde = Map.of("schema.registry.url", stack.schemaRegistryUrl());
    Serializer<LlmSpan> spans = AvroSerdes.specific(LlmSpan.class, serde, false).serializer();
    Map<String, List<TraceSummary>> emitted = new TreeMap<>();

    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(),
        "acks", "all"), new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer());
        KafkaConsumer<String, TraceSummary> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(),
            "group.id", names.group("reader"), "auto.offset.reset", "earliest", "isolation.level", "read_committed"),
            new StringDeserializer(), AvroSerdes.specific(TraceSummary.class, serde, false).deserializer())) {
      consumer.subscribe(Set.of(tracesTopic));

      // Given the first half of the traces, and the application killed once it has emitted some of them
      Process first = ChildJvm.start(AssemblyApp.class, settings, log);
      try {
        produce(producer, spansTopic, spans, traces.subList(0, TRACES / 2));
        Await.until(Duration.ofSeconds(120), "the first process to emit traces", () -> poll(consumer, emitted) && emitted.size() >= 50);
        produce(producer, spansTopic, spans, traces.subList(TRACES / 2, TRACES * 3 / 4));
        first.destroyForcibly().waitFor();
      } finally {
        first.destroyForcibly();
      }
      assertThat(emitted.size()).as("killed mid-stream").isLessThan(TRACES);

      // When it restarts and the rest arrives, and then a late span for some traces already emitted
      Process second = ChildJvm.start(AssemblyApp.class, settings, log);
      try {
        produce(producer, spansTopic, spans, traces.subList(TRACES * 3 / 4, TRACES));
        Await.until(Duration.ofSeconds(180), "every trace emitted", () -> poll(consumer, emitted) && emitted.size() == TRACES);
        List<List<LlmSpan>> late = new ArrayList<>();
        for (int i = 0; i < LATE; i++) {
          List<LlmSpan> trace = traces.get(i * (TRACES / LATE));
          LlmSpan extra = LlmSpan.newBuilder(trace.get(trace.size() - 1)).setSpanId(trace.get(0).getSpanId().substring(0, 14) + "ff")
              .setCost(Cost.newBuilder().setAmount(0.5).setSource(io.llmtrace.schemas.avro.CostSource.REPORTED).build()).build();
          trace.add(extra);
          late.add(List.of(extra, trace.get(1))); // the new span, and a duplicate of an old one
        }
        produce(producer, spansTopic, spans, late);
        Await.until(Duration.ofSeconds(120), "the late spans' versions", () -> poll(consumer, emitted)
            && late.stream().allMatch(l -> emitted.get(l.get(0).getTraceId()).size() >= 2));
        // anything emitted twice would come right behind: read until nothing has come for a few gaps
        long quietUntil = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        while (System.nanoTime() < quietUntil) {
          poll(consumer, emitted);
        }
      } finally {
        second.destroy();
        second.waitFor();
      }
    }

    // Then
    Set<String> lateIds = new HashSet<>();
    for (int i = 0; i < LATE; i++) {
      lateIds.add(traces.get(i * (TRACES / LATE)).get(0).getTraceId());
    }
    assertThat(emitted).hasSize(TRACES);
    for (List<LlmSpan> trace : traces) {
      String id = trace.get(0).getTraceId();
      List<TraceSummary> versions = emitted.get(id);
      // 1..k, none twice; a late span after the first emission makes at least a second version. (On a loaded
      // machine a stall of more than the gap between two spans of one trace can also emit an early version:
      // allowed, as long as the versions are consecutive and the last one is exact.)
      assertThat(versions).extracting(TraceSummary::getVersion).as(id)
          .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, versions.size()).boxed().toList());
      if (lateIds.contains(id)) {
        assertThat(versions).as(id).hasSizeGreaterThanOrEqualTo(2);
      }
      TraceSummary last = versions.get(versions.size() - 1);
      assertThat(last.getSpanCount()).as(id).isEqualTo(trace.size());
      assertThat(last.getInputTokens()).as(id).isEqualTo(trace.stream().mapToLong(s -> s.getUsage() == null ? 0 : s.getUsage().getInputTokens()).sum());
      double cost = trace.stream().mapToDouble(s -> s.getCost() == null ? 0 : s.getCost().getAmount()).sum();
      boolean priced = trace.stream().anyMatch(s -> s.getCost() != null);
      if (priced) {
        assertThat(last.getTotalCost()).as(id).isCloseTo(cost, within(1e-9));
      } else {
        assertThat(last.getTotalCost()).as(id).isNull();
      }
      assertThat(last.getErrorCount()).as(id).isEqualTo((int) trace.stream().filter(s -> s.getStatus().name().equals("ERROR")).count());
    }
  }

  private static boolean poll(KafkaConsumer<String, TraceSummary> consumer, Map<String, List<TraceSummary>> emitted) {
    for (ConsumerRecord<String, TraceSummary> record : consumer.poll(Duration.ofMillis(200))) {
      emitted.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record.value());
    }
    return true;
  }

  private static void produce(KafkaProducer<String, byte[]> producer, String topic, Serializer<LlmSpan> spans, List<List<LlmSpan>> traces)
      throws Exception {
    for (List<LlmSpan> trace : traces) {
      for (LlmSpan span : trace) {
        producer.send(new ProducerRecord<>(topic, span.getTraceId(), spans.serialize(topic, span)));
      }
    }
    producer.flush();
  }
}
