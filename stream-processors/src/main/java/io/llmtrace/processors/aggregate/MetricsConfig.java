package io.llmtrace.processors.aggregate;

import io.llmtrace.processors.common.StreamsSettings;
import io.llmtrace.processors.common.TopicNames;
import io.llmtrace.schemas.config.Settings;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The windowed-metrics application's settings; invalid values stop it at start naming key and value.
 *
 * <table>
 *   <tr><th>setting</th><th>default</th><th></th></tr>
 *   <tr><td>llmtrace.metrics.window</td><td>1m</td><td>tumbling event-time windows (by span start / trace start)</td></tr>
 *   <tr><td>llmtrace.metrics.grace</td><td>2m</td><td>how late a span may be and still count; later ones count in late_dropped</td></tr>
 *   <tr><td>llmtrace.metrics.idle-close-after</td><td>the grace</td><td>a partition with no record for this long (wall clock) closes windows by the wall clock</td></tr>
 *   <tr><td>llmtrace.metrics.group-attributes</td><td>customer_tier</td><td>span attribute keys added to the span-level groups (comma-separated)</td></tr>
 *   <tr><td>llmtrace.metrics.max-groups-per-tenant</td><td>{@value #DEFAULT_MAX_GROUPS}</td><td>groups per tenant per window and level; the rest fold into the tenant's overflow group</td></tr>
 *   <tr><td>llmtrace.metrics.attribution-retention</td><td>1h</td><td>how long a span's group is remembered for evaluations and feedback that arrive later as their own spans</td></tr>
 *   <tr><td>llmtrace.metrics.punctuate-interval</td><td>1s</td><td></td></tr>
 *   <tr><td>llmtrace.metrics.application-id / .admin.port</td><td>llmtrace-metrics / {@value #DEFAULT_ADMIN_PORT}</td><td></td></tr>
 *   <tr><td>llmtrace.metrics.evaluate-alerts</td><td>false</td><td>true: this application evaluates the alert rules too
 *       (the {@code llmtrace.alerts.*} rule settings; publishes to {@code llmtrace.topics.alerts}), and no separate alert app runs</td></tr>
 * </table>
 * Topics: {@link TopicNames} (redacted spans and traces in, {@code llmtrace.topics.metrics} out).
 */
public record MetricsConfig(StreamsSettings streams, TopicNames topics, Windows windows, boolean evaluateAlerts) {

  public static final String APP = "metrics";
  public static final int DEFAULT_ADMIN_PORT = 9467;
  public static final int DEFAULT_MAX_GROUPS = 1_000;

  /** How windows are cut, closed and grouped. */
  public record Windows(Duration size, Duration grace, Duration idleCloseAfter, List<String> groupAttributes, int maxGroupsPerTenant,
      Duration attributionRetention, Duration punctuateInterval) {
    public Windows {
      Objects.requireNonNull(size, "size");
      groupAttributes = List.copyOf(groupAttributes);
      check(!size.isZero() && !size.isNegative() && Duration.ofDays(1).toMillis() % size.toMillis() == 0, "llmtrace.metrics.window", size,
          "must be positive and divide a day");
      check(!grace.isNegative(), "llmtrace.metrics.grace", grace, "must not be negative");
      check(!idleCloseAfter.isNegative() && !idleCloseAfter.isZero(), "llmtrace.metrics.idle-close-after", idleCloseAfter, "must be positive");
      check(maxGroupsPerTenant >= 1, "llmtrace.metrics.max-groups-per-tenant", maxGroupsPerTenant, "must be at least 1");
      check(!punctuateInterval.isZero() && !punctuateInterval.isNegative(), "llmtrace.metrics.punctuate-interval", punctuateInterval,
          "must be positive");
      // a group's dimensions are forgotten one retention after its window: a window must close before that
      check(attributionRetention.compareTo(size.plus(grace)) >= 0, "llmtrace.metrics.attribution-retention", attributionRetention,
          "must be at least the window plus the grace (" + size.plus(grace) + ")");
    }

    public static Windows defaults() {
      return new Windows(Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(2), List.of("customer_tier"), DEFAULT_MAX_GROUPS,
          Duration.ofHours(1), Duration.ofSeconds(1));
    }
  }

  public static MetricsConfig from(Settings settings) {
    Windows d = Windows.defaults();
    Duration grace = settings.duration("llmtrace.metrics.grace", d.grace());
    String attributes = settings.string("llmtrace.metrics.group-attributes", String.join(",", d.groupAttributes()));
    Windows windows = new Windows(
        settings.duration("llmtrace.metrics.window", d.size()),
        grace,
        settings.duration("llmtrace.metrics.idle-close-after", grace.isZero() ? d.idleCloseAfter() : grace),
        Arrays.stream(attributes.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList(),
        settings.integer("llmtrace.metrics.max-groups-per-tenant", d.maxGroupsPerTenant(), 1, 1_000_000),
        settings.duration("llmtrace.metrics.attribution-retention", d.attributionRetention()),
        settings.duration("llmtrace.metrics.punctuate-interval", d.punctuateInterval()));
    return new MetricsConfig(StreamsSettings.from(settings, APP, DEFAULT_ADMIN_PORT), TopicNames.from(settings), windows,
        settings.bool("llmtrace.metrics.evaluate-alerts", false));
  }

  private static void check(boolean ok, String key, Object value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException(key + " = " + value + ": " + rule);
    }
  }
}
