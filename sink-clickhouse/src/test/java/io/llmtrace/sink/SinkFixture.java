package io.llmtrace.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.serde.AvroSerdes;
import io.llmtrace.schemas.testing.TestSpans;
import io.llmtrace.sink.config.SinkConfig;
import io.llmtrace.stack.StackEndpoints;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** What the sink's integration tests share: topics, producing spans, sink settings, ClickHouse queries. */
final class SinkFixture {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final StackEndpoints stack;
  final String topic;
  final String database;
  final String group;

  SinkFixture(StackEndpoints stack, String topic, String database, String group) {
    this.stack = stack;
    this.topic = topic;
    this.database = database;
    this.group = group;
  }

  void createTopic(int partitions) throws Exception {
    createTopics(partitions, topic);
  }

  void createTopics(int partitions, String... topics) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.createTopics(Stream.of(topics).map(name -> new NewTopic(name, partitions, (short) 1)).toList()).all().get();
    }
  }

  /** Settings as the sink reads them; {@code extra} overrides. */
  Map<String, String> settings(Map<String, String> extra) {
    Map<String, String> settings = new HashMap<>(Map.of(
        "llmtrace.kafka.bootstrap", stack.kafkaBootstrap(),
        "llmtrace.schema.registry.url", stack.schemaRegistryUrl(),
        "llmtrace.topics.redacted", topic,
        "llmtrace.sink.group-id", group,
        "llmtrace.clickhouse.url", stack.clickhouseUrl(),
        "llmtrace.clickhouse.database", database,
        "llmtrace.sink.admin.host", "127.0.0.1",
        "llmtrace.sink.admin.port", "0",
        "llmtrace.sink.retry.max", "2s"));
    settings.putAll(extra);
    return settings;
  }

  SinkConfig config(Map<String, String> extra) {
    return SinkConfig.from(io.llmtrace.schemas.config.Settings.of(settings(extra)));
  }

  /** Produces the spans (keyed by trace id, as the pipeline does) and waits for every acknowledgement. */
  void produce(List<LlmSpan> spans) throws Exception {
    Serializer<LlmSpan> serializer = AvroSerdes.specific(LlmSpan.class,
        Map.of("schema.registry.url", stack.schemaRegistryUrl()), false).serializer();
    try (KafkaProducer<String, LlmSpan> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(),
        "acks", "all", "enable.idempotence", true), new StringSerializer(), serializer)) {
      List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
      for (LlmSpan span : spans) {
        sent.add(producer.send(new ProducerRecord<>(topic, span.getTraceId(), span)));
      }
      for (java.util.concurrent.Future<?> future : sent) {
        future.get();
      }
    }
  }

  void produceRaw(int partition, byte[] key, byte[] value) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(),
        "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, partition, key, value)).get();
    }
  }

  /** Rows of a query, as ClickHouse formats them in JSONEachRow. */
  List<JsonNode> rows(String sql) {
    return rows(sql, Map.of());
  }

  /** Rows of a query run with extra URL parameters (settings, {@code param_<name>} query parameters). */
  List<JsonNode> rows(String sql, Map<String, String> parameters) {
    Map<String, String> all = new HashMap<>(parameters);
    all.put("output_format_json_quote_64bit_integers", "0");
    String body = post(sql + "\nFORMAT JSONEachRow", all);
    List<JsonNode> rows = new ArrayList<>();
    for (String line : body.split("\n")) {
      if (!line.isBlank()) {
        try {
          rows.add(JSON.readTree(line));
        } catch (IOException e) {
          throw new IllegalStateException("not JSON: " + line, e);
        }
      }
    }
    return rows;
  }

  long count(String sql) {
    return Long.parseLong(post(sql, Map.of()).trim());
  }

  /** Count, or -1 while ClickHouse cannot answer (for polling across an outage). */
  long countOrMinusOne(String sql) {
    try {
      return count(sql);
    } catch (RuntimeException e) {
      return -1;
    }
  }

  void createDatabase() {
    post("CREATE DATABASE IF NOT EXISTS " + database, Map.of("database", "default"));
  }

  /** Runs {@code sql} in the test's database (or the one given as the {@code database} parameter). */
  String post(String sql, Map<String, String> parameters) {
    StringBuilder url = new StringBuilder(stack.clickhouseUrl()).append("/?database=")
        .append(parameters.getOrDefault("database", database));
    parameters = new java.util.HashMap<>(parameters);
    parameters.remove("database");
    parameters.forEach((key, value) -> url.append('&').append(key).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url.toString()))
          .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(sql)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("ClickHouse answered " + response.statusCode() + " to " + sql + ": " + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new IllegalStateException("ClickHouse unreachable: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The span moved so that it started {@code ago} before now (whole microseconds kept): the tables'
   * TTLs count from start_time, and the shared fixtures are dated months back.
   */
  static LlmSpan startedAgo(LlmSpan span, Duration ago) {
    return TestSpans.startingAt(LlmSpan.newBuilder(span).build(), Instant.now().minus(ago).truncatedTo(ChronoUnit.MILLIS));
  }


  /** Produces Avro records of one type to the fixture's topic with the key {@code keyOf} gives, and waits for every acknowledgement. */
  <T extends SpecificRecord> void produceRecords(List<T> records, Function<T, String> keyOf) throws Exception {
    produceRecords(topic, records, keyOf);
  }

  /** Produces Avro records of one type to {@code topic} with the key {@code keyOf} gives, and waits for every acknowledgement. */
  <T extends SpecificRecord> void produceRecords(String topic, List<T> records, Function<T, String> keyOf) throws Exception {
    @SuppressWarnings("unchecked")
    Serializer<T> serializer = AvroSerdes.specific((Class<T>) records.get(0).getClass(), Map.of("schema.registry.url",
        stack.schemaRegistryUrl()), false).serializer();
    try (KafkaProducer<String, T> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.kafkaBootstrap(), "acks", "all",
        "enable.idempotence", true), new StringSerializer(), serializer)) {
      List<Future<?>> sent = new ArrayList<>();
      for (T record : records) {
        sent.add(producer.send(new ProducerRecord<>(topic, keyOf.apply(record), record)));
      }
      for (Future<?> future : sent) {
        future.get();
      }
    }
  }

  /** The body of a GET (the sink's admin endpoints). */
  static String get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
  }
}
