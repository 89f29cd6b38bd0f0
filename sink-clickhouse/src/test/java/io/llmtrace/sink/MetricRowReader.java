package io.llmtrace.sink;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmtrace.schemas.avro.EvaluationStats;
import io.llmtrace.schemas.avro.Exemplars;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.SketchBins;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@code metrics_1m} row, as ClickHouse prints it in JSONEachRow, turned back into a MetricWindow: an
 * independent path from {@code MetricRows}, so a column written wrongly shows up as a field that differs.
 * Bins and zero count both empty read back as an absent sketch (relative accuracy 0.01, the only one the
 * table holds), four empty exemplar arrays as absent exemplars.
 */
final class MetricRowReader {

  private MetricRowReader() {}

  static MetricWindow read(JsonNode row) {
    Map<String, EvaluationStats> evaluations = new HashMap<>();
    JsonNode passed = field(row, "eval_passed");
    passed.fieldNames().forEachRemaining(evaluator -> evaluations.put(evaluator, EvaluationStats.newBuilder()
        .setPassed(passed.get(evaluator).asLong()).setFailed(field(row, "eval_failed").get(evaluator).asLong())
        .setScoreSum(field(row, "eval_score_sum").get(evaluator).asDouble())
        .setScoreCount(field(row, "eval_score_count").get(evaluator).asLong()).build()));
    Exemplars exemplars = Exemplars.newBuilder().setErrors(strings(field(row, "exemplar_errors")))
        .setFailedEvaluations(strings(field(row, "exemplar_failed_evaluations"))).setSlowest(strings(field(row, "exemplar_slowest")))
        .setMostExpensive(strings(field(row, "exemplar_most_expensive"))).build();
    boolean noExemplars = exemplars.getErrors().isEmpty() && exemplars.getFailedEvaluations().isEmpty()
        && exemplars.getSlowest().isEmpty() && exemplars.getMostExpensive().isEmpty();
    return MetricWindow.newBuilder()
        .setWindowStart(time(field(row, "window_start"))).setWindowEnd(time(field(row, "window_end")))
        .setMetricName(field(row, "level").asText()).setDimensions(stringMap(field(row, "dimensions")))
        .setGroupId(field(row, "group_id").asText()).setShard(field(row, "shard").asInt()).setOverflow(field(row, "overflow").asBoolean())
        .setCount(longValue(row, "observations")).setSum(field(row, "latency_sum_ms").asDouble())
        .setMin(nullableDouble(row, "latency_min_ms")).setMax(nullableDouble(row, "latency_max_ms"))
        .setP50(nullableDouble(row, "latency_p50_ms")).setP90(nullableDouble(row, "latency_p90_ms"))
        .setP95(nullableDouble(row, "latency_p95_ms")).setP99(nullableDouble(row, "latency_p99_ms"))
        .setLatencySketch(sketch(row, "latency"))
        .setErrorCount(longValue(row, "error_count")).setTimeouts(longValue(row, "timeouts")).setRetries(longValue(row, "retries"))
        .setFallbacks(longValue(row, "fallbacks")).setRateLimited(longValue(row, "rate_limited"))
        .setInputTokens(longValue(row, "input_tokens")).setOutputTokens(longValue(row, "output_tokens"))
        .setCacheReadTokens(longValue(row, "cache_read_tokens")).setCacheWriteTokens(longValue(row, "cache_write_tokens"))
        .setCostSum(field(row, "cost_sum").asDouble()).setPricedCount(longValue(row, "priced_count"))
        .setUnknownCostCount(longValue(row, "unknown_cost_count")).setCostSketch(sketch(row, "cost"))
        .setEvaluations(evaluations)
        .setPositiveFeedback(longValue(row, "positive_feedback")).setNegativeFeedback(longValue(row, "negative_feedback"))
        .setJsonParseFailures(longValue(row, "json_parse_failures"))
        .setSchemaValidationFailures(longValue(row, "schema_validation_failures"))
        .setToolCallFailures(longValue(row, "tool_call_failures")).setToolArgumentFailures(longValue(row, "tool_argument_failures"))
        .setCitationCoverageSum(field(row, "citation_coverage_sum").asDouble())
        .setCitationCoverageCount(longValue(row, "citation_coverage_count"))
        .setPolicyFailuresBySeverity(longMap(field(row, "policy_failures_by_severity")))
        .setExemplars(noExemplars ? null : exemplars)
        .setTasks(longValue(row, "tasks")).setSuccessful(longValue(row, "successful")).setFailed(longValue(row, "failed"))
        .setRescued(longValue(row, "rescued")).setIncomplete(longValue(row, "incomplete"))
        .setCostPerSuccessSketch(sketch(row, "cost_per_success")).setCostSuccessSum(field(row, "cost_success_sum").asDouble())
        .build();
  }

  /** {@code <prefix>_bins} (a JSON object whose keys are the indexes) and {@code <prefix>_zero_count}. */
  private static SketchBins sketch(JsonNode row, String prefix) {
    JsonNode bins = field(row, prefix + "_bins");
    long zeros = longValue(row, prefix + "_zero_count");
    if (bins.isEmpty() && zeros == 0) {
      return null;
    }
    TreeMap<Integer, Long> sorted = new TreeMap<>();
    bins.fields().forEachRemaining(entry -> sorted.put(Integer.parseInt(entry.getKey()), entry.getValue().asLong()));
    return SketchBins.newBuilder().setRelativeAccuracy(0.01).setZeroCount(zeros).setIndexes(new ArrayList<>(sorted.keySet()))
        .setCounts(new ArrayList<>(sorted.values())).build();
  }

  private static JsonNode field(JsonNode node, String name) {
    JsonNode value = node.get(name);
    if (value == null) {
      throw new AssertionError("no column " + name + " in " + node);
    }
    return value;
  }

  private static long longValue(JsonNode node, String name) {
    return field(node, name).asLong();
  }

  private static Double nullableDouble(JsonNode node, String name) {
    JsonNode value = field(node, name);
    return value.isNull() ? null : value.asDouble();
  }

  /** DateTime64(6, 'UTC') prints as {@code 2026-11-22 10:00:00.123456}. */
  private static Instant time(JsonNode value) {
    return Instant.parse(value.asText().replace(' ', 'T') + "Z");
  }

  private static Map<String, String> stringMap(JsonNode object) {
    Map<String, String> map = new HashMap<>();
    object.fields().forEachRemaining(entry -> map.put(entry.getKey(), entry.getValue().asText()));
    return map;
  }

  private static Map<String, Long> longMap(JsonNode object) {
    Map<String, Long> map = new HashMap<>();
    object.fields().forEachRemaining(entry -> map.put(entry.getKey(), entry.getValue().asLong()));
    return map;
  }

  private static List<String> strings(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(item -> list.add(item.asText()));
    return list;
  }
}
