package io.llmtrace.processors.alert.forward;

import io.llmtrace.processors.common.StreamsSettings;
import io.llmtrace.processors.common.TopicNames;
import io.llmtrace.schemas.config.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Alertmanager forwarder's settings; invalid values stop it at start naming key and value.
 *
 * <table>
 *   <tr><th>setting</th><th>default</th><th></th></tr>
 *   <tr><td>llmtrace.alertmanager.url</td><td>(required)</td><td>Alertmanager base URL(s), comma-separated: every instance of a cluster</td></tr>
 *   <tr><td>llmtrace.alertmanager.resend-interval</td><td>1m</td><td>open episodes are posted again this often, valid for 4 intervals</td></tr>
 *   <tr><td>llmtrace.alertmanager.look-back</td><td>7d</td><td>how far back the open episodes are rebuilt from the topic; longer-silent episodes expire</td></tr>
 *   <tr><td>llmtrace.alertmanager.request-timeout</td><td>10s</td><td>per POST</td></tr>
 *   <tr><td>llmtrace.alertmanager.retry-backoff / .retry-backoff-max</td><td>500ms / 30s</td><td>between attempts while no Alertmanager answers</td></tr>
 *   <tr><td>llmtrace.alertmanager.group-id</td><td>{@value #DEFAULT_GROUP_ID}</td><td>the consumer group</td></tr>
 *   <tr><td>llmtrace.alertmanager.admin.host / .port</td><td>0.0.0.0 / {@value #DEFAULT_ADMIN_PORT}</td><td>/metrics and /health (0: any free port)</td></tr>
 *   <tr><td>llmtrace.alertmanager.consumer.*</td><td></td><td>raw Kafka consumer settings (not isolation.level, enable.auto.commit)</td></tr>
 *   <tr><td>llmtrace.kafka.bootstrap, llmtrace.schema.registry.url</td><td>as every stage</td><td></td></tr>
 * </table>
 * Topic: {@code llmtrace.topics.alerts} ({@link TopicNames}).
 */
public record AlertmanagerForwarderConfig(String bootstrap, String registryUrl, String groupId, String adminHost, int adminPort,
    TopicNames topics, List<URI> alertmanagers, Duration resendInterval, Duration lookBack, Duration requestTimeout,
    Duration retryBackoff, Duration retryBackoffMax, Map<String, String> consumerOverrides) {

  public static final String DEFAULT_GROUP_ID = "llmtrace-alertmanager-forwarder";
  public static final int DEFAULT_ADMIN_PORT = 9469;
  public static final Duration DEFAULT_RESEND_INTERVAL = Duration.ofMinutes(1);
  public static final Duration DEFAULT_LOOK_BACK = Duration.ofDays(7);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(500);
  public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofSeconds(30);

  public AlertmanagerForwarderConfig {
    Objects.requireNonNull(bootstrap, "bootstrap");
    Objects.requireNonNull(registryUrl, "registryUrl");
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(topics, "topics");
    alertmanagers = List.copyOf(alertmanagers);
    consumerOverrides = Map.copyOf(consumerOverrides);
    check(!alertmanagers.isEmpty(), "llmtrace.alertmanager.url", alertmanagers, "needs at least one URL");
    check(positive(resendInterval), "llmtrace.alertmanager.resend-interval", resendInterval, "must be positive");
    check(lookBack.compareTo(resendInterval) > 0, "llmtrace.alertmanager.look-back", lookBack, "must be longer than the resend interval");
    check(positive(requestTimeout), "llmtrace.alertmanager.request-timeout", requestTimeout, "must be positive");
    check(positive(retryBackoff), "llmtrace.alertmanager.retry-backoff", retryBackoff, "must be positive");
    check(retryBackoffMax.compareTo(retryBackoff) >= 0, "llmtrace.alertmanager.retry-backoff-max", retryBackoffMax,
        "must be at least the retry backoff");
  }

  public static AlertmanagerForwarderConfig from(Settings settings) {
    return new AlertmanagerForwarderConfig(
        settings.string("llmtrace.kafka.bootstrap", StreamsSettings.DEFAULT_BOOTSTRAP),
        settings.string("llmtrace.schema.registry.url", StreamsSettings.DEFAULT_REGISTRY_URL),
        settings.string("llmtrace.alertmanager.group-id", DEFAULT_GROUP_ID),
        settings.string("llmtrace.alertmanager.admin.host", StreamsSettings.DEFAULT_ADMIN_HOST),
        settings.integer("llmtrace.alertmanager.admin.port", DEFAULT_ADMIN_PORT, 0, 65_535),
        TopicNames.from(settings),
        urls(settings.required("llmtrace.alertmanager.url")),
        settings.duration("llmtrace.alertmanager.resend-interval", DEFAULT_RESEND_INTERVAL),
        settings.duration("llmtrace.alertmanager.look-back", DEFAULT_LOOK_BACK),
        settings.duration("llmtrace.alertmanager.request-timeout", DEFAULT_REQUEST_TIMEOUT),
        settings.duration("llmtrace.alertmanager.retry-backoff", DEFAULT_RETRY_BACKOFF),
        settings.duration("llmtrace.alertmanager.retry-backoff-max", DEFAULT_RETRY_BACKOFF_MAX),
        settings.withPrefix("llmtrace.alertmanager.consumer."));
  }

  /** The topic the forwarder reads. */
  public String topic() {
    return topics.alerts();
  }

  static List<URI> urls(String value) {
    List<URI> urls = new ArrayList<>();
    for (String part : value.split(",")) {
      String text = part.strip();
      if (text.isEmpty()) {
        continue;
      }
      URI url;
      try {
        url = new URI(text);
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException("invalid setting llmtrace.alertmanager.url = '" + value + "': '" + text + "' is not a URL");
      }
      check(("http".equals(url.getScheme()) || "https".equals(url.getScheme())) && url.getHost() != null,
          "llmtrace.alertmanager.url", value, "'" + text + "' must be an http(s) URL with a host, such as http://alertmanager:9093");
      urls.add(url);
    }
    check(!urls.isEmpty(), "llmtrace.alertmanager.url", value, "needs at least one URL");
    return urls;
  }

  private static boolean positive(Duration d) {
    return !d.isZero() && !d.isNegative();
  }

  private static void check(boolean ok, String key, Object value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException("invalid setting " + key + " = '" + value + "': " + rule);
    }
  }
}
