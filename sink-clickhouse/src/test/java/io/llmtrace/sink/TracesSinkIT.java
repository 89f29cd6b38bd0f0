package io.llmtrace.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.TraceOutcome;
import io.llmtrace.schemas.avro.TraceSummary;
import io.llmtrace.schemas.serde.AvroSerdes;
import io.llmtrace.schemas.testing.TestRecords;
import io.llmtrace.schemas.testing.TestSpans;
import io.llmtrace.sink.config.SinkConfig;
import io.llmtrace.stack.Await;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.LocalStackExtension;
import io.llmtrace.stack.junit.TestNames;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sink as {@link ClickHouseSink#start(SinkConfig)} wires it, reading TraceSummary records from a
 * real topic: a record becomes one row equal to it, the highest version of a trace is what readers
 * and merges keep, and records that cannot be trace rows become dead letters while the stream goes on.
 */
@ExtendWith(LocalStackExtension.class)
class TracesSinkIT {

  /** Noon of the day before: every version of a test trace ends inside one day partition. */
  static final Instant NOON = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofHours(12));

  @Test
  void writesEachVersionAsARowEqualToItAndTheHighestVersionWins(StackEndpoints stack, TestNames names) throws Exception {
    // Given the fully populated summary, odd text and version 1 of a minimal summary, on a 2-partition topic
    SinkFixture fixture = fixture(stack, names, 2);
    TraceSummary full = movedTo(TestRecords.traceSummary(), NOON);
    List<TraceSummary> minimal = new ArrayList<>();
    for (int version = 1; version <= 3; version++) {
      minimal.add(TraceSummary.newBuilder().setTraceId("minimal").setTenantId("acme").setStartTime(NOON)
          .setEndTime(NOON.plusSeconds(version)).setSpanCount(version).setVersion(version).build());
    }
    TraceSummary odd = TraceSummary.newBuilder(minimal.get(0)).setTraceId("odd \"quoted\" \\ tab\t ✓ 𝄞")
        .setFeatureName("résumé").setSpanCountsByKind(Map.of("", 1)).setPromptNames(List.of("", "ключ")).build();
    produce(fixture, List.of(full, odd, minimal.get(0)));

    // When the sink runs with the pipeline's mappings
    try (ClickHouseSink sink = ClickHouseSink.start(config(fixture, names))) {
      Await.until(Duration.ofSeconds(60), "3 trace rows", () -> fixture.count("SELECT count() FROM traces") >= 3);

      // Then each record is one row that reads back as the record
      Comparator<TraceSummary> byVersion = Comparator.comparing(TraceSummary::getTraceId).thenComparing(TraceSummary::getVersion);
      assertThat(readAll(fixture, "SELECT * FROM traces")).containsExactlyElementsOf(
          Stream.of(full, odd, minimal.get(0)).sorted(byVersion).toList());
      assertThat(fixture.count("SELECT toInt64(duration_ms) FROM traces WHERE trace_id = '" + full.getTraceId() + "'"))
          .isEqualTo(TestSpans.RAG_DURATION_MICROS / 1000);
      assertThat(SinkFixture.get("http://127.0.0.1:" + sink.adminPort() + "/metrics"))
          .contains("llmtrace_sink_rows_written_total{table=\"traces\"} 3.0");
      assertThat(SinkFixture.get("http://127.0.0.1:" + sink.adminPort() + "/health")).contains("\"status\":\"UP\"", "\"table\":\"traces\"");

      // When versions 2 and 3 follow (in a later insert than version 1)
      produce(fixture, minimal.subList(1, 3));
      Await.until(Duration.ofSeconds(60), "version 3",
          () -> fixture.count("SELECT max(version) FROM traces WHERE trace_id = 'minimal'") == 3);

      // Then the rows are versions as produced (two in one insert may already be collapsed to the higher one),
      // none twice, and reading the highest version per trace gives version 3
      assertThat(readAll(fixture, "SELECT * FROM traces")).isSubsetOf(Stream.concat(Stream.of(full, odd), minimal.stream()).toList())
          .contains(full, odd, minimal.get(0), minimal.get(2));
      assertThat(fixture.count("SELECT count() = uniqExact(kafka_partition, kafka_offset) FROM traces")).isEqualTo(1);
      assertThat(readAll(fixture, "SELECT * FROM traces ORDER BY version DESC, kafka_offset DESC LIMIT 1 BY trace_id"))
          .containsExactlyElementsOf(Stream.of(full, odd, minimal.get(2)).sorted(byVersion).toList());
    }

    // and a merge leaves only the highest version of each trace
    fixture.post("OPTIMIZE TABLE traces FINAL", Map.of());
    assertThat(fixture.rows("SELECT trace_id, version FROM traces ORDER BY trace_id"))
        .extracting(row -> row.get("trace_id").asText() + "@" + row.get("version").asLong())
        .containsExactly(full.getTraceId() + "@2", "minimal@3", odd.getTraceId() + "@1");
    String ddl = fixture.rows("SELECT create_table_query FROM system.tables WHERE database = currentDatabase() AND name = 'traces'")
        .get(0).get("create_table_query").asText();
    assertThat(ddl).contains("ENGINE = ReplacingMergeTree(version)", "PARTITION BY toDate(end_time)", "ORDER BY (tenant_id, trace_id)",
        "TTL toDateTime(end_time) + toIntervalDay(90)", "ttl_only_drop_parts = 1", "non_replicated_deduplication_window = 1000",
        "`outcome` LowCardinality(String)", "`total_cost` Nullable(Float64)",
        "`evaluations` Map(LowCardinality(String), Tuple(passed Int32, failed Int32, min_score Nullable(Float64)))");
  }

  /** Rows of the query read back as summaries, sorted by trace id and version. */
  private static List<TraceSummary> readAll(SinkFixture fixture, String sql) {
    List<TraceSummary> rows = new ArrayList<>();
    for (JsonNode row : fixture.rows(sql, Map.of("output_format_json_named_tuples_as_objects", "1"))) {
      rows.add(TraceRowReader.read(row));
    }
    rows.sort(Comparator.comparing(TraceSummary::getTraceId).thenComparing(TraceSummary::getVersion));
    return rows;
  }

  @Test
  void recordsThatAreNoTraceRowsBecomeDeadLettersAndTheStreamContinues(StackEndpoints stack, TestNames names) throws Exception {
    // Given a good summary, a span produced to the traces topic by mistake, a summary with version 0, a good one
    SinkFixture fixture = fixture(stack, names, 1);
    TraceSummary before = movedTo(TestRecords.traceSummary(), NOON);
    TraceSummary after = TraceSummary.newBuilder(before).setTraceId("after").setOutcome(TraceOutcome.SUCCESS).build();
    produce(fixture, List.of(before));
    produce(fixture, List.of(TestSpans.minimal()));
    produce(fixture, List.of(TraceSummary.newBuilder(before).setTraceId("version-zero").setVersion(0).build()));
    produce(fixture, List.of(after));

    try (ClickHouseSink sink = ClickHouseSink.start(config(fixture, names))) {
      Await.until(Duration.ofSeconds(60), "2 trace rows and 2 dead letters", () -> fixture.count("SELECT count() FROM traces") >= 2
          && fixture.count("SELECT count() FROM dead_letters") >= 2);
      assertThat(fixture.rows("SELECT trace_id FROM traces ORDER BY trace_id")).extracting(row -> row.get("trace_id").asText())
          .containsExactly(before.getTraceId(), "after");
      assertThat(fixture.rows("SELECT target_table, offset, error_class, reason FROM dead_letters ORDER BY offset"))
          .extracting(row -> row.get("target_table").asText() + " " + row.get("offset").asLong() + " " + row.get("error_class").asText())
          .containsExactly("traces 1 undecodable", "traces 2 unmappable");
      assertThat(fixture.rows("SELECT reason FROM dead_letters WHERE offset = 2").get(0).get("reason").asText())
          .contains("version-zero has version 0");
      assertThat(SinkFixture.get("http://127.0.0.1:" + sink.adminPort() + "/metrics"))
          .contains("llmtrace_sink_dead_letters_total{error_class=\"undecodable\",table=\"traces\"} 1.0",
              "llmtrace_sink_dead_letters_total{error_class=\"unmappable\",table=\"traces\"} 1.0");
    }
  }

  /** The fixture's topic is the traces topic; the spans topic, which the sink reads too, exists as well. */
  private static SinkFixture fixture(StackEndpoints stack, TestNames names, int partitions) throws Exception {
    SinkFixture fixture = new SinkFixture(stack, names.topic("traces"), names.table("db"), names.group("sink"));
    fixture.createTopic(partitions);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.createTopics(List.of(new NewTopic(spansTopic(names), 1, (short) 1))).all().get();
    }
    return fixture;
  }

  private static String spansTopic(TestNames names) {
    return names.topic("spans");
  }

  private static SinkConfig config(SinkFixture fixture, TestNames names) {
    return fixture.config(Map.of("llmtrace.topics.traces", fixture.topic, "llmtrace.topics.redacted", spansTopic(names)));
  }

  /** The summary with its times moved to {@code start} (microseconds kept), so the row TTL keeps it. */
  static TraceSummary movedTo(TraceSummary trace, Instant start) {
    Instant at = start.plusNanos(trace.getStartTime().getNano());
    Duration shift = Duration.between(trace.getStartTime(), at);
    return TraceSummary.newBuilder(trace).setStartTime(at).setEndTime(trace.getEndTime().plus(shift))
        .setAssembledAt(trace.getAssembledAt().plus(shift)).build();
  }

  /** Produces the records keyed as the stream apps key them and waits for every acknowledgement. */
  static void produce(SinkFixture fixture, List<? extends SpecificRecord> records) throws Exception {
    fixture.produceRecords(new ArrayList<SpecificRecord>(records), record -> record instanceof TraceSummary trace ? trace.getTraceId() : ((LlmSpan) record).getTraceId());
  }
}
