package io.llmtrace.processors.aggregate;

import io.llmtrace.processors.common.PipelineTopics;
import io.llmtrace.processors.common.StreamsRunner;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.schemas.registry.SchemaRegistryClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.Topology;

/** Windowed metrics as a Kafka Streams application (exactly_once_v2); settings in {@link MetricsConfig}. */
public final class MetricsApp {

  public static final String NAME = "windowed-metrics";

  private MetricsApp() {}

  public static Topology topology(MetricsConfig config, MetricsMeters meters) {
    SchemaRegistryClient registry = SchemaRegistryClient.builder(config.streams().registryUrl()).build();
    return MetricsTopology.build(PipelineTopics.create(config.topics(), registry), config.windows(), meters);
  }

  public static StreamsRunner start(Settings settings) {
    MetricsConfig config = MetricsConfig.from(settings);
    PrometheusMeterRegistry registry = StreamsRunner.registry(config.streams());
    return StreamsRunner.start(NAME, topology(config, new MetricsMeters(registry)), config.streams(), registry);
  }

  /** Process entry point: runs until SIGTERM; exits 2 on bad settings, 1 when the application fails. */
  public static void main(String[] args) throws InterruptedException {
    MetricsConfig config;
    try {
      config = MetricsConfig.from(Settings.fromEnvironment());
    } catch (RuntimeException e) {
      System.err.println("windowed metrics: " + e.getMessage());
      System.exit(2);
      return;
    }
    PrometheusMeterRegistry registry = StreamsRunner.registry(config.streams());
    System.exit(StreamsRunner.runUntilStopped(NAME, topology(config, new MetricsMeters(registry)), config.streams(), registry));
  }
}
