package io.llmtrace.processors.alert.forward;

import io.llmtrace.schemas.avro.AlertEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How an alert episode's event becomes an Alertmanager alert. Labels say who gets it and make the episode one
 * alert (they are its identity, so only what is stable over the episode): {@code alertname} = rule id,
 * {@code severity} (lower case), {@code owner}, {@code episode} = alert id, and the group's dimensions.
 * Everything a human reads goes into annotations, which may change between re-posts without making a new
 * alert: summary, description, rule name and kind, runbook, action, example trace ids, observed value,
 * threshold, baseline, window, volume, release, notification count.
 *
 * <p>Dimension names are made Prometheus label names ({@code [a-zA-Z_][a-zA-Z0-9_]*}, no leading {@code __});
 * one that would take a fixed label's name, or another dimension's, gets a {@code group_} prefix (then a
 * number), so no dimension is lost or overwrites routing labels.
 */
public final class AlertmanagerMapping {

  public static final String ALERTNAME = "alertname";
  public static final String SEVERITY = "severity";
  public static final String OWNER = "owner";
  public static final String EPISODE = "episode";
  private static final Set<String> FIXED = Set.of(ALERTNAME, SEVERITY, OWNER, EPISODE);

  private AlertmanagerMapping() {}

  /** The labels of the event's episode. */
  public static Map<String, String> labels(AlertEvent event) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(ALERTNAME, event.getRuleId());
    labels.put(SEVERITY, event.getSeverity().name().toLowerCase(Locale.ROOT));
    putIfPresent(labels, OWNER, event.getOwner());
    labels.put(EPISODE, event.getAlertId());
    // sorted, so that which of two colliding dimensions keeps the plain name does not depend on map order
    for (Map.Entry<String, String> dimension : new TreeMap<>(event.getGroupDimensions()).entrySet()) {
      if (dimension.getValue() == null || dimension.getValue().isBlank()) {
        continue; // Prometheus reads an empty label as an absent one
      }
      String name = labelName(dimension.getKey());
      if (FIXED.contains(name) || labels.containsKey(name)) {
        name = "group_" + name;
      }
      String unique = name;
      for (int n = 2; labels.containsKey(unique); n++) {
        unique = name + "_" + n;
      }
      labels.put(unique, dimension.getValue());
    }
    return labels;
  }

  /** What a human reads: absent fields are left out rather than sent empty. */
  public static Map<String, String> annotations(AlertEvent event) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("summary", present(event.getSummary()) ? event.getSummary() : defaultSummary(event));
    annotations.put("description", description(event));
    annotations.put("rule_name", event.getRuleName());
    annotations.put("rule_kind", event.getRuleKind());
    putIfPresent(annotations, "runbook_url", event.getRunbookUrl());
    putIfPresent(annotations, "action", event.getAction());
    if (!event.getExampleTraceIds().isEmpty()) {
      annotations.put("example_trace_ids", String.join(",", event.getExampleTraceIds()));
    }
    putIfPresent(annotations, "metric", event.getMetricName());
    annotations.put("observed_value", number(event.getMeasuredValue()));
    annotations.put("threshold", number(event.getThreshold()));
    putIfPresent(annotations, "comparator", event.getComparator());
    putIfPresent(annotations, "baseline", event.getBaseline());
    if (event.getBaselineValue() != null) {
      annotations.put("baseline_value", number(event.getBaselineValue()));
    }
    putIfPresent(annotations, "evaluation_window", event.getEvaluationWindow());
    annotations.put("volume", Long.toString(event.getVolume()));
    annotations.put("window_start", event.getWindowStart().toString());
    annotations.put("window_end", event.getWindowEnd().toString());
    putIfPresent(annotations, "release", event.getRelease());
    annotations.put("notification", Integer.toString(event.getNotification()));
    return annotations;
  }

  /** When the episode started: the start of its condition, else when it fired. */
  public static Instant startsAt(AlertEvent event) {
    return event.getStartedAt() != null ? event.getStartedAt() : event.getFiredAt();
  }

  /** The alert of a firing episode (FIRING or RENOTIFY), valid until {@code endsAt} unless posted again. */
  public static PostableAlert firing(AlertEvent event, Map<String, String> labels, Instant endsAt) {
    Instant startsAt = startsAt(event);
    return new PostableAlert(labels, annotations(event), startsAt, endsAt.isBefore(startsAt) ? startsAt : endsAt);
  }

  /**
   * The alert of a resolved episode: ends when the episode ended, but not later than {@code now} (an event
   * time ahead of this clock would otherwise keep it firing until then) and not before it started.
   */
  public static PostableAlert resolved(AlertEvent event, Map<String, String> labels, Instant now) {
    Instant startsAt = startsAt(event);
    Instant ended = event.getResolvedAt() != null ? event.getResolvedAt() : event.getFiredAt();
    Instant endsAt = ended.isAfter(now) ? now : ended;
    return new PostableAlert(labels, annotations(event), startsAt, endsAt.isBefore(startsAt) ? startsAt : endsAt);
  }

  /** A Prometheus label name for {@code raw}: invalid characters become {@code _}, never a leading digit or {@code __}. */
  public static String labelName(String raw) {
    StringBuilder name = new StringBuilder(raw.length() + 1);
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      boolean valid = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
      if (i == 0 && c >= '0' && c <= '9') {
        name.append('_').append(c);
      } else {
        name.append(valid ? c : '_');
      }
    }
    if (name.length() == 0) {
      return "group_";
    }
    // `__` is reserved for Prometheus' internal labels
    return name.toString().startsWith("__") ? "group" + name.substring(1) : name.toString();
  }

  /** A double as people write it: 8400, 0.25, 1.0E-7 becomes 0.0000001; NaN and infinities as Prometheus writes them. */
  static String number(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  private static String defaultSummary(AlertEvent event) {
    StringBuilder summary = new StringBuilder(event.getRuleName()).append(": ")
        .append(present(event.getMetricName()) ? event.getMetricName() : "value").append(' ')
        .append(number(event.getMeasuredValue())).append(' ')
        .append(present(event.getComparator()) ? event.getComparator() : "vs").append(' ')
        .append(number(event.getThreshold()));
    if (!event.getGroupDimensions().isEmpty()) {
      summary.append(" for ");
      new TreeMap<>(event.getGroupDimensions()).forEach((k, v) -> summary.append(k).append('=').append(v).append(", "));
      summary.setLength(summary.length() - 2);
    }
    return summary.toString();
  }

  private static String description(AlertEvent event) {
    StringBuilder text = new StringBuilder("Observed ").append(number(event.getMeasuredValue()));
    if (present(event.getMetricName())) {
      text.append(" (").append(event.getMetricName()).append(')');
    }
    text.append(", threshold ").append(present(event.getComparator()) ? event.getComparator() + " " : "")
        .append(number(event.getThreshold()));
    if (event.getBaselineValue() != null) {
      text.append(" of the baseline ").append(present(event.getBaseline()) ? event.getBaseline() + " " : "")
          .append(number(event.getBaselineValue()));
    }
    text.append(" over ").append(present(event.getEvaluationWindow()) ? event.getEvaluationWindow() + ", " : "")
        .append(event.getVolume()).append(" observations, window ").append(event.getWindowStart()).append(" to ")
        .append(event.getWindowEnd());
    if (present(event.getRelease())) {
      text.append(", release ").append(event.getRelease());
    }
    return text.append('.').toString();
  }

  private static void putIfPresent(Map<String, String> map, String key, String value) {
    if (present(value)) {
      map.put(key, value);
    }
  }

  private static boolean present(String value) {
    return value != null && !value.isBlank();
  }
}
