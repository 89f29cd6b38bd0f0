package io.llmtrace.processors.common;

import io.llmtrace.schemas.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/**
 * What every stream application shares: where Kafka and the schema registry are, its application id,
 * state directory and admin port, and raw Kafka Streams overrides. Read with {@link Settings}
 * (defaults &lt; config file &lt; environment &lt; system properties); each app's own record
 * ({@code RedactionConfig}, {@code AssemblyConfig}) holds one of these.
 *
 * <table>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>llmtrace.kafka.bootstrap</td><td>{@value #DEFAULT_BOOTSTRAP}</td></tr>
 *   <tr><td>llmtrace.schema.registry.url</td><td>{@value #DEFAULT_REGISTRY_URL}</td></tr>
 *   <tr><td>llmtrace.&lt;app&gt;.application-id</td><td>llmtrace-&lt;app&gt;</td></tr>
 *   <tr><td>llmtrace.&lt;app&gt;.admin.host / .port</td><td>{@value #DEFAULT_ADMIN_HOST} / per app (0: any free port)</td></tr>
 *   <tr><td>llmtrace.streams.state.dir</td><td>Kafka Streams' default ({@code java.io.tmpdir}/kafka-streams)</td></tr>
 *   <tr><td>llmtrace.streams.commit.interval.ms</td><td>{@value #DEFAULT_COMMIT_INTERVAL_MS}</td></tr>
 *   <tr><td>llmtrace.streams.*</td><td>any other Kafka Streams setting (num.stream.threads, ...)</td></tr>
 * </table>
 *
 * The processing guarantee is always {@code exactly_once_v2}: every stage's promise ("a record's output,
 * its state change and its offset commit happen together") depends on it, so it cannot be overridden.
 */
public record StreamsSettings(String bootstrap, String registryUrl, String applicationId, String adminHost, int adminPort,
    Map<String, String> overrides) {

  public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";
  public static final String DEFAULT_REGISTRY_URL = "http://127.0.0.1:8081/apis/ccompat/v7";
  public static final String DEFAULT_ADMIN_HOST = "0.0.0.0";
  /** Short: downstream stages wait for a transaction to commit before they see its records. */
  public static final int DEFAULT_COMMIT_INTERVAL_MS = 200;

  public StreamsSettings {
    Objects.requireNonNull(bootstrap, "bootstrap");
    Objects.requireNonNull(registryUrl, "registryUrl");
    Objects.requireNonNull(applicationId, "applicationId");
    overrides = Map.copyOf(overrides);
    String guarantee = overrides.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
    if (guarantee != null && !guarantee.equals(StreamsConfig.EXACTLY_ONCE_V2)) {
      throw new IllegalArgumentException("llmtrace.streams.processing.guarantee = " + guarantee
          + ": the stream stages run with exactly_once_v2 only");
    }
  }

  /**
   * @param app          the application's key, e.g. {@code redaction} or {@code assembly}
   * @param defaultAdmin its default admin port
   */
  public static StreamsSettings from(Settings settings, String app, int defaultAdmin) {
    return new StreamsSettings(
        settings.string("llmtrace.kafka.bootstrap", DEFAULT_BOOTSTRAP),
        settings.string("llmtrace.schema.registry.url", DEFAULT_REGISTRY_URL),
        settings.string("llmtrace." + app + ".application-id", "llmtrace-" + app),
        settings.string("llmtrace." + app + ".admin.host", DEFAULT_ADMIN_HOST),
        settings.integer("llmtrace." + app + ".admin.port", defaultAdmin, 0, 65_535),
        settings.withPrefix("llmtrace.streams."));
  }

  /** The Kafka Streams properties: ours first, then the overrides (except the guarantee, fixed above). */
  public Properties streamsProperties() {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, DEFAULT_COMMIT_INTERVAL_MS);
    props.putAll(overrides);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    return props;
  }

  /** The state directory Kafka Streams will use (for size reports). */
  public Path stateDir() {
    String dir = overrides.get(StreamsConfig.STATE_DIR_CONFIG);
    return dir != null ? Path.of(dir) : Path.of(System.getProperty("java.io.tmpdir"), "kafka-streams");
  }

  /** How long {@link StreamsRunner} waits for a clean close on SIGTERM. */
  public Duration closeTimeout() {
    return Duration.ofSeconds(30);
  }
}
