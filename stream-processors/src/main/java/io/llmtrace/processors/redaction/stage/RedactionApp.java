package io.llmtrace.processors.redaction.stage;

import io.llmtrace.processors.enrich.CostEnricher;
import io.llmtrace.processors.enrich.PriceTable;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.config.Settings;
import io.llmtrace.schemas.registry.SchemaRegistryClient;
import io.llmtrace.schemas.serde.AvroSerdes;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The redaction stage as a Kafka Streams application with exactly_once_v2: the read of a raw record,
 * its routed output and the consumer offset commit in one transaction.
 *
 * <table>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>llmtrace.kafka.bootstrap</td><td>127.0.0.1:9092</td></tr>
 *   <tr><td>llmtrace.schema.registry.url</td><td>http://127.0.0.1:8081/apis/ccompat/v7</td></tr>
 *   <tr><td>llmtrace.redaction.application-id</td><td>llmtrace-redaction</td></tr>
 *   <tr><td>llmtrace.redaction.policy-file</td><td>deploy/config/redaction-policy.yaml</td></tr>
 *   <tr><td>llmtrace.enrichment.price-table</td><td>deploy/config/model-prices.yaml</td></tr>
 *   <tr><td>llmtrace.topics.raw / .redacted / .dead-letters / .quarantine / .redaction-events</td><td>see RedactionTopics</td></tr>
 *   <tr><td>llmtrace.streams.*</td><td>raw Kafka Streams overrides (state.dir, num.stream.threads, ...)</td></tr>
 * </table>
 */
public final class RedactionApp {

  private static final Logger LOG = LoggerFactory.getLogger(RedactionApp.class);

  private RedactionApp() {}

  /**
   * Builds (not starts) the application with the policy file's scrubber; the policy's hash key comes
   * from the setting it names (e.g. {@code LLMTRACE_REDACTION_HASH_KEY} / {@code -Dllmtrace.redaction.hash-key}).
   */
  public static KafkaStreams create(Settings settings) {
    Path policy = Path.of(settings.string("llmtrace.redaction.policy-file", "deploy/config/redaction-policy.yaml"));
    return create(settings, PolicyScrubber.fromFile(policy, settings::env));
  }

  /** Builds the application around a given scrubber. */
  public static KafkaStreams create(Settings settings, SpanScrubber scrubber) {
    String registryUrl = settings.string("llmtrace.schema.registry.url", "http://127.0.0.1:8081/apis/ccompat/v7");
    SchemaRegistryClient registry = SchemaRegistryClient.builder(registryUrl).build();
    CostEnricher enricher = new CostEnricher(PriceTable.load(Path.of(settings.string("llmtrace.enrichment.price-table",
        "deploy/config/model-prices.yaml"))));
    RedactionTopics topics = RedactionTopics.from(settings);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.string("llmtrace.redaction.application-id", "llmtrace-redaction"));
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.string("llmtrace.kafka.bootstrap", "127.0.0.1:9092"));
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
    props.putAll(settings.withPrefix("llmtrace.streams."));
    return new KafkaStreams(RedactionTopology.build(topics,
        AvroSerdes.specific(LlmSpan.class, registry, Map.of(), false),
        AvroSerdes.specific(AlertEvent.class, registry, Map.of(), false), scrubber, enricher), props);
  }

  /** Runs until SIGTERM; a broken policy or price table stops it at start with the file and line. */
  public static void run(Settings settings) throws InterruptedException {
    KafkaStreams streams = create(settings);
    CountDownLatch stopped = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      LOG.info("redaction stage {} -> {}", before, now);
      if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
        stopped.countDown();
      }
    });
    Runtime.getRuntime().addShutdownHook(new Thread(streams::close, "redaction-shutdown"));
    streams.start();
    stopped.await();
  }
}
