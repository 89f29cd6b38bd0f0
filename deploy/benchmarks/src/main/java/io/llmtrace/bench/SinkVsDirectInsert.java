package io.llmtrace.bench;

import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.schemas.serde.AvroSerdes;
import io.llmtrace.schemas.testing.TestSpans;
import io.llmtrace.sink.ClickHouseSink;
import io.llmtrace.sink.config.SinkConfig;
import io.llmtrace.sink.db.ClickHouseTarget;
import io.llmtrace.sink.db.Migrations;
import io.llmtrace.sink.mapping.SpanRows;
import io.llmtrace.sink.encoding.NativeTranscoder;
import io.llmtrace.sink.encoding.RowBinaryBuffer;
import io.llmtrace.stack.LocalStack;
import io.llmtrace.stack.StackConfig;
import io.llmtrace.stack.StackEndpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Spans/s the ClickHouse sink writes from Kafka into the embedded ClickHouse endpoint, against the
 * engine's ceiling measured in the same run: the same rows, already encoded in RowBinary, inserted
 * directly through the same driver in batches of the same size. Writes docs/BENCHMARKS.md (section
 * "ClickHouse sink vs direct insert").
 *
 * <p>The sink's figure runs from its first record read to its last row written (start-up and the
 * consumer-group join before the first read are reported apart). Both sides insert into a freshly
 * migrated database; the direct side inserts the same per-partition batches the sink makes.
 *
 * <p>Options: {@code --spans 300000 --rounds 2 --out docs/BENCHMARKS.md}.
 */
public final class SinkVsDirectInsert {

  private SinkVsDirectInsert() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = GatewayVsZipkin.options(args);
    int spans = Integer.parseInt(options.getOrDefault("spans", "300000"));
    int rounds = Integer.parseInt(options.getOrDefault("rounds", "2"));
    Path out = Path.of(options.getOrDefault("out", "docs/BENCHMARKS.md"));
    Path work = WorkDirs.fresh(Path.of("target", "bench-sink"));
    LocalStack stack = LocalStack.start(StackConfig.forTests(work.resolve("stack")));
    try {
      StackEndpoints endpoints = stack.endpoints();
      String topic = "bench.spans.redacted";
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", endpoints.kafkaBootstrap()))) {
        admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
      }
      System.out.printf("producing %,d spans to %s%n", spans, topic);
      produce(endpoints, topic, spans);
      SinkConfig.Batching batching = SinkConfig.from(Settings.of(Map.of())).batching();

      List<double[]> results = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        // Alternate who goes first; before each side, drop the other's tables and wait for ClickHouse's
        // background merges to end, so neither pays for the other's parts.
        double direct = 0;
        double[] sink = null;
        for (String side : round % 2 == 0 ? List.of("direct", "sink") : List.of("sink", "direct")) {
          quiesce(endpoints);
          if (side.equals("direct")) {
            direct = direct(endpoints, "bench_direct_" + round, spans, batching);
          } else {
            sink = sink(endpoints, topic, "bench_sink_" + round, spans);
          }
          drop(endpoints, "bench_" + side + "_" + round);
        }
        System.out.printf(Locale.ROOT, "round %d: direct %,.0f spans/s, sink %,.0f spans/s (%.2fx), start-up and group join %.1f s%n",
            round + 1, direct, sink[0], sink[0] / direct, sink[1]);
        results.add(new double[] {direct, sink[0], sink[1]});
      }
      double avgRowBytes = encodedBytes(spans(Math.min(spans, 60_000))) / (double) Math.min(spans, 60_000);
      BenchmarkReport.replaceSection(out, "## ClickHouse sink vs direct insert", report(results, spans, avgRowBytes, batching));
      System.out.println("wrote " + out);
    } finally {
      stack.close();
    }
  }

  /** A mix of the shared span shapes (fully populated, minimal, a four-span RAG trace), dated today. */
  static List<LlmSpan> spans(int count) {
    List<LlmSpan> spans = new ArrayList<>(count);
    forEachSpan(count, spans::add);
    return spans;
  }

  /** The same spans one at a time, so that neither side has to hold them all. */
  static void forEachSpan(int count, java.util.function.Consumer<LlmSpan> action) {
    Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS).minus(Duration.ofMinutes(30));
    int made = 0;
    for (int i = 0; made < count; i++) {
      String traceId = TestSpans.traceId(i);
      List<LlmSpan> shapes = new ArrayList<>(TestSpans.ragTrace(traceId, start.plusMillis(i)));
      LlmSpan full = TestSpans.fullyPopulated();
      full.setTraceId(traceId);
      shapes.add(full);
      shapes.add(TestSpans.minimal());
      for (int s = 0; s < shapes.size() && made < count; s++, made++) {
        LlmSpan span = TestSpans.startingAt(shapes.get(s), start.plusMillis(i));
        span.setTraceId(traceId);
        span.setSpanId(String.format("%08x%08x", i, s));
        action.accept(span);
      }
    }
  }

  /** Produces the spans in chunks, so the harness does not hold them all while the sink runs. */
  private static void produce(StackEndpoints endpoints, String topic, int count) throws Exception {
    Serializer<LlmSpan> serializer = AvroSerdes.specific(LlmSpan.class,
        Map.of("schema.registry.url", endpoints.schemaRegistryUrl()), false).serializer();
    Map<String, Object> props = new HashMap<>(Map.of("bootstrap.servers", endpoints.kafkaBootstrap(), "acks", "all",
        "linger.ms", 20, "batch.size", 512 * 1024, "compression.type", "lz4"));
    try (KafkaProducer<String, LlmSpan> producer = new KafkaProducer<>(props, new StringSerializer(), serializer)) {
      List<Future<?>> sent = new ArrayList<>();
      forEachSpan(count, span -> sent.add(producer.send(new ProducerRecord<>(topic, span.getTraceId(), span))));
      for (Future<?> future : sent) {
        future.get();
      }
    }
  }

  /**
   * The ceiling: the rows pre-encoded as the sink sends them (one Native block per batch of the sink's
   * size), inserted back to back.
   */
  private static double direct(StackEndpoints endpoints, String database, int count, SinkConfig.Batching batching)
      throws Exception {
    SinkConfig config = config(endpoints, "unused", database, Map.of());
    try (ClickHouseTarget target = ClickHouseTarget.connect(config.clickhouse())) {
      new Migrations(target, config.clickhouse()).apply();
      NativeTranscoder transcoder = new NativeTranscoder(SpanRows.COLUMNS, target.columnTypes("spans", SpanRows.COLUMNS));
      // Rows grouped as the sink sees them: per partition (Kafka's default partitioner on the trace id),
      // cut at the sink's batch limits.
      List<byte[]> blocks = new ArrayList<>();
      List<RowBinaryBuffer> rows = List.of(new RowBinaryBuffer(1 << 20), new RowBinaryBuffer(1 << 20), new RowBinaryBuffer(1 << 20));
      int[] inBatch = new int[3];
      long[] offsets = new long[3];
      RowBinaryBuffer block = new RowBinaryBuffer(1 << 20);
      forEachSpan(count, span -> {
        byte[] key = span.getTraceId().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int p = org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key)) % 3;
        SpanRows.encode(span, p, offsets[p]++, rows.get(p));
        if (++inBatch[p] >= batching.maxRows() || rows.get(p).size() >= batching.maxBytes()) {
          blocks.add(block(transcoder, rows.get(p), inBatch[p], block));
          inBatch[p] = 0;
        }
      });
      for (int p = 0; p < 3; p++) {
        if (inBatch[p] > 0) {
          blocks.add(block(transcoder, rows.get(p), inBatch[p], block));
        }
      }
      long started = System.nanoTime();
      for (int b = 0; b < blocks.size(); b++) {
        target.insertNative("spans", SpanRows.COLUMNS, new java.io.ByteArrayInputStream(blocks.get(b)), database + "-" + b);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      return count / seconds;
    }
  }

  /**
   * The sink from an unread topic to the last row: spans/s from its first record read to its last row
   * written, and the seconds before that first read (start-up, group join).
   */
  private static double[] sink(StackEndpoints endpoints, String topic, String database, int spans) throws Exception {
    SinkConfig config = config(endpoints, topic, database, Map.of("llmtrace.sink.group-id", database));
    long started = System.nanoTime();
    try (ClickHouseSink sink = ClickHouseSink.start(config)) {
      var registry = sink.metrics().registry();
      var rowsWritten = registry.get("llmtrace_sink_rows_written").tag("table", "spans").counter();
      var recordsRead = registry.get("llmtrace_sink_records_read").tag("table", "spans").counter();
      long firstRead = 0;
      long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
      while (rowsWritten.count() < spans) {
        if (firstRead == 0 && recordsRead.count() > 0) {
          firstRead = System.nanoTime();
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the sink wrote " + rowsWritten.count() + " of " + spans + " rows in 10 minutes");
        }
        java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
      }
      long done = System.nanoTime();
      var batches = registry.get("llmtrace_sink_batch_rows").summary();
      var inserts = registry.get("llmtrace_sink_insert").timer();
      System.out.printf(Locale.ROOT, "  sink: %d inserts, %.0f rows each on average (max %.0f), %.0f ms per insert on average%n",
          batches.count(), batches.mean(), batches.max(), inserts.mean(java.util.concurrent.TimeUnit.MILLISECONDS));
      return new double[] {spans / ((done - firstRead) / 1e9), (firstRead - started) / 1e9};
    }
  }

  private static byte[] block(NativeTranscoder transcoder, RowBinaryBuffer rows, int count, RowBinaryBuffer block) {
    block.clear();
    transcoder.transcode(rows, 0, rows.size(), count, block);
    rows.clear();
    return block.toByteArray();
  }

  private static void quiesce(StackEndpoints endpoints) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline && !clickhouse(endpoints, "SELECT count() FROM system.merges").strip().equals("0")) {
      java.util.concurrent.locks.LockSupport.parkNanos(200_000_000);
    }
  }

  private static void drop(StackEndpoints endpoints, String database) throws Exception {
    clickhouse(endpoints, "DROP DATABASE IF EXISTS " + database + " SYNC");
  }

  private static String clickhouse(StackEndpoints endpoints, String sql) throws Exception {
    var response = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(endpoints.clickhouseUrl() + "/"))
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(sql)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(sql + ": " + response.body());
    }
    return response.body();
  }

  private static SinkConfig config(StackEndpoints endpoints, String topic, String database, Map<String, String> extra) {
    Map<String, String> settings = new HashMap<>(Map.of(
        "llmtrace.kafka.bootstrap", endpoints.kafkaBootstrap(),
        "llmtrace.schema.registry.url", endpoints.schemaRegistryUrl(),
        "llmtrace.topics.redacted", topic,
        "llmtrace.clickhouse.url", endpoints.clickhouseUrl(),
        "llmtrace.clickhouse.database", database,
        "llmtrace.sink.admin.host", "127.0.0.1",
        "llmtrace.sink.admin.port", "0"));
    settings.putAll(extra);
    return SinkConfig.from(Settings.of(settings));
  }

  private static long encodedBytes(List<LlmSpan> spans) {
    RowBinaryBuffer buffer = new RowBinaryBuffer(1 << 20);
    long total = 0;
    for (int i = 0; i < spans.size(); i++) {
      SpanRows.encode(spans.get(i), 0, i, buffer);
      total += buffer.size();
      buffer.clear();
    }
    return total;
  }

  private static String report(List<double[]> results, int spans, double avgRowBytes, SinkConfig.Batching batching) {
    StringBuilder table = new StringBuilder();
    double directSum = 0;
    double sinkSum = 0;
    for (int i = 0; i < results.size(); i++) {
      double[] r = results.get(i);
      directSum += r[0];
      sinkSum += r[1];
      table.append(String.format(Locale.ROOT, "| %d | %,.0f | %,.0f | %.2f× | %.1f s |%n", i + 1, r[0], r[1], r[1] / r[0], r[2]));
    }
    double direct = directSum / results.size();
    double sink = sinkSum / results.size();
    return String.format(Locale.ROOT, """
        ## ClickHouse sink vs direct insert

        Written by `deploy/bench.sh sink` on %s (%d cores). %,d spans (a mix of the shared fixtures: fully
        populated, minimal and a four-span RAG trace; %.0f bytes per RowBinary row on average) on a 3-partition
        topic, written into the embedded ClickHouse endpoint of the local stack. **Direct insert** (the
        engine's ceiling): the same rows, pre-encoded as the sink sends them (Native blocks), inserted back to
        back through the same driver (clickhouse-jdbc's client-v2) in batches of the sink's default size
        (%,d rows or %d MB of RowBinary).
        **Sink**: `ClickHouseSink` reading the topic from the start (Avro bytes walked straight into RowBinary rows, per-partition
        batches with the default limits, offset commits before and after each insert, inserts on their own
        thread while the next batches are read), measured from its first record read to its last row
        written; start-up and the consumer-group join before the first read are listed apart. The direct
        side inserts the same per-partition batches. The sides alternate who goes first; before each, the
        other's database is dropped and ClickHouse's background merges have finished.

        | round | direct insert spans/s | sink spans/s | sink / direct | start-up + group join |
        |---|---|---|---|---|
        %s
        **Mean: sink %,.0f spans/s, direct %,.0f spans/s, ratio %.2f×** (goal: ≥ 100,000 spans/s and ≥ 0.5×).
        """, LocalDate.now(), Runtime.getRuntime().availableProcessors(), spans, avgRowBytes, batching.maxRows(),
        batching.maxBytes() >> 20, table.toString().stripTrailing() + "\n", sink, direct, sink / direct);
  }
}
