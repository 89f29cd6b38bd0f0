package io.llmtrace.processors.redact;

import io.llmtrace.processors.common.PipelineTopics;
import io.llmtrace.processors.common.StreamsRunner;
import io.llmtrace.processors.enrich.CostEnricher;
import io.llmtrace.processors.enrich.PriceTables;
import io.llmtrace.processors.redaction.RedactionPolicy;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.schemas.registry.SchemaRegistryClient;
import java.util.function.Function;
import org.apache.kafka.streams.Topology;

/**
 * The redaction stage as a Kafka Streams application with exactly_once_v2: the read of a raw record,
 * its routed output and the consumer offset commit in one transaction. Settings: {@link RedactionConfig}.
 */
public final class RedactionApp {

  private RedactionApp() {}

  /** The topology with the configured policy (its hash key resolved through {@code env}) and prices. */
  public static Topology topology(RedactionConfig config, Function<String, String> env) {
    return topology(config, scrubber(config, env));
  }

  /** The topology around a given scrubber. */
  public static Topology topology(RedactionConfig config, SpanScrubber scrubber) {
    SchemaRegistryClient registry = SchemaRegistryClient.builder(config.streams().registryUrl()).build();
    return RedactionTopology.build(PipelineTopics.create(config.topics(), registry), scrubber, enricher(config));
  }

  /** Starts the stage; a broken policy or price table stops it here with the file and line. */
  public static StreamsRunner start(Settings settings) {
    RedactionConfig config = RedactionConfig.from(settings);
    return StreamsRunner.start("redaction", topology(config, settings::env), config.streams());
  }

  static PolicyScrubber scrubber(RedactionConfig config, Function<String, String> env) {
    return config.policyFile().map(file -> PolicyScrubber.fromFile(file, env))
        .orElseGet(() -> new PolicyScrubber(RedactionPolicy.loadDefault(env)));
  }

  /** The bundled genai-prices data, behind the contract prices of the configured table if there is one. */
  static CostEnricher enricher(RedactionConfig config) {
    return new CostEnricher(config.priceTable().map(PriceTables::load).orElseGet(PriceTables::bundledOnly));
  }
}
