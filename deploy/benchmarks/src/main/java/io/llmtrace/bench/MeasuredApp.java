package io.llmtrace.bench;

import io.llmtrace.bench.StreamsVsPassThrough.Finished;
import io.llmtrace.bench.StreamsVsPassThrough.Input;
import io.llmtrace.bench.StreamsVsPassThrough.Options;
import io.llmtrace.bench.StreamsVsPassThrough.Run;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.TraceSummary;
import java.util.List;
import java.util.Map;

/**
 * The stage {@link StreamsVsPassThrough} measures against the pass-through: how it is started, what
 * input it needs, which of its own counters it checks once the input is consumed, and its section of
 * docs/BENCHMARKS.md. {@code C} is what its checks found.
 */
sealed interface MeasuredApp<C> permits AssemblySide, MetricsSide, AlertsSide {

  /**
   * One child JVM of a side: its settings prefix and application id stem ({@code key}), its own settings
   * beyond the harness's, and what it must have committed for the side to count as done — the pre-filled
   * topics it reads ({@code inputs}: {@link StreamsVsPassThrough#INPUT}, {@link StreamsVsPassThrough#TRACES});
   * {@code upstream} topics, written by the children
   * before it, up to their end offsets at the moment the last of those children was done; and its
   * {@code internal} topics (named after its application id, e.g. a repartition), up to their end offsets
   * once all the rest is committed. {@code stores}: its state stores, whose changelogs are counted.
   */
  record Child(String key, String label, String mainClass, Map<String, String> settings, List<String> inputs, List<String> upstream,
      List<String> internal, List<String> stores) {}

  /** The spans, and the trace summaries too when {@code traces}. */
  static List<String> prefilled(boolean traces) {
    return traces ? List.of(StreamsVsPassThrough.INPUT, StreamsVsPassThrough.TRACES) : List.of(StreamsVsPassThrough.INPUT);
  }

  /** The JVMs of the measured side, launched together; by default one, this stage with {@link #settings}. */
  default List<Child> children(Options options, int round, String output) {
    return List.of(new Child(key(), label(), mainClass(), settings(options, output), prefilled(readsTraces()), List.of(), List.of(),
        stores()));
  }

  /** Topics the measured side needs beyond its output and dead letters (created before its launch). */
  default List<String> topics(int round) {
    return List.of();
  }

  /** Its name on the command line, its settings prefix ({@code llmtrace.<key>.*}) and its application ids' stem. */
  String key();

  String label();

  String mainClass();

  String heading();

  /** The heading its section goes before when the report has none of it yet (and has that one); null: at the end. */
  default String nextHeading() {
    return null;
  }

  /** Spans per second of record time when {@code --rate} is not given. */
  double defaultRate();

  /** How traces are spread over tenants and attribute values. */
  TraceTraffic.Spread spread(Options options);

  /** True when it reads trace summaries beside the spans: the harness then fills {@link StreamsVsPassThrough#TRACES}. */
  boolean readsTraces();

  /** Sees every span produced, with its trace's summary when it is the trace's last (and the stage reads summaries). */
  default void observe(LlmSpan span, long timestampMs, TraceSummary summaryIfLast) {}

  /** The topic it writes in this round. */
  String output(int round);

  /** Its settings beyond the harness's (topics, ids, ports, state directory, threads). */
  default Map<String, String> settings(Options options, String output) {
    return Map.of(); // a side of several JVMs (AlertsSide) gives each its settings in children() instead
  }

  /** Its state stores, whose changelogs are counted. */
  List<String> stores();

  C check(Finished finished) throws Exception;

  /** One console line on what {@link #check} found. */
  String describe(Run<C> run, Input input);

  String section(Options options, Input input, List<Run<C>> runs);
}
