package io.llmtrace.processors.assemble;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the assembler counts, as Prometheus series. Alert on {@code llmtrace_assembly_dead_letters_total}
 * (should stay 0), on the ratio of {@code traces_truncated} to {@code traces_emitted} (raise
 * {@code max-spans} if it grows), and watch {@code open_traces} against memory.
 */
public final class AssemblyMetrics {

  final Counter spans;
  final Counter duplicates;
  final Counter lateSpans;
  final Counter deadLetters;
  final Counter emittedFirst;
  final Counter emittedRevised;
  final Counter emittedIncomplete;
  final Counter truncated;
  final Counter purged;
  final AtomicLong openTraces = new AtomicLong();

  public AssemblyMetrics(MeterRegistry registry) {
    spans = Counter.builder("llmtrace_assembly_spans").description("Distinct spans aggregated").register(registry);
    duplicates = Counter.builder("llmtrace_assembly_duplicate_spans").description("Spans seen before (same span id), counted once")
        .register(registry);
    lateSpans = Counter.builder("llmtrace_assembly_late_spans").description("Spans that arrived after their trace was emitted")
        .register(registry);
    deadLetters = Counter.builder("llmtrace_assembly_dead_letters").description("Records that could not be read, sent to dead letters")
        .register(registry);
    emittedFirst = Counter.builder("llmtrace_assembly_traces_emitted").tag("version", "first").description("Trace summaries emitted")
        .register(registry);
    emittedRevised = Counter.builder("llmtrace_assembly_traces_emitted").tag("version", "revised").description("Trace summaries emitted")
        .register(registry);
    emittedIncomplete = Counter.builder("llmtrace_assembly_traces_incomplete").description("Summaries emitted without a root span")
        .register(registry);
    truncated = Counter.builder("llmtrace_assembly_traces_truncated").description("Summaries of traces over a cap")
        .register(registry);
    purged = Counter.builder("llmtrace_assembly_traces_purged").description("Emitted traces forgotten after the retention")
        .register(registry);
    Gauge.builder("llmtrace_assembly_open_traces", openTraces, AtomicLong::get)
        .description("Traces waiting to be emitted (first time or revised)").register(registry);
  }
}
