package io.llmtrace.processors.alert;

import io.llmtrace.schemas.avro.AlertState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the alert stage counts. {@code llmtrace_alerts_fire_delay_seconds} is how long after the end of the
 * window that crossed the line its FIRING event went out (wall clock minus event time: includes the metric
 * window's grace and any backlog); {@code llmtrace_alerts_immediate_delay_seconds} from an immediate
 * event's routing to its evaluation.
 */
public final class AlertMeters {

  final Counter samples;
  final Counter evaluations;
  final Counter unknownRule;
  final Counter deadLetters;
  final Timer immediateDelay;
  /** Pending or firing groups per task (each task sets its own; the gauge is their sum). */
  private final Map<String, Long> activeByTask = new ConcurrentHashMap<>();
  private final Map<AlertState, Counter> events = new EnumMap<>(AlertState.class);
  private final Map<String, Timer> fireDelays = new ConcurrentHashMap<>();
  private final MeterRegistry registry;

  public AlertMeters(MeterRegistry registry) {
    this.registry = registry;
    samples = Counter.builder("llmtrace_alerts_samples").description("Rule samples (and immediate events) applied to a group's state")
        .register(registry);
    evaluations = Counter.builder("llmtrace_alerts_evaluations").description("Rule evaluations of a group").register(registry);
    unknownRule = Counter.builder("llmtrace_alerts_unknown_rule").description("Samples of a rule no longer in the rules file")
        .register(registry);
    deadLetters = Counter.builder("llmtrace_alerts_dead_letters").description("Records that could not be read").register(registry);
    immediateDelay = Timer.builder("llmtrace_alerts_immediate_delay").description("From routing an immediate event to its evaluation")
        .register(registry);
    for (AlertState state : AlertState.values()) {
      events.put(state, Counter.builder("llmtrace_alerts_events").tag("state", state.name()).description("Alert events published")
          .register(registry));
    }
    io.micrometer.core.instrument.Gauge.builder("llmtrace_alerts_active_groups", activeByTask,
            tasks -> tasks.values().stream().mapToLong(Long::longValue).sum())
        .description("Rule groups pending or firing").register(registry);
  }

  void activeGroups(String task, long groups) {
    activeByTask.put(task, groups);
  }

  Counter events(AlertState state) {
    return events.get(state);
  }

  Timer fireDelay(AlertRule rule) {
    return fireDelays.computeIfAbsent(rule.name(), name -> Timer.builder("llmtrace_alerts_fire_delay").tag("rule", name)
        .description("From the end of the window that crossed the line to its FIRING event").register(registry));
  }
}
