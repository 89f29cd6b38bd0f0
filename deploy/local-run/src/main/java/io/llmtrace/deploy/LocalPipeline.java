package io.llmtrace.deploy;

import io.llmtrace.gateway.Gateway;
import io.llmtrace.gateway.GatewayConfig;
import io.llmtrace.processors.redaction.stage.RedactionApp;
import io.llmtrace.processors.redaction.stage.RedactionTopics;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.stack.Health;
import io.llmtrace.stack.LocalStack;
import io.llmtrace.stack.StackConfig;
import io.llmtrace.stack.StackEndpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Everything on one machine, for trying llmtrace out: the local stack (Kafka, registry, ClickHouse),
 * the pipeline's topics, and the ingest gateway on {@code 127.0.0.1:4318} with the development key from
 * {@code deploy/config/api-keys.local.yaml}. Prints how to reach each part and a curl that sends a span.
 * {@code check} starts, probes, and stops (exit 0 only if every part was healthy).
 */
public final class LocalPipeline {

  static final String LOCAL_KEY = "llmtrace-local-dev-key";
  static final String LOCAL_HASH_KEY = "llmtrace-local-redaction-hash-key";
  /** Raw spans may hold secrets until redacted: keep them only a day. */
  static final Map<String, String> RAW_TOPIC_CONFIG = Map.of("retention.ms", Long.toString(Duration.ofDays(1).toMillis()));

  private LocalPipeline() {}

  public static void main(String[] args) throws Exception {
    String command = args.length == 0 ? "up" : args[0];
    Path repo = Path.of(System.getProperty("user.dir"));
    long began = System.nanoTime();
    LocalStack stack = LocalStack.start(StackConfig.forLocalRun(repo.resolve(".llmtrace-local")));
    StackEndpoints endpoints = stack.endpoints();
    Settings settings = Settings.fromEnvironment();
    String rawTopic = settings.string("llmtrace.topics.raw", GatewayConfig.DEFAULT_RAW_TOPIC);
    RedactionTopics topics = RedactionTopics.from(settings);
    createTopics(endpoints.kafkaBootstrap(), List.of(new NewTopic(rawTopic, 3, (short) 1).configs(RAW_TOPIC_CONFIG),
        new NewTopic(topics.redacted(), 3, (short) 1), new NewTopic(topics.deadLetters(), 1, (short) 1),
        new NewTopic(topics.quarantine(), 1, (short) 1).configs(RAW_TOPIC_CONFIG), new NewTopic(topics.events(), 1, (short) 1)));
    KafkaStreams redaction = RedactionApp.create(Settings.of(Map.of(
        "llmtrace.kafka.bootstrap", endpoints.kafkaBootstrap(),
        "llmtrace.schema.registry.url", endpoints.schemaRegistryUrl(),
        "llmtrace.topics.raw", rawTopic,
        "llmtrace.redaction.policy-file", repo.resolve("deploy/config/redaction-policy.yaml").toString(),
        "llmtrace.enrichment.price-table", repo.resolve("deploy/config/model-prices.yaml").toString(),
        // Local only: production sets LLMTRACE_REDACTION_HASH_KEY from a secret store.
        "llmtrace.redaction.hash-key", settings.string("llmtrace.redaction.hash-key", LOCAL_HASH_KEY),
        "llmtrace.streams.state.dir", stack.config().workDir().resolve("streams").toString())));
    redaction.start();

    Map<String, String> gatewaySettings = new HashMap<>(Map.of(
        "llmtrace.gateway.host", "127.0.0.1",
        "llmtrace.gateway.api-keys-file", repo.resolve("deploy/config/api-keys.local.yaml").toString(),
        "llmtrace.kafka.bootstrap", endpoints.kafkaBootstrap(),
        "llmtrace.schema.registry.url", endpoints.schemaRegistryUrl(),
        "llmtrace.topics.raw", rawTopic));
    gatewaySettings.put("llmtrace.gateway.port", settings.string("llmtrace.gateway.port", Integer.toString(GatewayConfig.DEFAULT_PORT)));
    Gateway gateway = Gateway.start(GatewayConfig.from(Settings.of(gatewaySettings)));
    String gatewayUrl = "http://127.0.0.1:" + gateway.port();

    List<Health> health = stack.health();
    boolean healthy = health.stream().allMatch(Health::healthy);
    System.out.printf("%nllmtrace is %s in %.1f s (data and logs in %s)%n", healthy ? "up" : "DEGRADED",
        (System.nanoTime() - began) / 1e9, stack.config().workDir());
    health.forEach(h -> System.out.println("  " + h));
    System.out.printf("  %-11s UP    %s (native /v1/spans, OTLP/HTTP /v1/traces, /metrics, /readyz)%n", "gateway", gatewayUrl);
    System.out.printf("  %-11s %s  %s -> %s (policy deploy/config/redaction-policy.yaml)%n", "redaction",
        redaction.state().isRunningOrRebalancing() ? "UP  " : "DOWN", rawTopic, topics.redacted());
    System.out.printf("%n  Kafka bootstrap     %s   (raw spans: %s)%n", endpoints.kafkaBootstrap(), rawTopic);
    System.out.printf("  schema.registry.url %s%n", endpoints.schemaRegistryUrl());
    System.out.printf("  ClickHouse HTTP     %s   (JDBC: %s)%n", endpoints.clickhouseUrl(), endpoints.clickhouseJdbcUrl("default"));
    System.out.printf("%n  send a span:%n%s%n", curl(gatewayUrl));
    System.out.printf("%n  see it redacted:  deploy/run-local.sh tail %s%n", topics.redacted());
    System.out.printf("%n  OpenTelemetry SDKs: OTEL_EXPORTER_OTLP_ENDPOINT=%s OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \\%n"
        + "                      OTEL_EXPORTER_OTLP_HEADERS='Authorization=Bearer %s'%n", gatewayUrl, LOCAL_KEY);
    System.out.printf("  logs: %s/logs/%n%n", stack.config().workDir());

    if (command.equals("check")) {
      redaction.close();
      gateway.close();
      stack.close();
      System.exit(healthy ? 0 : 1);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("stopping llmtrace");
      gateway.close();
      redaction.close();
      stack.close();
      stopped.countDown();
    }, "local-pipeline-shutdown"));
    System.out.println("running; press Ctrl-C to stop");
    stopped.await();
  }

  static String curl(String gatewayUrl) {
    long now = System.currentTimeMillis() * 1000;
    return """
          curl -sS -X POST %s/v1/spans \\
            -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \\
            -d '{"spans":[{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7",
                 "name":"chat","kind":"LLM","start_time":%d,"end_time":%d,
                 "prompt":{"name":"triage","version":"v35","messages":[{"role":"user","content":"My invoice is wrong"}]},
                 "model":{"provider":"openai","name":"gpt-4o"},"usage":{"input_tokens":1200,"output_tokens":80}}]}'"""
        .formatted(gatewayUrl, LOCAL_KEY, now, now + 850_000);
  }

  static void createTopics(String bootstrap, List<NewTopic> topics) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      for (NewTopic topic : topics) {
        try {
          admin.createTopics(List.of(topic)).all().get();
        } catch (java.util.concurrent.ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    }
  }
}
