package io.llmtrace.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.processors.aggregate.MetricsApp;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.schemas.serde.AvroSerdes;
import io.llmtrace.schemas.testing.TestTraces;
import io.llmtrace.sink.ClickHouseSink;
import io.llmtrace.sink.config.SinkConfig;
import io.llmtrace.stack.Await;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.ChildJvm;
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
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The metrics application as its own process, killed with SIGKILL in the middle of a stream of spans that
 * cover several minutes of event time, then started again; the sink writes both the spans and the metric
 * windows to ClickHouse. For every minute, the span count in {@code metrics_1m} equals the count of spans
 * the {@code spans} table holds for that minute: nothing lost to the kill, nothing counted twice.
 */
@ExtendWith(LocalStackExtension.class)
class MetricsKillIT {

  private static final int TRACES = 900;

  @Test
  void killedMidStreamTheWindowsStillCountEverySpanOnce(StackEndpoints stack, TestNames names) throws Exception {
    String spans = names.topic("redacted");
    String traces = names.topic("traces");
    String metrics = names.topic("metrics");
    String database = names.table("metricskill");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.createTopics(List.of(new NewTopic(spans, 3, (short) 1), new NewTopic(traces, 3, (short) 1), new NewTopic(metrics, 3, (short) 1),
          new NewTopic(names.topic("dlq"), 1, (short) 1))).all().get();
    }
    Map<String, String> settings = new HashMap<>(Map.of(
        "llmtrace.kafka.bootstrap", stack.kafkaBootstrap(),
        "llmtrace.schema.registry.url", stack.schemaRegistryUrl(),
        "llmtrace.metrics.application-id", names.group("metrics"),
        "llmtrace.metrics.admin.port", "0",
        "llmtrace.topics.redacted", spans,
        "llmtrace.topics.traces", traces,
        "llmtrace.topics.metrics", metrics,
        "llmtrace.topics.dead-letters", names.topic("dlq")));
    settings.putAll(Map.of(
        // windows close by event time only (a span three minutes on closes the last ones at the end); the
        // wall-clock close would close them all at the first pause, as these spans' times are minutes old
        "llmtrace.metrics.grace", "30s",
        "llmtrace.metrics.idle-close-after", "10m",
        "llmtrace.streams.state.dir", Files.createTempDirectory("metrics-state").toString()));
    settings.put("llmtrace.streams.session.timeout.ms", "6000");
    Path log = Files.createTempFile("metrics-kill", ".log");

    // Spans whose starts cover minutes -8 .. -3 from now, in time order, as a live stream sends them
    Random random = new Random(99);
    Instant from = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(8));
    List<LlmSpan> all = new ArrayList<>();
    for (int i = 0; i < TRACES; i++) {
      all.addAll(TestTraces.random(random, String.format("%032x", 0xbeef0000L + i), from.plusMillis(i * 300L)));
    }
    all.sort((a, b) -> a.getStartTime().compareTo(b.getStartTime()));
    Serializer<LlmSpan> serializer = AvroSerdes.specific(LlmSpan.class, Map.of("schema.registry.url", stack.schemaRegistryUrl()), false)
        .serializer();

    Map<String, String> sinkSettings = Map.of("llmtrace.kafka.bootstrap", stack.kafkaBootstrap(),
        "llmtrace.schema.registry.url", stack.schemaRegistryUrl(), "llmtrace.topics.redacted", spans, "llmtrace.topics.traces", traces,
        "llmtrace.topics.metrics", metrics, "llmtrace.clickhouse.url", stack.clickhouseUrl(), "llmtrace.clickhouse.database", database,
        "llmtrace.sink.group-id", names.group("sink"), "llmtrace.sink.admin.host", "127.0.0.1", "llmtrace.sink.admin.port", "0");
    try (ClickHouseSink sink = ClickHouseSink.start(SinkConfig.from(Settings.of(sinkSettings)));
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(), "acks", "all"),
            new StringSerializer(), new ByteArraySerializer())) {
      Process first = ChildJvm.start(MetricsApp.class, settings, log);
      try {
        produce(producer, spans, serializer, all.subList(0, all.size() / 2));
        // once the first windows are out, kill it while the rest streams in
        Await.until(Duration.ofSeconds(120), "the first windows in ClickHouse",
            () -> count(stack, database, "SELECT count() FROM metrics_1m") > 0);
        produce(producer, spans, serializer, all.subList(all.size() / 2, all.size() * 3 / 4));
        first.destroyForcibly().waitFor();
      } finally {
        first.destroyForcibly();
      }
      Process second = ChildJvm.start(MetricsApp.class, settings, log);
      try {
        produce(producer, spans, serializer, all.subList(all.size() * 3 / 4, all.size()));
        // one span three minutes on in each partition (each task has its own watermark) closes the last windows
        LlmSpan last = all.get(all.size() - 1);
        Instant later = last.getStartTime().plus(Duration.ofMinutes(3));
        List<LlmSpan> closers = new ArrayList<>();
        for (int n = 0, partition = 0; partition < 3; n++) {
          String traceId = String.format("%032x", 0xc105e000L + n);
          if (Utils.toPositive(Utils.murmur2(traceId.getBytes(StandardCharsets.UTF_8))) % 3 == partition) {
            closers.add(LlmSpan.newBuilder(last).setTraceId(traceId).setSpanId("00000000000000c1").setStartTime(later).setEndTime(later)
                .build());
            partition++;
          }
        }
        produce(producer, spans, serializer, closers);
        Instant closerMinute = later.truncatedTo(ChronoUnit.MINUTES);
        long expected = all.size();
        String windowed = "SELECT sum(observations) FROM metrics_1m FINAL WHERE level = 'llm.spans'";
        try {
          Await.until(Duration.ofSeconds(150), "every span counted in a closed window", () -> count(stack, database, windowed) == expected
              && count(stack, database, "SELECT count() FROM spans") == expected + 3);
        } catch (AssertionError | RuntimeException e) {
          // say how far it got
          assertThat(List.of(count(stack, database, windowed), count(stack, database, "SELECT count() FROM spans"),
              count(stack, database, "SELECT count() FROM dead_letters")))
              .as("windowed spans, spans, dead letters; per minute: %s vs %s", lines(stack, database, "SELECT toString(window_start),"
                  + " sum(observations) FROM metrics_1m FINAL WHERE level = 'llm.spans' GROUP BY window_start ORDER BY 1 FORMAT TSV"),
                  lines(stack, database, "SELECT toString(toStartOfMinute(start_time)), count() FROM spans GROUP BY 1 ORDER BY 1 FORMAT TSV"))
              .containsExactly(expected, expected + 3, 0L);
        }

        // Then per minute: windows' counts = the spans table's counts
        List<String> fromWindows = lines(stack, database, "SELECT toString(window_start), sum(observations) FROM metrics_1m FINAL"
            + " WHERE level = 'llm.spans' GROUP BY window_start ORDER BY window_start FORMAT TSV");
        List<String> fromSpans = lines(stack, database, "SELECT toString(toDateTime64(toStartOfMinute(start_time), 6, 'UTC')), count()"
            + " FROM spans WHERE start_time < toDateTime64('" + closerMinute.toString().replace("T", " ").replace("Z", "")
            + "', 6, 'UTC') GROUP BY 1 ORDER BY 1 FORMAT TSV");
        assertThat(fromWindows).hasSizeGreaterThanOrEqualTo(5).isEqualTo(fromSpans);
        // and per group: no window emitted twice with different counts (FINAL would hide a duplicate, so count rows)
        assertThat(count(stack, database, "SELECT count() FROM metrics_1m WHERE level = 'llm.spans'"))
            .isEqualTo(count(stack, database, "SELECT count() FROM metrics_1m FINAL WHERE level = 'llm.spans'"));
      } finally {
        second.destroy();
        second.waitFor();
      }
    }
  }

  private static void produce(KafkaProducer<String, byte[]> producer, String topic, Serializer<LlmSpan> serializer, List<LlmSpan> spans) {
    for (LlmSpan span : spans) {
      producer.send(new ProducerRecord<>(topic, span.getTraceId(), serializer.serialize(topic, span)));
    }
    producer.flush();
  }

  private static long count(StackEndpoints stack, String database, String query) {
    List<String> rows = lines(stack, database, query + " FORMAT TSV");
    try {
      return rows.isEmpty() || rows.get(0).isBlank() ? -1 : Long.parseLong(rows.get(0).strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static List<String> lines(StackEndpoints stack, String database, String query) {
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(stack.clickhouseUrl()
          + "/?database=" + database)).POST(HttpRequest.BodyPublishers.ofString(query.replace(" FORMAT TSV FORMAT TSV", " FORMAT TSV")))
          .build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? response.body().lines().toList() : List.of();
    } catch (Exception e) {
      return List.of();
    }
  }
}
