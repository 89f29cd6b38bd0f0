package io.llmtrace.gateway;

import io.llmtrace.gateway.auth.ApiKeys;
import io.llmtrace.gateway.http.GatewayServer;
import io.llmtrace.gateway.intake.SpanIntake;
import io.llmtrace.gateway.metrics.GatewayMetrics;
import io.llmtrace.gateway.publish.KafkaPublisher;
import io.llmtrace.gateway.publish.Topic;
import io.llmtrace.gateway.release.ReleaseIntake;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.ReleaseMarker;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.schemas.registry.SchemaRegistryClient;
import io.llmtrace.schemas.serde.AvroSerdes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: wires API keys, decoders, the Kafka publisher, metrics and the HTTP server
 * from a {@link GatewayConfig}. {@link #main} is the process entry point.
 */
public final class Gateway implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
  private static final Duration READINESS_CACHE = Duration.ofSeconds(1);

  private final GatewayServer server;
  private final KafkaPublisher publisher;
  private final List<Topic<?>> topics;

  private Gateway(GatewayServer server, KafkaPublisher publisher, List<Topic<?>> topics) {
    this.server = server;
    this.publisher = publisher;
    this.topics = topics;
  }

  public static Gateway start(GatewayConfig config) {
    ApiKeys keys = ApiKeys.load(config.apiKeysFile());
    SchemaRegistryClient registry = SchemaRegistryClient.builder(config.registryUrl()).build();
    KafkaPublisher publisher = new KafkaPublisher(
        KafkaPublisher.createProducer(config.kafkaBootstrap(), config.produceTimeout(), config.maxInFlightBytes() * 4 / 3,
            config.producerOverrides()),
        config.maxInFlightBytes(), config.produceTimeout(), config.eventLoops());
    Topic<LlmSpan> spans = new Topic<>(config.rawTopic(), AvroSerdes.specific(LlmSpan.class, registry, Map.of(), false).serializer(),
        LlmSpan::getTraceId);
    Topic<ReleaseMarker> releases = new Topic<>(config.releasesTopic(),
        AvroSerdes.specific(ReleaseMarker.class, registry, Map.of(), false).serializer(), ReleaseIntake::key);
    if (!publisher.topicReachable(spans.name(), Duration.ofSeconds(10))) {
      // Not fatal: /readyz reports it and requests get 503 until Kafka is there.
      LOG.warn("topic {} is not reachable at {} yet", spans.name(), config.kafkaBootstrap());
    } else if (!publisher.topicReachable(releases.name(), Duration.ofSeconds(2))) {
      // Not part of /readyz: a missing releases topic must not take span intake out of rotation.
      LOG.warn("topic {} is not reachable at {}: POST /v1/releases answers 503 until it exists", releases.name(),
          config.kafkaBootstrap());
    }
    SpanIntake intake = new SpanIntake(config.limits(), Clock.systemUTC());
    GatewayMetrics metrics = new GatewayMetrics();
    IntakeDecoders decoders = new IntakeDecoders(intake);
    GatewayServer server = GatewayServer.start(config.host(), config.port(), config.eventLoops(), new GatewayServer.Parts(
        keys, config.spansPerSecond(), config.maxBodyBytes(),
        decoders::decodeNative, decoders::decodeOtlpProtobuf, decoders::decodeOtlpJson,
        new ReleaseIntake(config.limits(), Clock.systemUTC()), publisher, spans, releases,
        metrics, cached(readiness(publisher, spans.name(), config.registryUrl()))));
    LOG.info("gateway listening on {}:{} ({} API keys, topics {} and {}, Kafka {})", config.host(), server.port(), keys.size(),
        spans.name(), releases.name(), config.kafkaBootstrap());
    return new Gateway(server, publisher, List.of(spans, releases));
  }

  public int port() {
    return server.port();
  }

  private static Supplier<GatewayServer.Readiness> readiness(KafkaPublisher publisher, String spansTopic, String registryUrl) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    return () -> {
      Map<String, String> checks = new LinkedHashMap<>();
      boolean kafka = publisher.topicReachable(spansTopic, Duration.ofSeconds(2));
      checks.put("kafka", kafka ? "up" : "topic " + spansTopic + " unreachable");
      boolean registryUp;
      try {
        int status = http.send(HttpRequest.newBuilder(URI.create(registryUrl + "/subjects")).timeout(Duration.ofSeconds(2)).GET().build(),
            HttpResponse.BodyHandlers.discarding()).statusCode();
        registryUp = status == 200;
        checks.put("schema_registry", registryUp ? "up" : "HTTP " + status);
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        registryUp = false;
        checks.put("schema_registry", "unreachable: " + e.getClass().getSimpleName());
      }
      return new GatewayServer.Readiness(kafka && registryUp, checks);
    };
  }

  /** Probes are cheap to serve but not to run: one real check per second at most. */
  private static Supplier<GatewayServer.Readiness> cached(Supplier<GatewayServer.Readiness> probe) {
    Object lock = new Object();
    GatewayServer.Readiness[] last = {null};
    long[] at = {0};
    return () -> {
      synchronized (lock) {
        if (last[0] == null || System.nanoTime() - at[0] > READINESS_CACHE.toNanos()) {
          last[0] = probe.get();
          at[0] = System.nanoTime();
        }
        return last[0];
      }
    };
  }

  @Override
  public void close() {
    server.close();
    publisher.close();
    topics.forEach(Topic::close);
  }

  public static void main(String[] args) throws InterruptedException {
    GatewayConfig config;
    try {
      config = GatewayConfig.from(Settings.fromEnvironment());
    } catch (IllegalArgumentException e) {
      System.err.println("gateway: " + e.getMessage());
      System.exit(2);
      return;
    }
    Gateway gateway = start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      gateway.close();
      stopped.countDown();
    }, "gateway-shutdown"));
    stopped.await();
  }
}
