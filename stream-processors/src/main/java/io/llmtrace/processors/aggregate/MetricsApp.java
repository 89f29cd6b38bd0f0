package io.llmtrace.processors.aggregate;

import io.llmtrace.processors.alert.AlertConfig;
import io.llmtrace.processors.alert.AlertMeters;
import io.llmtrace.processors.alert.AlertTopology;
import io.llmtrace.processors.common.PipelineTopics;
import io.llmtrace.processors.common.StreamsRunner;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.schemas.registry.SchemaRegistryClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.slf4j.LoggerFactory;

/**
 * Windowed metrics as a Kafka Streams application (exactly_once_v2); settings in {@link MetricsConfig}. With
 * {@code llmtrace.metrics.evaluate-alerts=true} it evaluates the alert rules as well, on the windows as it closes
 * them and the spans it has decoded ({@link AlertTopology#attach}): one application and one JVM fewer, which on a
 * small machine is the difference between keeping up and not (docs/BENCHMARKS.md, "Windowed metrics + alerts").
 */
public final class MetricsApp {

  public static final String NAME = "windowed-metrics";

  private MetricsApp() {}

  public static Topology topology(MetricsConfig config, MetricsMeters meters) {
    return topology(config, meters, null, null);
  }

  /** With {@code alerts} (and their meters) non-null: the metrics stage and the alert stage in one application. */
  public static Topology topology(MetricsConfig config, MetricsMeters meters, AlertConfig.Evaluation alerts, AlertMeters alertMeters) {
    SchemaRegistryClient registry = SchemaRegistryClient.builder(config.streams().registryUrl()).build();
    PipelineTopics topics = PipelineTopics.create(config.topics(), registry);
    return alerts == null ? MetricsTopology.build(topics, config.windows(), meters)
        : withAlerts(topics, config.windows(), meters, alerts, alertMeters);
  }

  /** The metrics stage and the alert stage as one topology: the alert stage's samples taken from the windows as they close. */
  public static Topology withAlerts(PipelineTopics topics, MetricsConfig.Windows windows, MetricsMeters meters, AlertConfig.Evaluation alerts,
      AlertMeters alertMeters) {
    StreamsBuilder builder = new StreamsBuilder();
    MetricsTopology.Streams out = MetricsTopology.addTo(builder, topics, windows, meters, AlertTopology.tap(alerts.rules()));
    AlertTopology.attach(builder, topics, alerts.rules(), alerts.groupAttributes(), alerts.evaluateInterval(), alertMeters, out.windows(),
        out.tapped());
    return builder.build();
  }

  public static StreamsRunner start(Settings settings) {
    MetricsConfig config = MetricsConfig.from(settings);
    AlertConfig.Evaluation alerts = config.evaluateAlerts() ? AlertConfig.Evaluation.from(settings) : null;
    PrometheusMeterRegistry registry = StreamsRunner.registry(config.streams());
    return StreamsRunner.start(NAME, topology(config, registry, alerts), config.streams(), registry);
  }

  private static Topology topology(MetricsConfig config, PrometheusMeterRegistry registry, AlertConfig.Evaluation alerts) {
    if (alerts != null) {
      LoggerFactory.getLogger(MetricsApp.class).info("evaluating alerts in this application: {}", alerts.describe());
    }
    return topology(config, new MetricsMeters(registry), alerts, alerts == null ? null : new AlertMeters(registry));
  }

  /** Process entry point: runs until SIGTERM; exits 2 on bad settings (or rules), 1 when the application fails. */
  public static void main(String[] args) throws InterruptedException {
    MetricsConfig config;
    AlertConfig.Evaluation alerts;
    try {
      Settings settings = Settings.fromEnvironment();
      config = MetricsConfig.from(settings);
      alerts = config.evaluateAlerts() ? AlertConfig.Evaluation.from(settings) : null;
    } catch (RuntimeException e) {
      System.err.println("windowed metrics: " + e.getMessage());
      System.exit(2);
      return;
    }
    PrometheusMeterRegistry registry = StreamsRunner.registry(config.streams());
    System.exit(StreamsRunner.runUntilStopped(NAME, topology(config, registry, alerts), config.streams(), registry));
  }
}
