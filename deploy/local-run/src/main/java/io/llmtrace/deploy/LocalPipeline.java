package io.llmtrace.deploy;

import io.llmtrace.gateway.Gateway;
import io.llmtrace.gateway.GatewayConfig;
import io.llmtrace.processors.aggregate.MetricsApp;
import io.llmtrace.processors.alert.AlertApp;
import io.llmtrace.processors.alert.forward.AlertmanagerForwarder;
import io.llmtrace.processors.alert.forward.AlertmanagerForwarderConfig;
import io.llmtrace.processors.assemble.AssemblyApp;
import io.llmtrace.processors.common.StreamsRunner;
import io.llmtrace.processors.common.TopicNames;
import io.llmtrace.processors.redact.RedactionApp;
import io.llmtrace.processors.review.ReviewApp;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.sink.ClickHouseSink;
import io.llmtrace.sink.config.SinkConfig;
import io.llmtrace.stack.Health;
import io.llmtrace.stack.LocalStack;
import io.llmtrace.stack.StackConfig;
import io.llmtrace.stack.StackEndpoints;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

/**
 * Everything on one machine, for trying llmtrace out: the local stack (Kafka, registry, ClickHouse),
 * the pipeline's topics, the ingest gateway on {@code 127.0.0.1:4318} with the development key from
 * {@code deploy/config/api-keys.local.yaml}, the redaction stage and the ClickHouse sink (database
 * {@code llmtrace}). Prints how to reach each part, a curl that sends a span and a query that shows it.
 * {@code check} starts, probes, sends that span and waits for it in ClickHouse, redacted, then stops
 * (exit 0 only if all of that worked).
 */
public final class LocalPipeline {

  static final String LOCAL_KEY = "llmtrace-local-dev-key";
  static final String LOCAL_HASH_KEY = "llmtrace-local-redaction-hash-key";
  static final String DATABASE = "llmtrace";
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
    TopicNames topics = TopicNames.from(settings);
    createTopics(endpoints.kafkaBootstrap(), List.of(new NewTopic(rawTopic, 3, (short) 1).configs(RAW_TOPIC_CONFIG),
        new NewTopic(topics.redacted(), 3, (short) 1), new NewTopic(topics.deadLetters(), 1, (short) 1),
        new NewTopic(topics.quarantine(), 1, (short) 1).configs(RAW_TOPIC_CONFIG), new NewTopic(topics.redactionEvents(), 1, (short) 1),
        new NewTopic(topics.traces(), 3, (short) 1), new NewTopic(topics.metrics(), 3, (short) 1),
        new NewTopic(topics.alerts(), 1, (short) 1), new NewTopic(topics.releases(), 1, (short) 1),
        new NewTopic(topics.review(), 1, (short) 1)));
    Map<String, String> streamsSettings = Map.ofEntries(
        Map.entry("llmtrace.kafka.bootstrap", endpoints.kafkaBootstrap()),
        Map.entry("llmtrace.schema.registry.url", endpoints.schemaRegistryUrl()),
        Map.entry("llmtrace.topics.raw", rawTopic),
        Map.entry("llmtrace.streams.state.dir", stack.config().workDir().resolve("streams").toString()),
        // Kafka Streams does not leave its group on a kill: a restart waits out the last run's session.
        // 10 s instead of the default 45 s keeps a local restart quick.
        Map.entry("llmtrace.streams.session.timeout.ms", "10000"),
        Map.entry("llmtrace.redaction.admin.host", "127.0.0.1"),
        Map.entry("llmtrace.assembly.admin.host", "127.0.0.1"),
        Map.entry("llmtrace.metrics.admin.host", "127.0.0.1"),
        Map.entry("llmtrace.alerts.admin.host", "127.0.0.1"),
        Map.entry("llmtrace.review.admin.host", "127.0.0.1"),
        Map.entry("llmtrace.review.queue-file", repo.resolve("deploy/config/review-queue.yaml").toString()),
        Map.entry("llmtrace.alerts.rules-file", repo.resolve("deploy/config/alert-rules.yaml").toString()));
    Map<String, String> redactionSettings = new HashMap<>(streamsSettings);
    redactionSettings.putAll(Map.of(
        "llmtrace.redaction.policy-file", repo.resolve("deploy/config/redaction-policy.yaml").toString(),
        "llmtrace.enrichment.price-table", repo.resolve("deploy/config/model-prices.yaml").toString(),
        // Local only: production sets LLMTRACE_REDACTION_HASH_KEY from a secret store.
        "llmtrace.redaction.hash-key", settings.string("llmtrace.redaction.hash-key", LOCAL_HASH_KEY)));
    StreamsRunner redaction = RedactionApp.start(Settings.of(redactionSettings));
    StreamsRunner assembly = AssemblyApp.start(Settings.of(streamsSettings));
    StreamsRunner metrics = MetricsApp.start(Settings.of(streamsSettings));
    StreamsRunner alerts = AlertApp.start(Settings.of(streamsSettings));
    StreamsRunner review = ReviewApp.start(Settings.of(streamsSettings));
    // alert episodes to an Alertmanager of yours, when LLMTRACE_ALERTMANAGER_URL names one
    String alertmanagerUrl = settings.string("llmtrace.alertmanager.url", null);
    AlertmanagerForwarder forwarder = alertmanagerUrl == null ? null : AlertmanagerForwarder.start(AlertmanagerForwarderConfig.from(
        Settings.of(Map.of("llmtrace.kafka.bootstrap", endpoints.kafkaBootstrap(), "llmtrace.schema.registry.url",
            endpoints.schemaRegistryUrl(), "llmtrace.topics.alerts", topics.alerts(), "llmtrace.alertmanager.url", alertmanagerUrl,
            "llmtrace.alertmanager.admin.host", "127.0.0.1"))));

    Map<String, String> gatewaySettings = new HashMap<>(Map.of(
        "llmtrace.gateway.host", "127.0.0.1",
        "llmtrace.gateway.api-keys-file", repo.resolve("deploy/config/api-keys.local.yaml").toString(),
        "llmtrace.kafka.bootstrap", endpoints.kafkaBootstrap(),
        "llmtrace.schema.registry.url", endpoints.schemaRegistryUrl(),
        "llmtrace.topics.raw", rawTopic));
    gatewaySettings.put("llmtrace.gateway.port", settings.string("llmtrace.gateway.port", Integer.toString(GatewayConfig.DEFAULT_PORT)));
    Gateway gateway = Gateway.start(GatewayConfig.from(Settings.of(gatewaySettings)));
    String gatewayUrl = "http://127.0.0.1:" + gateway.port();

    ClickHouseSink sink = ClickHouseSink.start(SinkConfig.from(Settings.of(Map.ofEntries(
        Map.entry("llmtrace.kafka.bootstrap", endpoints.kafkaBootstrap()),
        Map.entry("llmtrace.schema.registry.url", endpoints.schemaRegistryUrl()),
        Map.entry("llmtrace.topics.redacted", topics.redacted()),
        Map.entry("llmtrace.topics.traces", topics.traces()),
        Map.entry("llmtrace.topics.metrics", topics.metrics()),
        Map.entry("llmtrace.topics.alerts", topics.alerts()),
        Map.entry("llmtrace.topics.releases", topics.releases()),
        Map.entry("llmtrace.topics.review", topics.review()),
        Map.entry("llmtrace.clickhouse.url", endpoints.clickhouseUrl()),
        Map.entry("llmtrace.clickhouse.database", DATABASE),
        Map.entry("llmtrace.sink.admin.host", "127.0.0.1"),
        Map.entry("llmtrace.sink.admin.port", settings.string("llmtrace.sink.admin.port",
            Integer.toString(SinkConfig.DEFAULT_ADMIN_PORT)))))));

    List<Health> health = stack.health();
    boolean sinkUp = sink.health().up();
    boolean healthy = health.stream().allMatch(Health::healthy) && sinkUp && alerts.health().up() && review.health().up();
    System.out.printf("%nllmtrace is %s in %.1f s (data and logs in %s)%n", healthy ? "up" : "DEGRADED",
        (System.nanoTime() - began) / 1e9, stack.config().workDir());
    health.forEach(h -> System.out.println("  " + h));
    System.out.printf("  %-11s UP    %s (native /v1/spans, OTLP/HTTP /v1/traces, /metrics, /readyz)%n", "gateway", gatewayUrl);
    System.out.printf("  %-11s %s  %s -> %s (policy deploy/config/redaction-policy.yaml)%n", "redaction",
        redaction.health().up() ? "UP  " : "DOWN", rawTopic, topics.redacted());
    System.out.printf("  %-11s %s  %s -> %s (metrics on 127.0.0.1:%d)%n", "assembly",
        assembly.health().up() ? "UP  " : "DOWN", topics.redacted(), topics.traces(), assembly.adminPort());
    System.out.printf("  %-11s %s  %s, %s -> %s (one-minute windows; metrics on 127.0.0.1:%d)%n", "metrics",
        metrics.health().up() ? "UP  " : "DOWN", topics.redacted(), topics.traces(), topics.metrics(), metrics.adminPort());
    System.out.printf("  %-11s %s  %s, %s, %s -> %s (rules deploy/config/alert-rules.yaml; metrics on 127.0.0.1:%d)%n", "alerts",
        alerts.health().up() ? "UP  " : "DOWN", topics.metrics(), topics.redactionEvents(), topics.releases(), topics.alerts(),
        alerts.adminPort());
    System.out.printf("  %-11s %s  %s, %s, %s -> %s (deploy/config/review-queue.yaml; metrics on 127.0.0.1:%d)%n", "review",
        review.health().up() ? "UP  " : "DOWN", topics.traces(), topics.redacted(), topics.alerts(), topics.review(), review.adminPort());
    System.out.printf("  %-11s %s%n", "alertmgr", forwarder == null
        ? "off   (set LLMTRACE_ALERTMANAGER_URL=http://host:9093 to forward llm.alerts to your Alertmanager)"
        : (forwarder.health().up() ? "UP    " : "DOWN  ") + topics.alerts() + " -> " + alertmanagerUrl + " (metrics on 127.0.0.1:"
            + forwarder.adminPort() + ")");
    System.out.printf("  %-11s %s  %s, %s, %s, %s, %s, %s -> ClickHouse %s: spans, traces, metrics_1m, alerts, releases, review_queue"
        + " (/metrics, /health on 127.0.0.1:%d)%n", "sink", sinkUp ? "UP  " : "DOWN", topics.redacted(), topics.traces(), topics.metrics(),
        topics.alerts(), topics.releases(), topics.review(), DATABASE, sink.adminPort());
    System.out.printf("%n  Kafka bootstrap     %s   (raw spans: %s)%n", endpoints.kafkaBootstrap(), rawTopic);
    System.out.printf("  schema.registry.url %s%n", endpoints.schemaRegistryUrl());
    System.out.printf("  ClickHouse HTTP     %s   (JDBC: %s)%n", endpoints.clickhouseUrl(), endpoints.clickhouseJdbcUrl("default"));
    System.out.printf("%n  send a span:%n%s%n", curl(gatewayUrl));
    System.out.printf("%n  see it redacted:  deploy/run-local.sh tail %s%n", topics.redacted());
    System.out.printf("%n  query it in ClickHouse (a few seconds later):%n%s%n", exampleQuery(endpoints.clickhouseUrl()));
    System.out.printf("  analyst queries: deploy/clickhouse/queries/*.sql (parameters as param_<name>=... URL arguments)%n");
    System.out.printf("%n  OpenTelemetry SDKs: OTEL_EXPORTER_OTLP_ENDPOINT=%s OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \\%n"
        + "                      OTEL_EXPORTER_OTLP_HEADERS='Authorization=Bearer %s'%n", gatewayUrl, LOCAL_KEY);
    System.out.printf("  logs: %s/logs/%n%n", stack.config().workDir());

    if (command.equals("check")) {
      boolean stored = healthy && endToEnd(gatewayUrl, endpoints.clickhouseUrl());
      sink.close();
      if (forwarder != null) {
        forwarder.close();
      }
      review.close();
      alerts.close();
      metrics.close();
      assembly.close();
      redaction.close();
      gateway.close();
      stack.close();
      System.exit(stored ? 0 : 1);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("stopping llmtrace");
      gateway.close();
      redaction.close();
      assembly.close();
      metrics.close();
      if (forwarder != null) {
        forwarder.close();
      }
      alerts.close();
      review.close();
      sink.close();
      stack.close();
      stopped.countDown();
    }, "local-pipeline-shutdown"));
    System.out.println("running; press Ctrl-C to stop");
    stopped.await();
  }

  static String curl(String gatewayUrl) {
    return """
          curl -sS -X POST %s/v1/spans \\
            -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \\
            -d '%s'""".formatted(gatewayUrl, LOCAL_KEY, exampleSpans("00f067aa0ba902b7").replace("\n", "\n               "));
  }

  /** The example request: one LLM span whose prompt holds an e-mail address (redacted before storage). */
  static String exampleSpans(String spanId) {
    long now = System.currentTimeMillis() * 1000;
    return """
        {"spans":[{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"%s","name":"chat","kind":"LLM",
          "start_time":%d,"end_time":%d,
          "prompt":{"name":"triage","version":"v35","messages":[{"role":"user","content":"My invoice is wrong, mail me at jane.doe@example.com"}]},
          "model":{"provider":"openai","name":"gpt-4o"},"usage":{"input_tokens":1200,"output_tokens":80}}]}"""
        .formatted(spanId, now, now + 850_000);
  }

  static String exampleQuery(String clickhouseUrl) {
    return """
          curl -sS '%s/?database=%s' --data-binary "SELECT start_time, trace_id, name, prompt_version, model_name,
            input_tokens, prompt_messages[1].content AS input, redaction_counts FROM spans
            ORDER BY start_time DESC LIMIT 5 FORMAT Vertical\"""".formatted(clickhouseUrl, DATABASE);
  }

  /**
   * What {@code check} proves beyond health: the example span, sent to the gateway, is in ClickHouse
   * within a minute, with the e-mail address in its prompt redacted.
   */
  static boolean endToEnd(String gatewayUrl, String clickhouseUrl) throws Exception {
    String spanId = String.format("%016x", System.nanoTime());
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> sent = http.send(HttpRequest.newBuilder(URI.create(gatewayUrl + "/v1/spans"))
        .header("Authorization", "Bearer " + LOCAL_KEY).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(exampleSpans(spanId))).build(), HttpResponse.BodyHandlers.ofString());
    if (sent.statusCode() / 100 != 2) {
      System.out.println("  end to end: the gateway answered " + sent.statusCode() + ": " + sent.body());
      return false;
    }
    String query = "SELECT prompt_messages[1].content FROM spans WHERE span_id = '" + spanId + "' FORMAT TSVRaw";
    long began = System.nanoTime();
    long deadline = began + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> row = http.send(HttpRequest.newBuilder(URI.create(clickhouseUrl + "/?database=" + DATABASE))
          .POST(HttpRequest.BodyPublishers.ofString(query)).build(), HttpResponse.BodyHandlers.ofString());
      if (row.statusCode() == 200 && !row.body().isBlank()) {
        boolean redacted = !row.body().contains("jane.doe@example.com");
        System.out.printf("  end to end: span %s in ClickHouse after %.1f s, stored prompt: %s (%s)%n", spanId,
            (System.nanoTime() - began) / 1e9, row.body().strip(), redacted ? "redacted" : "NOT REDACTED");
        return redacted;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
    }
    System.out.println("  end to end: span " + spanId + " did not reach ClickHouse within 60 s");
    return false;
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
