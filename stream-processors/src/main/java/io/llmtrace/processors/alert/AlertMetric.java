package io.llmtrace.processors.alert;

import io.llmtrace.processors.aggregate.Groups;
import io.llmtrace.schemas.avro.EvaluationStats;
import io.llmtrace.schemas.avro.Exemplars;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.SketchBins;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The metrics a rule can watch, each read from one-minute {@link MetricWindow}s as a mergeable pair
 * (numerator, volume) or a sketch: a rate over any number of windows is the sum of numerators over the
 * sum of volumes, a percentile is read from the summed sketch bins, so 15 minutes or 7 days evaluate
 * exactly, whatever the number of windows or shards. The volume is what {@code min_volume} and count
 * windows ({@code over: 500 calls}) count.
 */
public enum AlertMetric {
  // span level (level llm.spans)
  CALLS(Level.SPANS, Kind.COUNT, Offence.ERRORS, "calls", (w, e) -> pair(w.getCount(), w.getCount())),
  ERROR_RATE(Level.SPANS, Kind.RATE, Offence.ERRORS, "calls", (w, e) -> pair(w.getErrorCount(), w.getCount())),
  TIMEOUT_RATE(Level.SPANS, Kind.RATE, Offence.ERRORS, "calls", (w, e) -> pair(w.getTimeouts(), w.getCount())),
  RATE_LIMITED_RATE(Level.SPANS, Kind.RATE, Offence.ERRORS, "calls", (w, e) -> pair(w.getRateLimited(), w.getCount())),
  RETRY_RATE(Level.SPANS, Kind.RATE, Offence.ERRORS, "calls", (w, e) -> pair(w.getRetries(), w.getCount())),
  FALLBACK_RATE(Level.SPANS, Kind.RATE, Offence.ERRORS, "calls", (w, e) -> pair(w.getFallbacks(), w.getCount())),
  JSON_PARSE_FAILURE_RATE(Level.SPANS, Kind.RATE, Offence.ERRORS, "calls", (w, e) -> pair(w.getJsonParseFailures(), w.getCount())),
  SCHEMA_VALIDATION_FAILURE_RATE(Level.SPANS, Kind.RATE, Offence.ERRORS, "calls",
      (w, e) -> pair(w.getSchemaValidationFailures(), w.getCount())),
  STRUCTURED_OUTPUT_FAILURE_RATE(Level.SPANS, Kind.RATE, Offence.ERRORS, "calls",
      (w, e) -> pair(w.getJsonParseFailures() + w.getSchemaValidationFailures(), w.getCount())),
  TOOL_CALL_FAILURE_RATE(Level.SPANS, Kind.RATE, Offence.ERRORS, "calls", (w, e) -> pair(w.getToolCallFailures(), w.getCount())),
  TOOL_ARGUMENT_FAILURE_RATE(Level.SPANS, Kind.RATE, Offence.ERRORS, "calls", (w, e) -> pair(w.getToolArgumentFailures(), w.getCount())),
  /** Failed policy or guardrail checks (any severity) per observation: scope it to kind POLICY_CHECK / GUARDRAIL. */
  POLICY_FAILURE_RATE(Level.SPANS, Kind.RATE, Offence.ERRORS, "checks",
      (w, e) -> pair(w.getPolicyFailuresBySeverity().values().stream().mapToLong(Long::longValue).sum(), w.getCount())),
  CITATION_COVERAGE(Level.SPANS, Kind.MEAN, Offence.FAILED_EVALUATIONS, "answers",
      (w, e) -> pair(w.getCitationCoverageSum(), w.getCitationCoverageCount())),
  NEGATIVE_FEEDBACK_RATE(Level.SPANS, Kind.RATE, Offence.FAILED_EVALUATIONS, "calls", (w, e) -> pair(w.getNegativeFeedback(), w.getCount())),
  /** passed / (passed + failed) of one evaluator ({@code evaluator:}) or of all. */
  EVAL_PASS_RATE(Level.SPANS, Kind.RATE, Offence.FAILED_EVALUATIONS, "evaluations", (w, e) -> {
    long[] pf = passedFailed(w, e);
    return pair(pf[0], pf[0] + pf[1]);
  }),
  EVAL_FAILURE_RATE(Level.SPANS, Kind.RATE, Offence.FAILED_EVALUATIONS, "evaluations", (w, e) -> {
    long[] pf = passedFailed(w, e);
    return pair(pf[1], pf[0] + pf[1]);
  }),
  /** The mean score of one evaluator ({@code evaluator:}) or of all, over the evaluations that have a score. */
  EVAL_SCORE_MEAN(Level.SPANS, Kind.MEAN, Offence.FAILED_EVALUATIONS, "scored evaluations", (w, e) -> {
    double sum = 0;
    long count = 0;
    for (Map.Entry<String, EvaluationStats> entry : w.getEvaluations().entrySet()) {
      if (e == null || e.equals(entry.getKey())) {
        sum += entry.getValue().getScoreSum();
        count += entry.getValue().getScoreCount();
      }
    }
    return pair(sum, count);
  }),
  COST_PER_REQUEST(Level.SPANS, Kind.MEAN, Offence.MOST_EXPENSIVE, "priced calls", (w, e) -> pair(w.getCostSum(), w.getPricedCount())),
  TOKENS_PER_REQUEST(Level.SPANS, Kind.MEAN, Offence.MOST_EXPENSIVE, "calls",
      (w, e) -> pair(w.getInputTokens() + w.getOutputTokens(), w.getCount())),
  LATENCY_P50(Level.SPANS, 0.50, Offence.SLOWEST, "calls", Sketch.LATENCY),
  LATENCY_P90(Level.SPANS, 0.90, Offence.SLOWEST, "calls", Sketch.LATENCY),
  LATENCY_P95(Level.SPANS, 0.95, Offence.SLOWEST, "calls", Sketch.LATENCY),
  LATENCY_P99(Level.SPANS, 0.99, Offence.SLOWEST, "calls", Sketch.LATENCY),
  COST_P95(Level.SPANS, 0.95, Offence.MOST_EXPENSIVE, "priced calls", Sketch.COST),
  // trace level (level llm.traces): one observation per task
  TASKS(Level.TRACES, Kind.COUNT, Offence.ERRORS, "tasks", (w, e) -> pair(w.getTasks(), w.getTasks())),
  TASK_FAILURE_RATE(Level.TRACES, Kind.RATE, Offence.ERRORS, "tasks", (w, e) -> pair(w.getFailed(), w.getTasks())),
  TASK_SUCCESS_RATE(Level.TRACES, Kind.RATE, Offence.ERRORS, "tasks", (w, e) -> pair(w.getSuccessful(), w.getTasks())),
  TASK_INCOMPLETE_RATE(Level.TRACES, Kind.RATE, Offence.ERRORS, "tasks", (w, e) -> pair(w.getIncomplete(), w.getTasks())),
  COST_PER_TASK(Level.TRACES, Kind.MEAN, Offence.MOST_EXPENSIVE, "priced tasks", (w, e) -> pair(w.getCostSum(), w.getPricedCount())),
  /** Every task's cost over the successful tasks (the failed ones are part of what a success costs), as in the cookbook. */
  COST_PER_SUCCESSFUL_TASK(Level.TRACES, Kind.MEAN, Offence.MOST_EXPENSIVE, "successful tasks",
      (w, e) -> pair(w.getCostSum(), w.getSuccessful())),
  TASK_DURATION_P95(Level.TRACES, 0.95, Offence.SLOWEST, "tasks", Sketch.LATENCY),
  // events (immediate rules): one per matching record
  CANARY_LEAK(Level.EVENTS, Kind.COUNT, Offence.ERRORS, "events", null),
  SEVERE_POLICY_VIOLATION(Level.EVENTS, Kind.COUNT, Offence.ERRORS, "events", null);

  /** Which records a metric reads. */
  public enum Level { SPANS, TRACES, EVENTS }

  /** How numerator and volume combine: a rate or mean (numerator / volume), a count (the numerator), a quantile. */
  public enum Kind { RATE, MEAN, COUNT, QUANTILE }

  /** Which of a window's exemplar lists holds the worst offenders for this metric. */
  public enum Offence { ERRORS, FAILED_EVALUATIONS, SLOWEST, MOST_EXPENSIVE }

  /** Which sketch a quantile reads. */
  enum Sketch { LATENCY, COST }

  @FunctionalInterface
  interface Extract {
    double[] apply(MetricWindow window, String evaluator);
  }

  private final Level level;
  private final Kind kind;
  private final Offence offence;
  private final String volumeUnit;
  private final Extract extract;
  private final double quantile;
  private final Sketch sketch;

  AlertMetric(Level level, Kind kind, Offence offence, String volumeUnit, Extract extract) {
    this.level = level;
    this.kind = kind;
    this.offence = offence;
    this.volumeUnit = volumeUnit;
    this.extract = extract;
    this.quantile = Double.NaN;
    this.sketch = null;
  }

  AlertMetric(Level level, double quantile, Offence offence, String volumeUnit, Sketch sketch) {
    this.level = level;
    this.kind = Kind.QUANTILE;
    this.offence = offence;
    this.volumeUnit = volumeUnit;
    this.extract = null;
    this.quantile = quantile;
    this.sketch = sketch;
  }

  /** The name rules use: {@code error_rate}, {@code latency_p95}, ... */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  public Level level() {
    return level;
  }

  public Kind kind() {
    return kind;
  }

  public String volumeUnit() {
    return volumeUnit;
  }

  double quantile() {
    return quantile;
  }

  /** Whether the metric reads evaluations (so {@code evaluator:} means something). */
  boolean readsEvaluations() {
    return this == EVAL_PASS_RATE || this == EVAL_FAILURE_RATE || this == EVAL_SCORE_MEAN;
  }

  /** The metric's level as windows name it ({@link Groups#SPANS}, {@link Groups#TRACES}). */
  String windowLevel() {
    return level == Level.TRACES ? Groups.TRACES : Groups.SPANS;
  }

  /** One window's numerator and volume (for quantiles: the sketch's count as volume, no numerator). */
  double[] read(MetricWindow window, String evaluator) {
    if (kind == Kind.QUANTILE) {
      SketchBins bins = sketch(window);
      long total = bins == null ? 0 : bins.getZeroCount() + bins.getCounts().stream().mapToLong(Long::longValue).sum();
      return pair(0, total);
    }
    return extract.apply(window, evaluator);
  }

  /** The sketch a quantile metric reads from a window; null when the window has none. */
  SketchBins sketch(MetricWindow window) {
    return sketch == Sketch.LATENCY ? window.getLatencySketch() : sketch == Sketch.COST ? window.getCostSketch() : null;
  }

  /** A window's example traces for this metric's offence (empty when none). */
  List<String> exemplars(MetricWindow window) {
    Exemplars exemplars = window.getExemplars();
    if (exemplars == null) {
      return List.of();
    }
    return switch (offence) {
      case ERRORS -> exemplars.getErrors();
      case FAILED_EVALUATIONS -> exemplars.getFailedEvaluations();
      case SLOWEST -> exemplars.getSlowest();
      case MOST_EXPENSIVE -> exemplars.getMostExpensive();
    };
  }

  public static Optional<AlertMetric> byKey(String key) {
    return Arrays.stream(values()).filter(m -> m.key().equals(key)).findFirst();
  }

  public static String keys() {
    return Arrays.stream(values()).map(AlertMetric::key).collect(Collectors.joining(", "));
  }

  private static long[] passedFailed(MetricWindow window, String evaluator) {
    long passed = 0;
    long failed = 0;
    for (Map.Entry<String, EvaluationStats> entry : window.getEvaluations().entrySet()) {
      if (evaluator == null || evaluator.equals(entry.getKey())) {
        passed += entry.getValue().getPassed();
        failed += entry.getValue().getFailed();
      }
    }
    return new long[] {passed, failed};
  }

  private static double[] pair(double numerator, double volume) {
    return new double[] {numerator, volume};
  }
}
