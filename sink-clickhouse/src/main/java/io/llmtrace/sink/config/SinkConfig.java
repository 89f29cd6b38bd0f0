package io.llmtrace.sink.config;

import io.llmtrace.schemas.config.Settings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the sink reads at start-up. Keys follow the project's precedence (defaults &lt; config
 * file &lt; {@code LLMTRACE_*} environment &lt; {@code -Dllmtrace.*}).
 *
 * <table>
 *   <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>llmtrace.kafka.bootstrap</td><td>127.0.0.1:9092</td><td></td></tr>
 *   <tr><td>llmtrace.schema.registry.url</td><td>http://127.0.0.1:8081/apis/ccompat/v7</td><td></td></tr>
 *   <tr><td>llmtrace.sink.group-id</td><td>llmtrace-sink</td><td>prefix; each table's consumer group is {@code <prefix>.<table>}</td></tr>
 *   <tr><td>llmtrace.topics.redacted</td><td>llm.spans.redacted</td><td>source of the spans table</td></tr>
 *   <tr><td>llmtrace.topics.traces</td><td>llm.traces</td><td>source of the traces table</td></tr>
 *   <tr><td>llmtrace.topics.metrics</td><td>llm.metrics</td><td>source of metrics_1m (and its rollups)</td></tr>
 *   <tr><td>llmtrace.topics.alerts</td><td>llm.alerts</td><td>source of alerts (alert episode events)</td></tr>
 *   <tr><td>llmtrace.topics.releases</td><td>llm.releases</td><td>source of releases (release markers)</td></tr>
 *   <tr><td>llmtrace.topics.review</td><td>llm.review</td><td>source of review_queue</td></tr>
 *   <tr><td>llmtrace.clickhouse.url</td><td>http://127.0.0.1:8123</td><td>HTTP interface</td></tr>
 *   <tr><td>llmtrace.clickhouse.user / .password</td><td>default / (empty)</td><td></td></tr>
 *   <tr><td>llmtrace.clickhouse.database</td><td>llmtrace</td><td>created if missing</td></tr>
 *   <tr><td>llmtrace.clickhouse.cluster</td><td>(none)</td><td>set: DDL runs {@code ON CLUSTER}, tables are Replicated*</td></tr>
 *   <tr><td>llmtrace.clickhouse.dedup-window</td><td>1000</td><td>inserts whose tokens a table remembers</td></tr>
 *   <tr><td>llmtrace.clickhouse.text-ttl</td><td>30d</td><td>prompt/output/tool text columns</td></tr>
 *   <tr><td>llmtrace.clickhouse.row-ttl</td><td>90d</td><td>whole rows</td></tr>
 *   <tr><td>llmtrace.sink.batch.max-rows</td><td>100000</td><td>per partition</td></tr>
 *   <tr><td>llmtrace.sink.batch.max-bytes</td><td>64MB</td><td>per partition, encoded</td></tr>
 *   <tr><td>llmtrace.sink.batch.max-age</td><td>1s</td><td>oldest row of a batch</td></tr>
 *   <tr><td>llmtrace.sink.buffer.max-bytes</td><td>256MB</td><td>all partitions; beyond it the largest batch is written</td></tr>
 *   <tr><td>llmtrace.sink.retry.initial / .max</td><td>200ms / 30s</td><td>exponential backoff of retriable failures</td></tr>
 *   <tr><td>llmtrace.sink.insert-timeout</td><td>60s</td><td>one insert, socket level</td></tr>
 *   <tr><td>llmtrace.sink.admin.port</td><td>9464</td><td>{@code /metrics}, {@code /health}; 0 = any free port</td></tr>
 *   <tr><td>llmtrace.sink.consumer.*</td><td></td><td>raw Kafka consumer overrides</td></tr>
 * </table>
 */
public record SinkConfig(
    String kafkaBootstrap,
    String schemaRegistryUrl,
    String groupIdPrefix,
    String spansTopic,
    String tracesTopic,
    String metricsTopic,
    String alertsTopic,
    String releasesTopic,
    String reviewTopic,
    ClickHouse clickhouse,
    Batching batching,
    Duration retryInitial,
    Duration retryMax,
    String adminHost,
    int adminPort,
    Map<String, String> consumerOverrides) {

  public static final String DEFAULT_SPANS_TOPIC = "llm.spans.redacted";
  public static final String DEFAULT_TRACES_TOPIC = "llm.traces";
  public static final String DEFAULT_METRICS_TOPIC = "llm.metrics";
  public static final String DEFAULT_ALERTS_TOPIC = "llm.alerts";
  public static final String DEFAULT_RELEASES_TOPIC = "llm.releases";
  public static final String DEFAULT_REVIEW_TOPIC = "llm.review";
  public static final int DEFAULT_ADMIN_PORT = 9464;
  public static final Duration DEFAULT_RETRY_INITIAL = Duration.ofMillis(200);
  public static final Duration DEFAULT_RETRY_MAX = Duration.ofSeconds(30);

  public SinkConfig {
    Objects.requireNonNull(kafkaBootstrap, "kafkaBootstrap");
    Objects.requireNonNull(schemaRegistryUrl, "schemaRegistryUrl");
    requireDistinct("llmtrace.topics.redacted", spansTopic, "llmtrace.topics.traces", tracesTopic,
        "llmtrace.topics.metrics", metricsTopic, "llmtrace.topics.alerts", alertsTopic, "llmtrace.topics.releases", releasesTopic,
        "llmtrace.topics.review", reviewTopic);
    Objects.requireNonNull(clickhouse, "clickhouse");
    Objects.requireNonNull(batching, "batching");
    if (retryInitial.isNegative() || retryInitial.isZero() || retryMax.compareTo(retryInitial) < 0) {
      throw new IllegalArgumentException("retry backoff must satisfy 0 < initial <= max, got " + retryInitial + " / " + retryMax);
    }
    consumerOverrides = Map.copyOf(consumerOverrides);
  }

  /** Where and how to write. */
  public record ClickHouse(String url, String user, String password, String database, String cluster,
      int dedupWindow, Duration textTtl, Duration rowTtl, Duration insertTimeout) {

    public static final String DEFAULT_URL = "http://127.0.0.1:8123";
    public static final String DEFAULT_DATABASE = "llmtrace";
    public static final int DEFAULT_DEDUP_WINDOW = 1000;
    public static final Duration DEFAULT_TEXT_TTL = Duration.ofDays(30);
    public static final Duration DEFAULT_ROW_TTL = Duration.ofDays(90);
    public static final Duration DEFAULT_INSERT_TIMEOUT = Duration.ofSeconds(60);

    public ClickHouse {
      if (!database.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new IllegalArgumentException("llmtrace.clickhouse.database must be a plain identifier, got '" + database + "'");
      }
      if (cluster != null && !cluster.matches("[A-Za-z0-9_.-]+")) {
        throw new IllegalArgumentException("llmtrace.clickhouse.cluster must be a plain name, got '" + cluster + "'");
      }
      if (textTtl.toDays() < 1 || rowTtl.toDays() < 1) {
        throw new IllegalArgumentException("TTLs are whole days of at least 1, got text " + textTtl + ", rows " + rowTtl);
      }
    }
  }

  /** When a partition's batch is written: whichever limit comes first. */
  public record Batching(int maxRows, long maxBytes, Duration maxAge, long maxBufferedBytes) {

    public static final int DEFAULT_MAX_ROWS = 100_000;
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;
    public static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(1);
    public static final long DEFAULT_MAX_BUFFERED_BYTES = 256L * 1024 * 1024;

    public Batching {
      if (maxRows < 1 || maxBytes < 1 || maxAge.isNegative() || maxBufferedBytes < maxBytes) {
        throw new IllegalArgumentException("batching needs max-rows >= 1, max-bytes >= 1, max-age >= 0 and "
            + "buffer.max-bytes >= batch.max-bytes, got " + this);
      }
    }
  }

  /**
   * Every table has its own topic: two tables on one topic would each read the other's records and
   * dead-letter every one of them. {@code keysAndTopics}: setting, topic, setting, topic, ...
   */
  private static void requireDistinct(String... keysAndTopics) {
    Map<String, String> settingByTopic = new HashMap<>();
    for (int i = 0; i < keysAndTopics.length; i += 2) {
      String key = keysAndTopics[i];
      String topic = Objects.requireNonNull(keysAndTopics[i + 1], key);
      String earlier = settingByTopic.putIfAbsent(topic, key);
      if (earlier != null) {
        throw new IllegalArgumentException(key + " must differ from " + earlier + ", both are '" + topic + "'");
      }
    }
  }

  public static SinkConfig from(Settings settings) {
    return new SinkConfig(
        settings.string("llmtrace.kafka.bootstrap", "127.0.0.1:9092"),
        settings.string("llmtrace.schema.registry.url", "http://127.0.0.1:8081/apis/ccompat/v7"),
        settings.string("llmtrace.sink.group-id", "llmtrace-sink"),
        settings.string("llmtrace.topics.redacted", DEFAULT_SPANS_TOPIC),
        settings.string("llmtrace.topics.traces", DEFAULT_TRACES_TOPIC),
        settings.string("llmtrace.topics.metrics", DEFAULT_METRICS_TOPIC),
        settings.string("llmtrace.topics.alerts", DEFAULT_ALERTS_TOPIC),
        settings.string("llmtrace.topics.releases", DEFAULT_RELEASES_TOPIC),
        settings.string("llmtrace.topics.review", DEFAULT_REVIEW_TOPIC),
        new ClickHouse(
            settings.string("llmtrace.clickhouse.url", ClickHouse.DEFAULT_URL),
            settings.string("llmtrace.clickhouse.user", "default"),
            settings.string("llmtrace.clickhouse.password", ""),
            settings.string("llmtrace.clickhouse.database", ClickHouse.DEFAULT_DATABASE),
            emptyToNull(settings.string("llmtrace.clickhouse.cluster", "")),
            settings.integer("llmtrace.clickhouse.dedup-window", ClickHouse.DEFAULT_DEDUP_WINDOW, 1, 10_000_000),
            settings.duration("llmtrace.clickhouse.text-ttl", ClickHouse.DEFAULT_TEXT_TTL),
            settings.duration("llmtrace.clickhouse.row-ttl", ClickHouse.DEFAULT_ROW_TTL),
            settings.duration("llmtrace.sink.insert-timeout", ClickHouse.DEFAULT_INSERT_TIMEOUT)),
        new Batching(
            settings.integer("llmtrace.sink.batch.max-rows", Batching.DEFAULT_MAX_ROWS, 1, 10_000_000),
            settings.bytes("llmtrace.sink.batch.max-bytes", Batching.DEFAULT_MAX_BYTES),
            settings.duration("llmtrace.sink.batch.max-age", Batching.DEFAULT_MAX_AGE),
            settings.bytes("llmtrace.sink.buffer.max-bytes", Batching.DEFAULT_MAX_BUFFERED_BYTES)),
        settings.duration("llmtrace.sink.retry.initial", DEFAULT_RETRY_INITIAL),
        settings.duration("llmtrace.sink.retry.max", DEFAULT_RETRY_MAX),
        settings.string("llmtrace.sink.admin.host", "0.0.0.0"),
        settings.integer("llmtrace.sink.admin.port", DEFAULT_ADMIN_PORT, 0, 65_535),
        settings.withPrefix("llmtrace.sink.consumer."));
  }

  private static String emptyToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
