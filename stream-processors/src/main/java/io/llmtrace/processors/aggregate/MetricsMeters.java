package io.llmtrace.processors.aggregate;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the metrics stage counts. Alert on {@code llmtrace_metrics_late_dropped_total} growing (spans later
 * than the grace: raise it, or find the producer that buffers) and on {@code ..._overflow_total} (a tenant
 * with an unbounded attribute in its groups).
 */
public final class MetricsMeters {

  final Counter spans;
  final Counter traces;
  final Counter lateSpans;
  final Counter lateTraces;
  final Counter overflowed;
  final Counter attributedEvaluations;
  final Counter attributionsSkipped;
  final Counter windowsEmitted;
  final Counter deadLetters;
  final AtomicLong openWindows = new AtomicLong();

  public MetricsMeters(MeterRegistry registry) {
    spans = Counter.builder("llmtrace_metrics_observations").tag("level", "span").description("Spans counted in a window").register(registry);
    traces = Counter.builder("llmtrace_metrics_observations").tag("level", "trace").description("Trace summaries counted in a window")
        .register(registry);
    lateSpans = Counter.builder("llmtrace_metrics_late_dropped").tag("level", "span")
        .description("Observations whose window had closed (later than the grace)").register(registry);
    lateTraces = Counter.builder("llmtrace_metrics_late_dropped").tag("level", "trace")
        .description("Observations whose window had closed (later than the grace)").register(registry);
    overflowed = Counter.builder("llmtrace_metrics_overflow").description("Observations folded into a tenant's overflow group")
        .register(registry);
    attributedEvaluations = Counter.builder("llmtrace_metrics_attributed_evaluations")
        .description("Evaluation spans counted with the group of the span they judge").register(registry);
    attributionsSkipped = Counter.builder("llmtrace_metrics_attributions_skipped")
        .description("Judgeable spans not remembered for later evaluations: their trace has the most spans remembered").register(registry);
    windowsEmitted = Counter.builder("llmtrace_metrics_windows_emitted").description("Metric windows published").register(registry);
    deadLetters = Counter.builder("llmtrace_metrics_dead_letters").description("Records that could not be read").register(registry);
    Gauge.builder("llmtrace_metrics_open_windows", openWindows, AtomicLong::get).description("Group windows not yet closed")
        .register(registry);
  }
}
