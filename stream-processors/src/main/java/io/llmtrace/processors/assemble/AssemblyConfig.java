package io.llmtrace.processors.assemble;

import io.llmtrace.processors.common.StreamsSettings;
import io.llmtrace.processors.common.TopicNames;
import io.llmtrace.schemas.config.Settings;
import java.time.Duration;
import java.util.Objects;

/**
 * The trace-assembly application's settings; invalid values stop it at start naming key and value.
 *
 * <table>
 *   <tr><th>setting</th><th>default</th><th></th></tr>
 *   <tr><td>llmtrace.assembly.inactivity-gap</td><td>30s</td><td>emit once the root has ended and no span came for this long</td></tr>
 *   <tr><td>llmtrace.assembly.max-duration</td><td>10m</td><td>emit this long after the first span whatever happens (no root: incomplete)</td></tr>
 *   <tr><td>llmtrace.assembly.retention</td><td>1h</td><td>an emitted trace's state is kept this long after its last span, to recognise late spans and duplicates</td></tr>
 *   <tr><td>llmtrace.assembly.max-spans</td><td>1000</td><td>spans tracked one by one per trace (deduplication, critical path); past it the summary is truncated</td></tr>
 *   <tr><td>llmtrace.assembly.max-distinct-values</td><td>32</td><td>distinct prompts, versions, models and evaluators kept per trace</td></tr>
 *   <tr><td>llmtrace.assembly.punctuate-interval</td><td>1s</td><td>how often due traces are looked for (stream time and wall clock)</td></tr>
 *   <tr><td>llmtrace.assembly.application-id / .admin.port</td><td>llmtrace-assembly / {@value #DEFAULT_ADMIN_PORT}</td><td></td></tr>
 * </table>
 * Topics: {@link TopicNames} ({@code llmtrace.topics.redacted} in, {@code llmtrace.topics.traces} out,
 * unreadable records to {@code llmtrace.topics.dead-letters}); shared keys: {@link StreamsSettings}.
 *
 * <p>State size is about (traces per second) × (retention + trace duration) × (bytes per trace, see
 * docs/BENCHMARKS.md); lower the retention before raising memory.
 */
public record AssemblyConfig(StreamsSettings streams, TopicNames topics, Timing timing, TraceAggregator.Limits limits) {

  public static final String APP = "assembly";
  public static final int DEFAULT_ADMIN_PORT = 9466;
  public static final Duration DEFAULT_GAP = Duration.ofSeconds(30);
  public static final Duration DEFAULT_MAX_DURATION = Duration.ofMinutes(10);
  public static final Duration DEFAULT_RETENTION = Duration.ofHours(1);
  public static final Duration DEFAULT_PUNCTUATE_INTERVAL = Duration.ofSeconds(1);
  public static final int DEFAULT_MAX_SPANS = 1_000;
  public static final int DEFAULT_MAX_DISTINCT_VALUES = 32;

  /** When traces are emitted and forgotten. */
  public record Timing(Duration gap, Duration maxDuration, Duration retention, Duration punctuateInterval) {
    public Timing {
      Objects.requireNonNull(gap, "gap");
      Objects.requireNonNull(maxDuration, "maxDuration");
      Objects.requireNonNull(retention, "retention");
      Objects.requireNonNull(punctuateInterval, "punctuateInterval");
      check(!gap.isZero() && !gap.isNegative(), "llmtrace.assembly.inactivity-gap", gap, "must be positive");
      check(maxDuration.compareTo(gap) >= 0, "llmtrace.assembly.max-duration", maxDuration, "must be at least the inactivity gap " + gap);
      check(retention.compareTo(gap) >= 0, "llmtrace.assembly.retention", retention, "must be at least the inactivity gap " + gap);
      check(!punctuateInterval.isZero() && !punctuateInterval.isNegative() && punctuateInterval.compareTo(gap) <= 0,
          "llmtrace.assembly.punctuate-interval", punctuateInterval, "must be positive and at most the inactivity gap " + gap);
    }

    public static Timing defaults() {
      return new Timing(DEFAULT_GAP, DEFAULT_MAX_DURATION, DEFAULT_RETENTION, DEFAULT_PUNCTUATE_INTERVAL);
    }
  }

  public AssemblyConfig {
    Objects.requireNonNull(streams, "streams");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(timing, "timing");
    Objects.requireNonNull(limits, "limits");
  }

  public static AssemblyConfig from(Settings settings) {
    Timing timing = new Timing(
        settings.duration("llmtrace.assembly.inactivity-gap", DEFAULT_GAP),
        settings.duration("llmtrace.assembly.max-duration", DEFAULT_MAX_DURATION),
        settings.duration("llmtrace.assembly.retention", DEFAULT_RETENTION),
        settings.duration("llmtrace.assembly.punctuate-interval", DEFAULT_PUNCTUATE_INTERVAL));
    TraceAggregator.Limits limits = new TraceAggregator.Limits(
        settings.integer("llmtrace.assembly.max-spans", DEFAULT_MAX_SPANS, 1, 100_000),
        settings.integer("llmtrace.assembly.max-distinct-values", DEFAULT_MAX_DISTINCT_VALUES, 1, 10_000));
    return new AssemblyConfig(StreamsSettings.from(settings, APP, DEFAULT_ADMIN_PORT), TopicNames.from(settings), timing, limits);
  }

  private static void check(boolean ok, String key, Duration value, String rule) {
    if (!ok) {
      throw new IllegalArgumentException(key + " = " + value + ": " + rule);
    }
  }
}
