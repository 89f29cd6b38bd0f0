package io.llmtrace.processors.review;

import io.llmtrace.processors.common.PipelineTopics;
import io.llmtrace.processors.common.StreamsRunner;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.schemas.registry.SchemaRegistryClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.apache.kafka.streams.Topology;
import org.slf4j.LoggerFactory;

/** The human review queue as a Kafka Streams application (exactly_once_v2); settings in {@link ReviewConfig}. */
public final class ReviewApp {

  public static final String NAME = "review-queue";

  private ReviewApp() {}

  public static Topology topology(ReviewConfig config, ReviewMeters meters) {
    SchemaRegistryClient registry = SchemaRegistryClient.builder(config.streams().registryUrl()).build();
    return ReviewTopology.build(PipelineTopics.create(config.topics(), registry), config.policy(), config.state(), meters);
  }

  public static StreamsRunner start(Settings settings) {
    ReviewConfig config = ReviewConfig.from(settings);
    PrometheusMeterRegistry registry = StreamsRunner.registry(config.streams());
    log(config);
    return StreamsRunner.start(NAME, topology(config, new ReviewMeters(registry)), config.streams(), registry);
  }

  private static void log(ReviewConfig config) {
    String reasons = Arrays.stream(ReviewReason.values()).filter(config.policy()::enabled)
        .map(r -> r.key() + "@" + config.policy().rule(r).sampleRate()).collect(Collectors.joining(", "));
    LoggerFactory.getLogger(ReviewApp.class).info("review queue from {}: {}", config.policySource(), reasons);
  }

  /** Process entry point: runs until SIGTERM; exits 2 on bad settings or a bad queue file, 1 when the application fails. */
  public static void main(String[] args) throws InterruptedException {
    ReviewConfig config;
    try {
      config = ReviewConfig.from(Settings.fromEnvironment());
    } catch (RuntimeException e) {
      System.err.println("review queue: " + e.getMessage());
      System.exit(2);
      return;
    }
    PrometheusMeterRegistry registry = StreamsRunner.registry(config.streams());
    log(config);
    System.exit(StreamsRunner.runUntilStopped(NAME, topology(config, new ReviewMeters(registry)), config.streams(), registry));
  }
}
