package io.llmtrace.processors.assemble;

import io.llmtrace.processors.common.PipelineTopics;
import io.llmtrace.processors.common.StreamsRunner;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.schemas.registry.SchemaRegistryClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.Topology;

/** Trace assembly as a Kafka Streams application (exactly_once_v2); settings in {@link AssemblyConfig}. */
public final class AssemblyApp {

  public static final String NAME = "trace-assembly";

  private AssemblyApp() {}

  public static Topology topology(AssemblyConfig config, AssemblyMetrics metrics) {
    SchemaRegistryClient registry = SchemaRegistryClient.builder(config.streams().registryUrl()).build();
    return TraceAssemblyTopology.build(PipelineTopics.create(config.topics(), registry), config.timing(), config.limits(), metrics);
  }

  public static StreamsRunner start(Settings settings) {
    AssemblyConfig config = AssemblyConfig.from(settings);
    PrometheusMeterRegistry registry = StreamsRunner.registry(config.streams());
    return StreamsRunner.start(NAME, topology(config, new AssemblyMetrics(registry)), config.streams(), registry);
  }

  /** Process entry point: runs until SIGTERM; exits 2 on bad settings, 1 when the application fails. */
  public static void main(String[] args) throws InterruptedException {
    AssemblyConfig config;
    try {
      config = AssemblyConfig.from(Settings.fromEnvironment());
    } catch (RuntimeException e) {
      System.err.println("trace assembly: " + e.getMessage());
      System.exit(2);
      return;
    }
    PrometheusMeterRegistry registry = StreamsRunner.registry(config.streams());
    System.exit(StreamsRunner.runUntilStopped(NAME, topology(config, new AssemblyMetrics(registry)), config.streams(), registry));
  }
}
