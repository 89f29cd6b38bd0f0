package io.llmtrace.sink.mapping;

import io.llmtrace.schemas.avro.EvaluationStats;
import io.llmtrace.schemas.avro.Exemplars;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.SketchBins;
import io.llmtrace.sink.encoding.RowBinaryBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * One {@link MetricWindow} as one row of {@code metrics_1m} (migration {@code V007__metrics.sql}), from
 * which materialized views roll up {@code metrics_1h} and {@code metrics_1d}: each DDSketch as a
 * {@code Map(Int32, UInt64)} of bins plus its zero count (empty and 0 when absent), the evaluations as
 * four parallel maps by evaluator, the exemplars as four arrays. The typed dimension columns are
 * computed by the table from {@code dimensions}.
 *
 * <p>Refused (dead letter, the record is not a row): a window without a tenant (row policies filter on
 * it), and a sketch that cannot be merged with the others by adding counts — another relative accuracy,
 * indexes not strictly ascending, a count that is negative or of another length than the indexes.
 */
public final class MetricRows {

  /** The index mapping the tables' bins are under: sketches-java's LogarithmicMapping at 1% relative accuracy. */
  public static final double RELATIVE_ACCURACY = 0.01;
  /**
   * How far a window's stated accuracy may be from {@link #RELATIVE_ACCURACY}: sketches-java reports the
   * accuracy it computes back from gamma, 0.009999999999999957 for 0.01.
   */
  static final double ACCURACY_TOLERANCE = 1e-9;

  public static final List<String> COLUMNS = List.of(
      "window_start", "window_end", "level", "group_id", "shard", "dimensions", "overflow",
      "observations", "latency_sum_ms", "latency_min_ms", "latency_max_ms",
      "latency_p50_ms", "latency_p90_ms", "latency_p95_ms", "latency_p99_ms", "latency_bins", "latency_zero_count",
      "error_count", "timeouts", "retries", "fallbacks", "rate_limited",
      "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens",
      "cost_sum", "priced_count", "unknown_cost_count", "cost_bins", "cost_zero_count",
      "eval_passed", "eval_failed", "eval_score_sum", "eval_score_count",
      "positive_feedback", "negative_feedback", "json_parse_failures", "schema_validation_failures",
      "tool_call_failures", "tool_argument_failures", "citation_coverage_sum", "citation_coverage_count",
      "policy_failures_by_severity",
      "exemplar_errors", "exemplar_failed_evaluations", "exemplar_slowest", "exemplar_most_expensive",
      "tasks", "successful", "failed", "rescued", "incomplete",
      "cost_per_success_bins", "cost_per_success_zero_count", "cost_success_sum",
      "kafka_partition", "kafka_offset");

  private MetricRows() {}

  /** Appends the window as one RowBinary row; {@code partition}/{@code offset} record where it was read. */
  public static void encode(MetricWindow window, int partition, long offset, RowBinaryBuffer out) {
    String tenant = window.getDimensions().get("tenant_id");
    if (tenant == null || tenant.isEmpty()) {
      throw new IllegalArgumentException("metric window " + window.getGroupId() + " of " + window.getMetricName()
          + " has no tenant_id dimension");
    }
    out.dateTime64Micros(window.getWindowStart()).dateTime64Micros(window.getWindowEnd()).string(window.getMetricName())
        .string(groupId(window)).int32(window.getShard()).stringMap(window.getDimensions()).bool(window.getOverflow());
    out.int64(window.getCount()).float64(window.getSum()).nullableFloat64(window.getMin()).nullableFloat64(window.getMax())
        .nullableFloat64(window.getP50()).nullableFloat64(window.getP90()).nullableFloat64(window.getP95())
        .nullableFloat64(window.getP99());
    sketch("latency_sketch", window.getLatencySketch(), out);
    out.int64(window.getErrorCount()).int64(window.getTimeouts()).int64(window.getRetries()).int64(window.getFallbacks())
        .int64(window.getRateLimited());
    out.int64(window.getInputTokens()).int64(window.getOutputTokens()).int64(window.getCacheReadTokens())
        .int64(window.getCacheWriteTokens());
    out.float64(window.getCostSum()).int64(window.getPricedCount()).int64(window.getUnknownCostCount());
    sketch("cost_sketch", window.getCostSketch(), out);
    Map<String, EvaluationStats> evaluations = window.getEvaluations();
    longs(evaluations, EvaluationStats::getPassed, out);
    longs(evaluations, EvaluationStats::getFailed, out);
    doubles(evaluations, EvaluationStats::getScoreSum, out);
    longs(evaluations, EvaluationStats::getScoreCount, out);
    out.int64(window.getPositiveFeedback()).int64(window.getNegativeFeedback()).int64(window.getJsonParseFailures())
        .int64(window.getSchemaValidationFailures()).int64(window.getToolCallFailures()).int64(window.getToolArgumentFailures())
        .float64(window.getCitationCoverageSum()).int64(window.getCitationCoverageCount());
    longs(window.getPolicyFailuresBySeverity(), Long::longValue, out);
    exemplars(window.getExemplars(), out);
    out.int64(window.getTasks()).int64(window.getSuccessful()).int64(window.getFailed()).int64(window.getRescued())
        .int64(window.getIncomplete());
    sketch("cost_per_success_sketch", window.getCostPerSuccessSketch(), out);
    out.float64(window.getCostSuccessSum());
    out.int32(partition).int64(offset);
  }

  /**
   * The window's group id, or for a window written before the field existed (empty) one derived from
   * level and dimensions: the rollups key on it, and one empty id would merge every such group into one.
   */
  static String groupId(MetricWindow window) {
    if (!window.getGroupId().isEmpty()) {
      return window.getGroupId();
    }
    StringBuilder identity = new StringBuilder(window.getMetricName());
    new TreeMap<>(window.getDimensions()).forEach((key, value) -> identity.append('\u0000').append(key).append('=').append(value));
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.toString().getBytes(StandardCharsets.UTF_8));
      return "derived-" + HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code Map(Int32, UInt64)} bins, then the {@code UInt64} zero count; an absent sketch is empty. */
  private static void sketch(String field, SketchBins sketch, RowBinaryBuffer out) {
    if (sketch == null) {
      out.varUInt(0).int64(0);
      return;
    }
    if (Math.abs(sketch.getRelativeAccuracy() - RELATIVE_ACCURACY) > ACCURACY_TOLERANCE) {
      throw new IllegalArgumentException(field + " has relative accuracy " + sketch.getRelativeAccuracy()
          + "; the metrics tables hold bins of relative accuracy " + RELATIVE_ACCURACY + " only (bins of two mappings do not add)");
    }
    List<Integer> indexes = sketch.getIndexes();
    List<Long> counts = sketch.getCounts();
    if (indexes.size() != counts.size()) {
      throw new IllegalArgumentException(field + " has " + indexes.size() + " indexes but " + counts.size() + " counts");
    }
    if (sketch.getZeroCount() < 0) {
      throw new IllegalArgumentException(field + " has zero count " + sketch.getZeroCount());
    }
    out.varUInt(indexes.size());
    for (int i = 0; i < indexes.size(); i++) {
      int index = indexes.get(i);
      long count = counts.get(i);
      if (i > 0 && index <= indexes.get(i - 1)) {
        throw new IllegalArgumentException(field + " indexes are not strictly ascending at position " + i + ": "
            + indexes.get(i - 1) + " then " + index);
      }
      if (count < 0) {
        throw new IllegalArgumentException(field + " bin " + index + " has count " + count);
      }
      out.int32(index).int64(count);
    }
    out.int64(sketch.getZeroCount());
  }

  private static <V> void longs(Map<String, V> map, ToLongFunction<V> value, RowBinaryBuffer out) {
    out.varUInt(map.size());
    for (Map.Entry<String, V> entry : map.entrySet()) {
      out.string(entry.getKey()).int64(value.applyAsLong(entry.getValue()));
    }
  }

  private static <V> void doubles(Map<String, V> map, ToDoubleFunction<V> value, RowBinaryBuffer out) {
    out.varUInt(map.size());
    for (Map.Entry<String, V> entry : map.entrySet()) {
      out.string(entry.getKey()).float64(value.applyAsDouble(entry.getValue()));
    }
  }

  private static void exemplars(Exemplars exemplars, RowBinaryBuffer out) {
    if (exemplars == null) {
      out.varUInt(0).varUInt(0).varUInt(0).varUInt(0);
      return;
    }
    out.stringArray(exemplars.getErrors()).stringArray(exemplars.getFailedEvaluations()).stringArray(exemplars.getSlowest())
        .stringArray(exemplars.getMostExpensive());
  }
}
