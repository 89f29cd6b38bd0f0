package io.llmtrace.processors.alert;

import io.llmtrace.processors.aggregate.Groups;
import io.llmtrace.processors.alert.Sample.Routed;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.Evaluation;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.SketchBins;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.SpanStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which rule groups a record feeds: a metric window becomes one sample per rule whose level and scope it
 * matches, keyed by the rule and the window's values of the rule's group-by dimensions; a severe policy violation or a leaked canary becomes an
 * event for the immediate rules that watch it.
 */
public final class AlertRouter {

  /** Policy severities that count as severe. */
  static final Set<String> SEVERE = Set.of("high", "critical", "severe");

  private final List<AlertRule> windowRules;
  private final List<AlertRule> severeRules;
  private final List<AlertRule> canaryRules;
  private final List<String> groupAttributes;

  public AlertRouter(List<AlertRule> rules, List<String> groupAttributes) {
    this.windowRules = rules.stream().filter(r -> !r.immediate()).toList();
    this.severeRules = rules.stream().filter(r -> r.metric() == AlertMetric.SEVERE_POLICY_VIOLATION).toList();
    this.canaryRules = rules.stream().filter(r -> r.metric() == AlertMetric.CANARY_LEAK).toList();
    this.groupAttributes = List.copyOf(groupAttributes);
  }

  public boolean watchesSpans() {
    return !severeRules.isEmpty();
  }

  public boolean watchesRedactionEvents() {
    return !canaryRules.isEmpty();
  }

  /** The key of a rule's group on the repartition topic and in the state store. */
  public static String key(String rule, Map<String, String> group) {
    StringBuilder key = new StringBuilder(rule);
    group.forEach((dimension, value) -> key.append('|').append(dimension).append('=').append(value));
    return key.toString();
  }

  public List<Routed> route(MetricWindow window) {
    Map<String, String> dims = window.getDimensions();
    List<Routed> routed = new ArrayList<>(2);
    for (AlertRule rule : windowRules) {
      if (!rule.metric().windowLevel().equals(window.getMetricName()) || !matches(rule.scope(), dims)) {
        continue;
      }
      Map<String, String> group = group(rule, dims);
      String version = null;
      if (rule.versionDimension() != null) {
        version = dims.get(rule.versionDimension());
        if (version == null) {
          continue;
        }
      }
      double[] read = rule.metric().read(window, rule.evaluator());
      if (read[1] <= 0) {
        continue;
      }
      Sample sample = new Sample(window.getWindowStart().toEpochMilli(), read[0], read[1]);
      sample.version = version;
      if (rule.metric().kind() == AlertMetric.Kind.QUANTILE) {
        SketchBins bins = rule.metric().sketch(window);
        sample.zeros = bins.getZeroCount();
        sample.bins = new TreeMap<>();
        for (int i = 0; i < bins.getIndexes().size(); i++) {
          sample.bins.merge(bins.getIndexes().get(i), bins.getCounts().get(i), Long::sum);
        }
      }
      sample.addExemplars(rule.metric().exemplars(window));
      routed.add(new Routed(rule.name(), group, sample));
    }
    return routed;
  }

  /** A failed policy or guardrail check of high or critical severity, as events of the rules that watch them. */
  public List<Routed> route(LlmSpan span) {
    if (severeRules.isEmpty() || !severe(span)) {
      return List.of();
    }
    Map<String, String> dims = Groups.ofSpan(span, groupAttributes);
    dims.put("policy_severity", span.getPolicySeverity().strip().toLowerCase(Locale.ROOT));
    return events(severeRules, dims, span.getStartTime().toEpochMilli(), List.of(span.getTraceId()));
  }

  /** A redaction failure (a canary survived redaction) from the redaction stage. */
  public List<Routed> route(AlertEvent redactionEvent) {
    if (canaryRules.isEmpty()) {
      return List.of();
    }
    return events(canaryRules, redactionEvent.getGroupDimensions(), redactionEvent.getWindowStart().toEpochMilli(),
        redactionEvent.getExampleTraceIds());
  }

  static boolean severe(LlmSpan span) {
    if (span.getKind() != SpanKind.POLICY_CHECK && span.getKind() != SpanKind.GUARDRAIL || span.getPolicySeverity() == null
        || !SEVERE.contains(span.getPolicySeverity().strip().toLowerCase(Locale.ROOT))) {
      return false;
    }
    if (span.getStatus() == SpanStatus.ERROR) {
      return true;
    }
    for (Evaluation evaluation : span.getEvaluations()) {
      if (Boolean.FALSE.equals(evaluation.getPassed())) {
        return true;
      }
    }
    return false;
  }

  private List<Routed> events(List<AlertRule> rules, Map<String, String> dims, long atMs, List<String> traces) {
    List<Routed> routed = new ArrayList<>(1);
    for (AlertRule rule : rules) {
      if (!matches(rule.scope(), dims)) {
        continue;
      }
      Sample sample = new Sample(atMs, 1, 1);
      sample.addExemplars(traces);
      Routed event = new Routed(rule.name(), group(rule, dims), sample);
      event.seenAtMs = System.currentTimeMillis();
      routed.add(event);
    }
    return routed;
  }

  /**
   * The rule's group-by values of these dimensions. A dimension a window does not have is left out of the
   * group (as GROUP BY treats NULL): policy checks without a prompt still form a group by feature.
   */
  private static Map<String, String> group(AlertRule rule, Map<String, String> dims) {
    Map<String, String> group = new LinkedHashMap<>();
    for (String key : rule.groupBy()) {
      String value = dims.get(key);
      if (value != null) {
        group.put(key, value);
      }
    }
    return group;
  }

  static boolean matches(Map<String, Set<String>> scope, Map<String, String> dims) {
    for (Map.Entry<String, Set<String>> filter : scope.entrySet()) {
      String value = dims.get(filter.getKey());
      if (value == null || !filter.getValue().contains(value)) {
        return false;
      }
    }
    return true;
  }
}
