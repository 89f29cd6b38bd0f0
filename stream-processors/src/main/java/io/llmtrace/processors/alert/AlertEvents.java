package io.llmtrace.processors.alert;

import io.llmtrace.processors.aggregate.Groups;
import io.llmtrace.processors.alert.RuleEvaluator.Transition;
import io.llmtrace.processors.alert.RuleState.Outcome;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertState;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The {@link AlertEvent} of an episode's transition: rule, owner, runbook, what was observed, example traces. */
public final class AlertEvents {

  private AlertEvents() {}

  /** 16 hex digits naming a group's values (part of the episode id). */
  static String groupKey(Map<String, String> group) {
    return Groups.id("alert", group);
  }

  static AlertEvent of(AlertRule rule, RuleState state, Transition transition, Instant firedAt) {
    Outcome o = transition.outcome();
    Map<String, String> dims = new TreeMap<>(state.group);
    // a scope that names one value says where the alert is, e.g. environment=production
    rule.scope().forEach((key, values) -> {
      if (values.size() == 1) {
        dims.putIfAbsent(key, values.iterator().next());
      }
    });
    AlertEvent.Builder event = AlertEvent.newBuilder()
        .setAlertId(transition.episodeId())
        .setRuleId(rule.name())
        .setRuleName(rule.description() == null ? rule.name() : rule.description())
        .setRuleKind(rule.kind())
        .setOwner(rule.owner())
        .setSeverity(rule.severity())
        .setRunbookUrl(rule.runbook())
        .setAction(rule.action())
        .setMetricName(rule.evaluator() == null ? rule.metric().key() : rule.metric().key() + "{evaluator=" + rule.evaluator() + "}")
        .setGroupDimensions(dims)
        .setMeasuredValue(finite(o.value))
        .setThreshold(rule.threshold())
        .setComparator(rule.immediate() ? null : rule.comparator().symbol())
        .setBaselineValue(o.baseline)
        .setBaseline(o.baselineLabel)
        .setEvaluationWindow(rule.window() == null ? (rule.immediate() ? "event" : "since first seen") : rule.window().text())
        .setVolume((long) o.volume)
        .setWindowStart(micros(o.windowStartMs))
        .setWindowEnd(micros(o.windowEndMs))
        .setExampleTraceIds(o.exemplars == null ? List.of() : List.copyOf(o.exemplars))
        .setFiredAt(firedAt.truncatedTo(ChronoUnit.MICROS))
        .setStartedAt(micros(transition.startedAtMs() >= 0 ? transition.startedAtMs() : o.windowStartMs))
        .setResolvedAt(transition.state() == AlertState.RESOLVED ? micros(transition.atMs()) : null)
        .setRelease(o.release)
        .setNotification(transition.notification())
        .setState(transition.state());
    event.setSummary(summary(rule, o, transition, dims));
    return event.build();
  }

  static String summary(AlertRule rule, Outcome o, Transition transition, Map<String, String> dims) {
    String where = dims.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    String what;
    if (rule.immediate()) {
      what = String.format(Locale.ROOT, "%s: %d event(s)", rule.metric().key(), (long) o.volume);
    } else if (o.baseline != null) {
      double ratio = o.baseline == 0 ? Double.POSITIVE_INFINITY : o.value / o.baseline;
      what = String.format(Locale.ROOT, "%s %s is %.2f× %s %s (alert when %s %s) over %s, %,d %s", rule.metric().key(), number(o.value),
          ratio, o.baselineLabel, number(o.baseline), rule.comparator().symbol(), number(rule.threshold()), window(rule), (long) o.volume,
          rule.metric().volumeUnit());
    } else {
      what = String.format(Locale.ROOT, "%s %s %s %s over %s, %,d %s", rule.metric().key(), number(o.value),
          rule.comparator().holds(o.value, rule.threshold()) ? rule.comparator().symbol() : "back from " + rule.comparator().symbol(),
          number(rule.threshold()), window(rule), (long) o.volume, rule.metric().volumeUnit());
    }
    String prefix = switch (transition.state()) {
      case RESOLVED -> "resolved: ";
      case RENOTIFY -> "still firing: ";
      default -> "";
    };
    return prefix + what + (o.release == null ? "" : " after " + o.release) + " for " + where
        + (o.undecided != null && transition.state() == AlertState.RESOLVED ? " (" + o.undecided + ")" : "");
  }

  private static String window(AlertRule rule) {
    return rule.window() == null ? "the version's requests" : rule.window().text();
  }

  private static String number(double value) {
    if (value != 0 && Math.abs(value) < 0.01) {
      return String.format(Locale.ROOT, "%.5f", value);
    }
    return String.format(Locale.ROOT, "%.4g", value);
  }

  private static double finite(double value) {
    return Double.isFinite(value) ? value : Double.MAX_VALUE;
  }

  private static Instant micros(long epochMs) {
    return Instant.ofEpochMilli(Math.max(0, epochMs));
  }

  /** Scope dims used in events (for tests). */
  static Set<String> scopeKeys(AlertRule rule) {
    return rule.scope().keySet();
  }
}
