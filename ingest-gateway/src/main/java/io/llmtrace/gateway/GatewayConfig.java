package io.llmtrace.gateway;

import io.llmtrace.gateway.intake.IntakeLimits;
import io.llmtrace.schemas.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the gateway is configured with, read once at start-up from {@link Settings} (defaults &lt;
 * {@code llmtrace.config.file} &lt; {@code LLMTRACE_*} environment &lt; {@code -Dllmtrace.*}).
 *
 * <table>
 *   <tr><th>key</th><th>default</th></tr>
 *   <tr><td>llmtrace.gateway.host / .port</td><td>0.0.0.0 / 4318 (the OTLP/HTTP port)</td></tr>
 *   <tr><td>llmtrace.gateway.api-keys-file</td><td>required: YAML of hashed keys, see ApiKeys</td></tr>
 *   <tr><td>llmtrace.gateway.max-body</td><td>8MB (after decompression)</td></tr>
 *   <tr><td>llmtrace.gateway.max-spans-per-request</td><td>1000</td></tr>
 *   <tr><td>llmtrace.gateway.max-text-chars</td><td>32768 (longer text is truncated with a marker)</td></tr>
 *   <tr><td>llmtrace.gateway.spans-per-second</td><td>20000 per key (0 = unlimited), keys may override</td></tr>
 *   <tr><td>llmtrace.gateway.produce-timeout</td><td>5s: longest wait for Kafka before answering 503</td></tr>
 *   <tr><td>llmtrace.gateway.max-in-flight</td><td>48MB of serialized spans awaiting acknowledgement</td></tr>
 *   <tr><td>llmtrace.gateway.event-loops</td><td>number of cores</td></tr>
 *   <tr><td>llmtrace.kafka.bootstrap</td><td>127.0.0.1:9092</td></tr>
 *   <tr><td>llmtrace.schema.registry.url</td><td>http://127.0.0.1:8081/apis/ccompat/v7</td></tr>
 *   <tr><td>llmtrace.topics.raw</td><td>llm.spans.raw</td></tr>
 *   <tr><td>llmtrace.topics.releases</td><td>llm.releases (release markers of POST /v1/releases)</td></tr>
 *   <tr><td>llmtrace.kafka.producer.*</td><td>raw producer overrides (acks and idempotence stay fixed)</td></tr>
 * </table>
 */
public record GatewayConfig(
    String host, int port, Path apiKeysFile, long maxBodyBytes, IntakeLimits limits, int spansPerSecond,
    Duration produceTimeout, long maxInFlightBytes, int eventLoops, String kafkaBootstrap, String registryUrl,
    String rawTopic, String releasesTopic, Map<String, String> producerOverrides) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 4318;
  public static final long DEFAULT_MAX_BODY = 8L * 1024 * 1024;
  public static final int DEFAULT_SPANS_PER_SECOND = 20_000;
  public static final Duration DEFAULT_PRODUCE_TIMEOUT = Duration.ofSeconds(5);
  public static final long DEFAULT_MAX_IN_FLIGHT = 48L * 1024 * 1024;
  public static final String DEFAULT_RAW_TOPIC = "llm.spans.raw";
  public static final String DEFAULT_RELEASES_TOPIC = "llm.releases";

  public static GatewayConfig from(Settings settings) {
    IntakeLimits defaults = IntakeLimits.defaults();
    IntakeLimits limits = new IntakeLimits(
        settings.integer("llmtrace.gateway.max-text-chars", defaults.maxTextChars(), 64, 64 * 1024 * 1024),
        settings.integer("llmtrace.gateway.max-spans-per-request", defaults.maxSpansPerRequest(), 1, 1_000_000),
        settings.duration("llmtrace.gateway.max-future", defaults.maxFuture()),
        settings.duration("llmtrace.gateway.max-age", defaults.maxAge()),
        settings.duration("llmtrace.gateway.max-duration", defaults.maxDuration()));
    Duration produceTimeout = settings.duration("llmtrace.gateway.produce-timeout", DEFAULT_PRODUCE_TIMEOUT);
    if (produceTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("invalid setting llmtrace.gateway.produce-timeout = '" + produceTimeout + "': expected at least 1s");
    }
    return new GatewayConfig(
        settings.string("llmtrace.gateway.host", DEFAULT_HOST),
        settings.integer("llmtrace.gateway.port", DEFAULT_PORT, 0, 65535),
        Path.of(settings.required("llmtrace.gateway.api-keys-file")),
        settings.bytes("llmtrace.gateway.max-body", DEFAULT_MAX_BODY),
        limits,
        settings.integer("llmtrace.gateway.spans-per-second", DEFAULT_SPANS_PER_SECOND, 0, Integer.MAX_VALUE),
        produceTimeout,
        settings.bytes("llmtrace.gateway.max-in-flight", DEFAULT_MAX_IN_FLIGHT),
        settings.integer("llmtrace.gateway.event-loops", Runtime.getRuntime().availableProcessors(), 1, 256),
        settings.string("llmtrace.kafka.bootstrap", "127.0.0.1:9092"),
        settings.string("llmtrace.schema.registry.url", "http://127.0.0.1:8081/apis/ccompat/v7"),
        settings.string("llmtrace.topics.raw", DEFAULT_RAW_TOPIC),
        settings.string("llmtrace.topics.releases", DEFAULT_RELEASES_TOPIC),
        settings.withPrefix("llmtrace.kafka.producer."));
  }
}
