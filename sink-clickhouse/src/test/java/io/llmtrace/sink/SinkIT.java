package io.llmtrace.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.testing.TestSpans;
import io.llmtrace.stack.Await;
import io.llmtrace.stack.Stack;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.TestNames;
import io.llmtrace.stack.junit.LocalStackExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import io.llmtrace.sink.mapping.TableMapping;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sink against the real broker, registry and ClickHouse endpoint: every span becomes exactly one
 * row equal to it, bad records become dead letters, a half-finished batch is rebuilt and deduplicated,
 * and an outage of ClickHouse loses nothing.
 */
@ExtendWith(LocalStackExtension.class)
class SinkIT {

  /** Spans of every shape: fully populated, minimal (nulls everywhere), a RAG trace, an unknown cost, odd text. */
  static List<LlmSpan> spans(int count) {
    List<LlmSpan> spans = new ArrayList<>();
    for (int i = 0; spans.size() < count; i++) {
      List<LlmSpan> shapes = new ArrayList<>(List.of(TestSpans.fullyPopulated(), TestSpans.minimal()));
      shapes.addAll(TestSpans.ragTrace(TestSpans.traceId(i), TestSpans.START));
      shapes.add(TestSpans.unknownCost());
      LlmSpan odd = TestSpans.minimal();
      odd.setName("résumé ✓ 𝄞 \"quoted\" \\ tab\tnewline\n");
      odd.setErrorMessage("");
      odd.setAttributes(Map.of("", "empty key", "ключ", "значение"));
      shapes.add(odd);
      for (int s = 0; s < shapes.size() && spans.size() < count; s++) {
        LlmSpan span = SinkFixture.startedAgo(shapes.get(s), Duration.ofMinutes(10 + s));
        span.setTraceId(TestSpans.traceId(i));
        span.setSpanId(String.format("%08x%08x", i, s));
        spans.add(span);
      }
    }
    return spans;
  }

  @Test
  void writesEverySpanOnceAsARowEqualToIt(StackEndpoints stack, TestNames names) throws Exception {
    SinkFixture fixture = new SinkFixture(stack, names.topic("spans"), names.table("db"), names.group("sink"));
    fixture.createTopic(3);
    List<LlmSpan> spans = spans(1_000);
    fixture.produce(spans);

    try (ClickHouseSink sink = ClickHouseSink.start(fixture.config(Map.of()))) {
      Await.until(Duration.ofSeconds(60), "1000 rows", () -> fixture.count("SELECT count() FROM spans") >= spans.size());

      List<LlmSpan> rows = new ArrayList<>();
      for (JsonNode row : fixture.rows("SELECT * FROM spans SETTINGS output_format_json_named_tuples_as_objects = 1")) {
        rows.add(SpanRowReader.read(row));
      }
      Comparator<LlmSpan> bySpan = Comparator.comparing(LlmSpan::getSpanId);
      assertThat(rows).hasSize(spans.size());
      assertThat(rows.stream().sorted(bySpan).toList()).containsExactlyElementsOf(spans.stream().sorted(bySpan).toList());
      assertThat(fixture.count("SELECT uniqExact(kafka_partition, kafka_offset) FROM spans")).isEqualTo(spans.size());
      assertThat(fixture.count("SELECT uniqExact(kafka_partition) FROM spans")).isEqualTo(3);
      assertThat(fixture.count("SELECT countIf(abs(duration_ms - 812) < 0.001) FROM spans WHERE span_id LIKE '%00000001'"))
          .as("duration_ms is computed from the times of the minimal span").isEqualTo(fixture.count(
              "SELECT count() FROM spans WHERE span_id LIKE '%00000001'"));
      // the trace index answers with the bounds of each trace without reading spans
      JsonNode trace = fixture.rows("SELECT tenant_id, min(start_time) AS s, max(end_time) AS e, sum(span_count) AS n "
          + "FROM trace_index WHERE trace_id = '" + TestSpans.traceId(3) + "' GROUP BY tenant_id").get(0);
      assertThat(trace.get("n").asLong()).isEqualTo(8);
      // an unknown cost is stored as NULL, not 0: sums skip it and count(cost_amount) counts priced spans only
      long unknown = spans.stream().filter(s -> s.getCost() != null && s.getCost().getAmount() == null).count();
      assertThat(unknown).isPositive();
      assertThat(fixture.count("SELECT countIf(cost_amount IS NULL AND cost_source = 'UNKNOWN') FROM spans")).isEqualTo(unknown);
      assertThat(fixture.count("SELECT countIf(cost_amount = 0) FROM spans")).isZero();
      assertThat(fixture.count("SELECT count(cost_amount) FROM spans"))
          .isEqualTo(spans.stream().filter(s -> s.getCost() != null && s.getCost().getAmount() != null).count());

      // metrics count what was written; health reports ClickHouse reachable
      String metrics = get("http://127.0.0.1:" + sink.adminPort() + "/metrics");
      assertThat(metrics).contains("llmtrace_sink_rows_written_total{table=\"spans\"} 1000.0");
      assertThat(metrics).contains("llmtrace_sink_insert_seconds_count{table=\"spans\"}");
      assertThat(get("http://127.0.0.1:" + sink.adminPort() + "/health")).contains("\"status\":\"UP\"", "\"reachable\":true");
    }
  }

  @Test
  void poisonRecordsBecomeDeadLettersAndTheStreamContinues(StackEndpoints stack, TestNames names) throws Exception {
    SinkFixture fixture = new SinkFixture(stack, names.topic("spans"), names.table("db"), names.group("sink"));
    fixture.createTopic(1);
    List<LlmSpan> before = spans(5);
    List<LlmSpan> after = spans(12).subList(5, 12);
    fixture.produce(before);
    byte[] notAvro = "{\"trace_id\":\"json is not the contract\"}".getBytes(StandardCharsets.UTF_8);
    fixture.produceRaw(0, "k".getBytes(StandardCharsets.UTF_8), notAvro);
    byte[] unknownSchema = {0, 0x7f, 0x7f, 0x7f, 0x7f, 2, 4};
    fixture.produceRaw(0, null, unknownSchema);
    fixture.produce(after);

    try (ClickHouseSink sink = ClickHouseSink.start(fixture.config(Map.of()))) {
      Await.until(Duration.ofSeconds(60), "12 rows and 2 dead letters", () -> fixture.count("SELECT count() FROM spans") >= 12
          && fixture.count("SELECT count() FROM dead_letters") >= 2);
      assertThat(fixture.count("SELECT count() FROM spans")).isEqualTo(12);
      List<JsonNode> letters = fixture.rows("SELECT * FROM dead_letters ORDER BY offset");
      assertThat(letters).hasSize(2);
      assertThat(letters.get(0).get("offset").asLong()).isEqualTo(5);
      assertThat(letters.get(0).get("error_class").asText()).isEqualTo("undecodable");
      assertThat(letters.get(0).get("reason").asText()).contains("magic byte");
      assertThat(java.util.Base64.getDecoder().decode(letters.get(0).get("payload_base64").asText())).isEqualTo(notAvro);
      assertThat(letters.get(0).get("key_base64").asText()).isEqualTo("aw==");
      assertThat(letters.get(0).get("topic").asText()).isEqualTo(fixture.topic);
      assertThat(letters.get(0).get("target_table").asText()).isEqualTo("spans");
      assertThat(letters.get(1).get("offset").asLong()).isEqualTo(6);
      assertThat(letters.get(1).get("reason").asText()).contains("schema id " + 0x7f7f7f7f);
      assertThat(letters.get(1).get("key_base64").isNull()).isTrue();
      assertThat(get("http://127.0.0.1:" + sink.adminPort() + "/metrics"))
          .contains("llmtrace_sink_dead_letters_total{error_class=\"undecodable\",table=\"spans\"} 2.0");
    }
  }

  @Test
  void aPendingBatchIsRebuiltIdenticallyAndDeduplicated(StackEndpoints stack, TestNames names) throws Exception {
    // Given 40 spans written in batches of exactly 10 rows (offsets 0-9, 10-19, ...)
    SinkFixture fixture = new SinkFixture(stack, names.topic("spans"), names.table("db"), names.group("sink"));
    fixture.createTopic(1);
    fixture.produce(spans(40));
    Map<String, String> tenRowBatches = Map.of("llmtrace.sink.batch.max-rows", "10", "llmtrace.sink.batch.max-age", "10m");
    try (ClickHouseSink sink = ClickHouseSink.start(fixture.config(tenRowBatches))) {
      Await.until(Duration.ofSeconds(60), "40 rows", () -> fixture.count("SELECT count() FROM spans") >= 40);
    }
    // When the group's offset is put back where a crash between "pending" and "done" of batch 10-19 leaves it
    TopicPartition partition = new TopicPartition(fixture.topic, 0);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.alterConsumerGroupOffsets(fixture.group + ".spans",
          Map.of(partition, new OffsetAndMetadata(10, "llmtrace-sink/pending-last=19"))).all().get();
    }
    try (ClickHouseSink sink = ClickHouseSink.start(fixture.config(tenRowBatches))) {
      // Then batches 10-19, 20-29 and 30-39 are sent again with their original tokens (30 rows re-sent,
      // the first as the rebuilt pending batch) and ClickHouse keeps each row once
      String metricsUrl = "http://127.0.0.1:" + sink.adminPort() + "/metrics";
      Await.until(Duration.ofSeconds(60), "30 rows re-sent", () -> get(metricsUrl)
          .contains("llmtrace_sink_rows_written_total{table=\"spans\"} 30.0"));
      assertThat(get(metricsUrl)).contains("llmtrace_sink_resent_inserts_total{table=\"spans\"} 1.0");
      assertThat(fixture.count("SELECT count() FROM spans")).isEqualTo(40);
      assertThat(fixture.count("SELECT uniqExact(kafka_offset) FROM spans")).isEqualTo(40);
    }
  }

  @Test
  void clickHouseDownForThirtySecondsLosesNothing(Stack stack, StackEndpoints endpoints, TestNames names) throws Exception {
    SinkFixture fixture = new SinkFixture(endpoints, names.topic("spans"), names.table("db"), names.group("sink"));
    fixture.createTopic(2);
    List<LlmSpan> spans = spans(600);
    try (ClickHouseSink sink = ClickHouseSink.start(fixture.config(Map.of("llmtrace.sink.batch.max-age", "200ms")))) {
      fixture.produce(spans.subList(0, 200));
      Await.until(Duration.ofSeconds(60), "first 200 rows", () -> fixture.count("SELECT count() FROM spans") >= 200);

      // When ClickHouse goes away while spans keep arriving
      stack.stopClickHouse();
      long stoppedAt = System.nanoTime();
      fixture.produce(spans.subList(200, 600));
      String metricsUrl = "http://127.0.0.1:" + sink.adminPort() + "/metrics";
      Await.until(Duration.ofSeconds(60), "the sink retrying and reporting ClickHouse down",
          () -> get(metricsUrl).contains("llmtrace_sink_insert_retries_total")
              && get("http://127.0.0.1:" + sink.adminPort() + "/health").contains("\"reachable\":false"));
      // keep it down 30 s in total: the outage length is the scenario, not a synchronisation
      Await.until(Duration.ofSeconds(60), "30 s of outage", () -> System.nanoTime() - stoppedAt >= Duration.ofSeconds(30).toNanos());
      stack.startClickHouse();

      // Then everything arrives, once
      Await.until(Duration.ofSeconds(90), "600 rows after the outage", () -> fixture.countOrMinusOne("SELECT count() FROM spans") >= 600);
      assertThat(fixture.count("SELECT count() FROM spans")).isEqualTo(600);
      assertThat(fixture.count("SELECT uniqExact(kafka_partition, kafka_offset) FROM spans")).isEqualTo(600);
      assertThat(get("http://127.0.0.1:" + sink.adminPort() + "/health")).contains("\"status\":\"UP\"");
    }
  }

  @Test
  void twoInstancesSharingTheWorkThroughRebalancesWriteEachSpanOnce(StackEndpoints stack, TestNames names) throws Exception {
    SinkFixture fixture = new SinkFixture(stack, names.topic("spans"), names.table("db"), names.group("sink"));
    fixture.createTopic(3);
    List<LlmSpan> spans = spans(3_000);
    Map<String, String> smallBatches = Map.of("llmtrace.sink.batch.max-rows", "50", "llmtrace.sink.batch.max-age", "100ms");
    ClickHouseSink first = ClickHouseSink.start(fixture.config(smallBatches));
    try {
      fixture.produce(spans.subList(0, 1_000));
      Await.until(Duration.ofSeconds(60), "first rows", () -> fixture.count("SELECT count() FROM spans") >= 200);
      // a second instance joins (partitions move), more spans arrive, then the first one leaves
      try (ClickHouseSink second = ClickHouseSink.start(fixture.config(smallBatches))) {
        fixture.produce(spans.subList(1_000, 2_000));
        Await.until(Duration.ofSeconds(60), "rows from both", () -> fixture.count("SELECT count() FROM spans") >= 1_500);
        first.close();
        fixture.produce(spans.subList(2_000, 3_000));
        Await.until(Duration.ofSeconds(90), "3000 rows", () -> fixture.count("SELECT count() FROM spans") >= 3_000);
        String metrics = get("http://127.0.0.1:" + second.adminPort() + "/metrics");
        assertThat(metrics).contains("llmtrace_sink_rows_written_total{table=\"spans\"}");
      }
    } finally {
      first.close();
    }
    assertThat(fixture.count("SELECT count() FROM spans")).isEqualTo(3_000);
    assertThat(fixture.count("SELECT uniqExact(kafka_partition, kafka_offset) FROM spans")).isEqualTo(3_000);
  }

  @Test
  void rowsClickHouseRejectsAreSplitOutAsDeadLetters(StackEndpoints stack, TestNames names) throws Exception {
    // Given a table with a constraint, fed by a mapping of its own (any topic is one TableMapping)
    SinkFixture fixture = new SinkFixture(stack, names.topic("readings"), names.table("db"), names.group("sink"));
    fixture.createTopic(1);
    fixture.createDatabase();
    fixture.post("CREATE TABLE readings (id Int64, value Int64, CONSTRAINT non_negative CHECK value >= 0) "
        + "ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100", Map.of());
    TableMapping<String> readings = new TableMapping<>("readings", fixture.topic, "readings", List.of("id", "value"),
        TableMapping.ValueDecoder.of(new StringDeserializer()), (value, partition, offset, out) -> {
          String[] parts = value.split(":");
          out.int64(Long.parseLong(parts[0])).int64(Long.parseLong(parts[1]));
        });
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(),
        "acks", "all"), new StringSerializer(), new StringSerializer())) {
      for (int id = 0; id < 50; id++) {
        producer.send(new ProducerRecord<>(fixture.topic, 0, null, id + ":" + (id == 17 || id == 41 ? -id : id)));
      }
    }

    try (ClickHouseSink sink = ClickHouseSink.start(fixture.config(Map.of()), List.of(readings))) {
      Await.until(Duration.ofSeconds(60), "48 rows and 2 dead letters", () -> fixture.count("SELECT count() FROM dead_letters") >= 2);
      assertThat(fixture.count("SELECT count() FROM readings")).isEqualTo(48);
      assertThat(fixture.count("SELECT countIf(value < 0) FROM readings")).isZero();
      List<JsonNode> letters = fixture.rows("SELECT offset, error_class, reason, payload_base64 FROM dead_letters ORDER BY offset");
      assertThat(letters).extracting(row -> row.get("offset").asLong()).containsExactly(17L, 41L);
      assertThat(letters).allSatisfy(row -> {
        assertThat(row.get("error_class").asText()).isEqualTo("rejected");
        assertThat(row.get("reason").asText()).contains("non_negative");
      });
      assertThat(new String(java.util.Base64.getDecoder().decode(letters.get(0).get("payload_base64").asText()), StandardCharsets.UTF_8))
          .isEqualTo("17:-17");
    }
  }

  static String get(String url) {
    try {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
          HttpResponse.BodyHandlers.ofString());
      return response.body();
    } catch (Exception e) {
      throw new IllegalStateException(url + ": " + e, e);
    }
  }
}
