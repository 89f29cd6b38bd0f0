package io.llmtrace.gateway;

import io.llmtrace.gateway.auth.ApiKeys;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.ReleaseMarker;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.schemas.serde.AvroSerdes;
import io.llmtrace.stack.Await;
import io.llmtrace.stack.StackEndpoints;
import io.llmtrace.stack.junit.TestNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A gateway started in-process against the shared stack, with its own raw and releases topics and three API keys:
 * {@link #KEY} (tenant acme, environments production and staging), {@link #SLOW_KEY} (5 spans/s) and
 * {@link #GLOBEX_KEY} (tenant globex, any environment).
 */
final class GatewayFixture implements AutoCloseable {

  static final String KEY = "test-key-acme";
  static final String SLOW_KEY = "test-key-slow";
  static final String GLOBEX_KEY = "test-key-globex";

  final StackEndpoints stack;
  final String topic;
  final String releasesTopic;
  final Gateway gateway;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  GatewayFixture(StackEndpoints stack, TestNames names, Map<String, String> overrides) {
    this.stack = stack;
    this.topic = names.topic("raw");
    this.releasesTopic = names.topic("releases");
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrap()))) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1), new NewTopic(releasesTopic, 3, (short) 1))).all().get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    Map<String, String> settings = new HashMap<>(Map.of(
        "llmtrace.gateway.host", "127.0.0.1",
        "llmtrace.gateway.port", "0",
        "llmtrace.gateway.api-keys-file", keysFile().toString(),
        "llmtrace.kafka.bootstrap", stack.kafkaBootstrap(),
        "llmtrace.schema.registry.url", stack.schemaRegistryUrl(),
        "llmtrace.topics.raw", topic,
        "llmtrace.topics.releases", releasesTopic,
        "llmtrace.gateway.event-loops", "2"));
    settings.putAll(overrides);
    this.gateway = Gateway.start(GatewayConfig.from(Settings.of(settings)));
  }

  private static Path keysFile() {
    try {
      Path file = Files.createTempFile("gateway-keys", ".yaml");
      Files.writeString(file, """
          keys:
            - id: acme
              sha256: %s
              tenant: acme
              environments: [production, staging]
            - id: slow
              sha256: %s
              tenant: acme
              spans_per_second: 5
            - id: globex
              sha256: %s
              tenant: globex
              project: billing
          """.formatted(ApiKeys.sha256(KEY), ApiKeys.sha256(SLOW_KEY), ApiKeys.sha256(GLOBEX_KEY)));
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String url(String path) {
    return "http://127.0.0.1:" + gateway.port() + path;
  }

  HttpResponse<String> post(String path, String contentType, byte[] body, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path)))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> postNative(byte[] body) {
    return post("/v1/spans", "application/json", body, "Authorization", "Bearer " + KEY);
  }

  HttpResponse<String> get(String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url(path))).GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Reads the raw topic from the beginning until {@code expected} spans arrived (or fails after 60 s). */
  List<LlmSpan> readSpans(int expected) {
    Map<String, Object> config = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
        ConsumerConfig.GROUP_ID_CONFIG, topic + ".reader." + System.nanoTime(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<LlmSpan> spans = new ArrayList<>();
    try (KafkaConsumer<String, LlmSpan> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
        AvroSerdes.specific(LlmSpan.class, Map.of("schema.registry.url", stack.schemaRegistryUrl()), false).deserializer())) {
      consumer.subscribe(Set.of(topic));
      Await.until(Duration.ofSeconds(60), expected + " spans on " + topic, () -> {
        for (ConsumerRecord<String, LlmSpan> record : consumer.poll(Duration.ofMillis(200))) {
          if (!record.key().equals(record.value().getTraceId())) {
            throw new AssertionError("record key " + record.key() + " is not the trace id " + record.value().getTraceId());
          }
          spans.add(record.value());
        }
        return spans.size() >= expected;
      });
    }
    return spans;
  }

  /**
   * Reads the releases topic from the beginning until a marker matches {@code last} (or fails after 60 s);
   * returns every record read, in partition order.
   */
  List<ConsumerRecord<String, ReleaseMarker>> readReleasesUntil(Predicate<ReleaseMarker> last) {
    Map<String, Object> config = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap(),
        ConsumerConfig.GROUP_ID_CONFIG, releasesTopic + ".reader." + System.nanoTime(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<String, ReleaseMarker>> records = new ArrayList<>();
    try (KafkaConsumer<String, ReleaseMarker> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
        AvroSerdes.specific(ReleaseMarker.class, Map.of("schema.registry.url", stack.schemaRegistryUrl()), false).deserializer())) {
      consumer.subscribe(Set.of(releasesTopic));
      Await.until(Duration.ofSeconds(60), "the expected release marker on " + releasesTopic, () -> {
        boolean found = false;
        for (ConsumerRecord<String, ReleaseMarker> record : consumer.poll(Duration.ofMillis(200))) {
          records.add(record);
          found |= last.test(record.value());
        }
        return found;
      });
    }
    return records;
  }

  @Override
  public void close() {
    gateway.close();
  }
}
