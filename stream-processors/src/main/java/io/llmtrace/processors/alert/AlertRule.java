package io.llmtrace.processors.alert;

import io.llmtrace.schemas.avro.AlertSeverity;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One validated alert rule (see {@link AlertRules} for the file and its checks). A rule watches one
 * {@link AlertMetric} in the windows its {@code scope} selects, per group of {@code groupBy} values (the
 * tenant always included), and compares the value over its window — or, for baseline and version rules,
 * the ratio of the value to a baseline — with the threshold.
 *
 * @param scope dimension → accepted values (a window matches when every listed dimension has one of them)
 * @param keepFiringFor how long a firing episode outlasts its condition (against flapping; Prometheus' keep_firing_for)
 * @param renotifyEvery a reminder (RENOTIFY) this often while an episode fires; null: none
 * @param noDataAfter how long without a window for the group counts as "data stopped"
 * @param lookback how far back a count window may reach for its volume
 */
public record AlertRule(String name, String description, AlertMetric metric, String evaluator, Map<String, Set<String>> scope,
    Comparator comparator, double threshold, Window window, Duration forDuration, long minVolume, List<String> groupBy,
    AlertSeverity severity, String owner, String runbook, String action, Duration keepFiringFor, Duration renotifyEvery,
    NoData whenDataStops, Duration noDataAfter, Baseline baseline, String versionDimension, Duration lookback) {

  /** How a rule compares; ratios for baseline and version rules. */
  public enum Comparator {
    ABOVE(">"), AT_LEAST(">="), BELOW("<"), AT_MOST("<=");

    final String symbol;

    Comparator(String symbol) {
      this.symbol = symbol;
    }

    boolean holds(double value, double threshold) {
      return switch (this) {
        case ABOVE -> value > threshold;
        case AT_LEAST -> value >= threshold;
        case BELOW -> value < threshold;
        case AT_MOST -> value <= threshold;
      };
    }

    public String symbol() {
      return symbol;
    }
  }

  /** What a firing or pending episode does when its group's windows stop coming. */
  public enum NoData { RESOLVE, KEEP }

  /** What a baseline rule compares the current window with. */
  public enum Baseline {
    /** The same window a day earlier. */
    DAY_BEFORE,
    /** The metric over the 7 days before the current window. */
    PRIOR_7D_MEAN,
    /** The metric over the 24 hours before the current window. */
    PREVIOUS_24H,
    /** The equal-length window before the latest release (a release marker, else the first time the version was seen). */
    BEFORE_RELEASE;

    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A rule's aggregation window: a duration, or the most recent minutes that together hold a volume. */
  public sealed interface Window {
    String text();
  }

  public record TimeWindow(Duration duration, String text) implements Window {}

  public record CountWindow(long volume, String text) implements Window {}

  /** The rule's kind as AlertEvent names it. */
  public String kind() {
    if (metric.level() == AlertMetric.Level.EVENTS) {
      return "immediate";
    }
    if (baseline != null) {
      return "baseline";
    }
    return versionDimension != null ? "version_regression" : "threshold";
  }

  /** A version-regression rule: the newest version of {@code versionDimension} against the one before it. */
  public boolean versionRegression() {
    return versionDimension != null && baseline == null;
  }

  public boolean immediate() {
    return metric.level() == AlertMetric.Level.EVENTS;
  }

  /**
   * Whether samples are kept per hour rather than per minute: windows longer than an hour, and baselines a
   * day or a week back (a day of minute samples per group would be too much state). Such rules evaluate at
   * each full hour.
   */
  public boolean hourly() {
    if (immediate() || versionRegression() || baseline == Baseline.BEFORE_RELEASE) {
      return false;
    }
    return baseline != null || window instanceof TimeWindow t && t.duration().compareTo(Duration.ofHours(1)) > 0;
  }

  /** How far back samples must be kept for this rule. */
  public Duration retention() {
    Duration span = window instanceof TimeWindow t ? t.duration() : window instanceof CountWindow ? lookback : Duration.ZERO;
    Duration back = baseline == null ? Duration.ZERO : switch (baseline) {
      case DAY_BEFORE, PREVIOUS_24H -> Duration.ofDays(1);
      case PRIOR_7D_MEAN -> Duration.ofDays(7);
      case BEFORE_RELEASE -> span;
    };
    return span.plus(back).plus(hourly() ? Duration.ofHours(1) : Duration.ofMinutes(1));
  }
}
