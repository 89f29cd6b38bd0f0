package io.llmtrace.bench;

import io.llmtrace.bench.StreamsVsPassThrough.Finished;
import io.llmtrace.bench.StreamsVsPassThrough.Input;
import io.llmtrace.bench.StreamsVsPassThrough.Options;
import io.llmtrace.bench.StreamsVsPassThrough.Run;
import io.llmtrace.processors.assemble.AssemblyApp;
import io.llmtrace.processors.assemble.AssemblyConfig;
import io.llmtrace.processors.assemble.TraceAggregator;
import io.llmtrace.processors.assemble.TraceAssemblyTopology;
import io.llmtrace.processors.assemble.TraceStateSerde;
import io.llmtrace.processors.assemble.state.TraceState;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Trace assembly as the measured side (section "Trace assembly vs pass-through"): the production
 * settings except a short inactivity gap ({@code --gap}, so the bounded run ends with every trace
 * emitted); checked by waiting for every trace's first summary.
 */
final class AssemblySide implements MeasuredApp<AssemblySide.Checks> {

  static final String HEADING = "## Trace assembly vs pass-through";

  /** The assembly side's own counters, from its /metrics. */
  record Checks(double spans, double emitted, double revised, double duplicates, double deadLetters, double openAtConsumed,
      double secondsToLastSummary) {}

  /** Serialized TraceState sizes from {@link TraceStateSerde#write}. */
  record StateSizes(Map<Integer, double[]> completeBySpans, double completeMean, double perPutMean) {}

  @Override
  public String key() {
    return AssemblyConfig.APP;
  }

  @Override
  public String label() {
    return "assembly";
  }

  @Override
  public String mainClass() {
    return AssemblyApp.class.getName();
  }

  @Override
  public String heading() {
    return HEADING;
  }

  @Override
  public double defaultRate() {
    return 20_000;
  }

  @Override
  public TraceTraffic.Spread spread(Options options) {
    return TraceTraffic.Spread.NONE;
  }

  @Override
  public boolean readsTraces() {
    return false;
  }

  @Override
  public String output(int round) {
    return "bench.traces.r" + round;
  }

  @Override
  public Map<String, String> settings(Options options, String output) {
    return Map.of("llmtrace.topics.traces", output, "llmtrace.assembly.inactivity-gap", options.gap());
  }

  @Override
  public List<String> stores() {
    return List.of(TraceAssemblyTopology.STORE);
  }

  /** Waits (up to a minute) for every trace's first summary; the counters as they were at consumption first. */
  @Override
  public Checks check(Finished finished) throws Exception {
    String atConsumed = StreamsVsPassThrough.scrape(finished.adminPort());
    double open = StreamsVsPassThrough.metric(atConsumed, "llmtrace_assembly_open_traces", "");
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    String now = atConsumed;
    while (StreamsVsPassThrough.metric(now, "llmtrace_assembly_traces_emitted_total", "version=\"first\"") < finished.input().traces()
        && System.nanoTime() < deadline) {
      LockSupport.parkNanos(100_000_000);
      now = StreamsVsPassThrough.scrape(finished.adminPort());
    }
    double last = (System.nanoTime() - finished.consumedNanos()) / 1e9;
    return new Checks(StreamsVsPassThrough.metric(now, "llmtrace_assembly_spans_total", ""),
        StreamsVsPassThrough.metric(now, "llmtrace_assembly_traces_emitted_total", "version=\"first\""),
        StreamsVsPassThrough.metric(now, "llmtrace_assembly_traces_emitted_total", "version=\"revised\""),
        StreamsVsPassThrough.metric(now, "llmtrace_assembly_duplicate_spans_total", ""),
        StreamsVsPassThrough.metric(now, "llmtrace_assembly_dead_letters_total", ""), open, last);
  }

  @Override
  public String describe(Run<Checks> run, Input input) {
    Checks c = run.checks();
    return String.format(Locale.ROOT, "  assembly: %,.0f spans, %,.0f traces emitted (+%,.0f revised), %,.0f open when consumed, last summary"
        + " %.1f s after, state dir %,d bytes, changelog %,d records (%,d bytes after compaction)", c.spans(), c.emitted(),
        c.revised(), c.openAtConsumed(), c.secondsToLastSummary(), run.stateDirBytes(), run.changelogRecords(), run.changelogBytes());
  }

  @Override
  public String section(Options options, Input input, List<Run<Checks>> runs) {
    return AssemblyReport.section(options, input, runs, stateSizes(options));
  }

  /**
   * TraceState sizes as the store writes them, for the same traffic: every trace aggregated with the
   * production limits, its state written after each span (what a put costs) and once complete.
   */
  static StateSizes stateSizes(Options options) {
    TraceAggregator aggregator = new TraceAggregator(new TraceAggregator.Limits(AssemblyConfig.DEFAULT_MAX_SPANS,
        AssemblyConfig.DEFAULT_MAX_DISTINCT_VALUES));
    Map<String, TraceState> open = new HashMap<>();
    Map<Integer, double[]> complete = new TreeMap<>();
    double[] puts = {0, 0};
    StreamsVsPassThrough.traffic(options, TraceTraffic.Spread.NONE).generate(Math.min(options.spans(), 300_000),
        (span, timestamp, spansInTrace, last) -> {
          TraceState state = open.computeIfAbsent(span.getTraceId(), id -> {
            TraceState fresh = TraceAggregator.empty(id);
            fresh.setFirstArrivalStreamMs(timestamp);
            fresh.setFirstArrivalWallMs(System.currentTimeMillis());
            return fresh;
          });
          aggregator.add(state, span);
          state.setDirty(true);
          state.setLastArrivalStreamMs(timestamp);
          state.setLastArrivalWallMs(System.currentTimeMillis());
          state.setLastRecordTimestampMs(timestamp);
          int bytes = TraceStateSerde.write(state).length;
          puts[0] += bytes;
          puts[1]++;
          if (last) {
            double[] bucket = complete.computeIfAbsent(spansInTrace, n -> new double[2]);
            bucket[0] += bytes;
            bucket[1]++;
            open.remove(span.getTraceId());
          }
        });
    double sum = complete.values().stream().mapToDouble(b -> b[0]).sum();
    double count = complete.values().stream().mapToDouble(b -> b[1]).sum();
    return new StateSizes(complete, sum / count, puts[0] / puts[1]);
  }
}
