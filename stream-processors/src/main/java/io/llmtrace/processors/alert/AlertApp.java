package io.llmtrace.processors.alert;

import io.llmtrace.processors.common.PipelineTopics;
import io.llmtrace.processors.common.StreamsRunner;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.schemas.registry.SchemaRegistryClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.Topology;
import org.slf4j.LoggerFactory;

/** Alert rule evaluation as a Kafka Streams application (exactly_once_v2); settings in {@link AlertConfig}. */
public final class AlertApp {

  public static final String NAME = "alerts";

  private AlertApp() {}

  public static Topology topology(AlertConfig config, AlertMeters meters) {
    SchemaRegistryClient registry = SchemaRegistryClient.builder(config.streams().registryUrl()).build();
    return AlertTopology.build(PipelineTopics.create(config.topics(), registry), config.rules(), config.groupAttributes(),
        config.evaluateInterval(), meters);
  }

  public static StreamsRunner start(Settings settings) {
    AlertConfig config = AlertConfig.from(settings);
    PrometheusMeterRegistry registry = StreamsRunner.registry(config.streams());
    log(config);
    return StreamsRunner.start(NAME, topology(config, new AlertMeters(registry)), config.streams(), registry);
  }

  private static void log(AlertConfig config) {
    LoggerFactory.getLogger(AlertApp.class).info(config.evaluation().describe());
  }

  /** Process entry point: runs until SIGTERM; exits 2 on bad settings or rules, 1 when the application fails. */
  public static void main(String[] args) throws InterruptedException {
    AlertConfig config;
    try {
      config = AlertConfig.from(Settings.fromEnvironment());
    } catch (RuntimeException e) {
      System.err.println("alerts: " + e.getMessage());
      System.exit(2);
      return;
    }
    PrometheusMeterRegistry registry = StreamsRunner.registry(config.streams());
    log(config);
    System.exit(StreamsRunner.runUntilStopped(NAME, topology(config, new AlertMeters(registry)), config.streams(), registry));
  }
}
