package io.llmtrace.bench;

import io.llmtrace.bench.MetricsSide.Checks;
import io.llmtrace.bench.MetricsSide.Design;
import io.llmtrace.bench.MetricsSide.Window;
import io.llmtrace.bench.StreamsVsPassThrough.Input;
import io.llmtrace.bench.StreamsVsPassThrough.Options;
import io.llmtrace.bench.StreamsVsPassThrough.Run;
import io.llmtrace.bench.StreamsVsPassThrough.Side;
import io.llmtrace.processors.aggregate.MetricsConfig;
import io.llmtrace.processors.common.StreamsSettings;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

/** The "Windowed metrics vs pass-through" section of docs/BENCHMARKS.md, from one run's figures. */
final class MetricsReport {

  private MetricsReport() {}

  /** 1 min, 2 min, 1 h, 1 s. */
  static String human(Duration d) {
    if (d.toHours() > 0 && d.toMinutesPart() == 0 && d.toSecondsPart() == 0) {
      return d.toHours() + " h";
    }
    if (d.toMinutes() > 0 && d.toSecondsPart() == 0) {
      return d.toMinutes() + " min";
    }
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  static String section(Options options, Input input, List<Run<Checks>> runs, Design design, int inputWindows) {
    MetricsConfig.Windows w = MetricsConfig.Windows.defaults();
    double passMean = StreamsVsPassThrough.mean(runs, Side.PASS_THROUGH, false);
    double metricsMean = StreamsVsPassThrough.mean(runs, Side.MEASURED, false);
    double steadyRatio = StreamsVsPassThrough.mean(runs, Side.MEASURED, true) / StreamsVsPassThrough.mean(runs, Side.PASS_THROUGH, true);
    List<Run<Checks>> measured = runs.stream().filter(r -> r.checks() != null).toList();

    StringBuilder checks = new StringBuilder();
    for (Run<Checks> run : measured) {
      Checks c = run.checks();
      checks.append(String.format(Locale.ROOT, "| %d | %,.0f / %,.0f | %,.0f / %,.0f | %,.0f | %,.0f | %,.0f (%,d records) | %,.0f | %,d MB | %.2f |%n",
          run.round(), c.spans(), c.traces(), c.lateSpans(), c.lateTraces(), c.overflowed(), c.deadLetters(), c.emitted(),
          c.outputRecords(), c.openWindows(), run.stateDirBytes() >> 20, run.changelogRecords() / (double) input.spans()));
    }

    Run<Checks> first = measured.get(0);
    StringBuilder windows = new StringBuilder();
    for (Window window : first.checks().windows()) {
      windows.append(String.format(Locale.ROOT, "| %s%s | %,d | %,d | %,d | %,d / %,d | %,d / %,d | %,d |%n",
          Instant.ofEpochMilli(window.startMs()).toString().substring(11, 16), window.partial() ? " (partial)" : "", window.spanGroups(),
          window.maxSpanGroupsPerShard(), window.traceGroups(), window.spans(), window.expectedSpans(), window.traces(),
          window.expectedTraces(), window.records()));
    }
    StringBuilder groupsPerRound = new StringBuilder();
    for (Run<Checks> run : measured) {
      List<Window> full = run.checks().full();
      groupsPerRound.append(String.format(Locale.ROOT, "round %d: %s in %d full windows (mean %,.0f spans per group and window), "
          + "counts %s; ", run.round(), MetricsSide.range(full), full.size(),
          full.stream().mapToDouble(x -> x.spans() / (double) Math.max(1, x.spanGroups())).average().orElse(0),
          run.checks().countsMatch() ? "equal to the input's in every published window" : "**different from the input's**"));
    }

    String stores = BenchmarkReport.storeRows(first.storeBytes(), first.changelogRecordsByStore(), input.spans());

    String rate = options.rate() == new MetricsSide().defaultRate() ? "" : String.format(Locale.ROOT, " --rate %.0f", options.rate());
    return String.format(Locale.ROOT, """
        ## Windowed metrics vs pass-through

        Written by `deploy/bench.sh metrics --spans %d --rounds %d%s` on %s (%d cores, shared by the broker, the
        registry, the measured application and the harness; noisy: ratios from one run, not absolutes). %s

        **Input**: %,d redacted spans in %,d traces, the shapes of the trace-assembly benchmark's (3–8 spans each:
        a WORKFLOW root and children from the shared fixtures — LLM calls with prompt, model, usage and cost,
        retrievals, tool calls, policy checks, now and then a fully populated failed call with feedback), %,d bytes
        per record, keyed by trace id on a 3-partition topic. **Groups**: trace *i* belongs to `tenant-(i mod %d)`
        and carries `customer_tier = tier-(⌊i / %d⌋ mod %d)` on all its spans; with the fixtures' %d distinct span
        shapes (kind, name, prompt, model, service, feature) that is **%,d span-level groups per window by design**
        (%,d per tenant; the stage's cap is %,d per tenant, window and shard, so nothing should overflow). Record
        timestamps advance %,.0f spans per second and span start times with them (a trace's spans start within
        seconds of its first record), so the input covers %.0f s of stream time: %d one-minute windows by span
        start. **Trace summaries** on a second 3-partition topic: %,d, one per trace, what the assembler emits
        first for it (its spans folded by `TraceAggregator` with the production limits, version 1), each written
        with its trace's last span's record time, %,d bytes per record; the stage's trace-level windows count them.
        Both topics were produced before the runs (%,.0f spans/s).

        **Both sides**: a child JVM each (`-Xmx%s`), run by `StreamsRunner` (exactly_once_v2, commit interval
        %d ms, %d stream thread(s)), a fresh application id and state directory, reading both topics from the
        start. **Pass-through** (`PassThroughApp`): every span and every summary decoded with the pipeline's
        serde, encoded again and written to an output topic. **Metrics**: `MetricsApp` (`MetricsTopology.build`)
        with the production settings — windows of %s, grace %s, group attribute %s, %,d groups per tenant,
        attribution retention %s, punctuation every %s on both clocks. Measured from the child's launch until the
        group's committed offsets on both topics equal their end offsets (%,d records: spans/s below is the
        spans of the input over that time, the summaries riding along); "steady" from the first commit. Cores,
        RSS and the alternating order as in the trace-assembly section.

        | round | side | spans/s (launch → consumed) | spans/s (steady) | launch → first commit | cores | RSS peak / at end |
        |---|---|---|---|---|---|---|
        %s
        | round | metrics / pass-through | steady |
        |---|---|---|
        %s
        **Mean: metrics %,.0f spans/s, pass-through %,.0f spans/s, ratio %.2f×** (steady %.2f×; goal ≥ 0.5×).

        The stage's own counters (its `/metrics` when the input was consumed) and what it left behind:

        | round | spans / traces counted | late dropped (span / trace) | overflowed | dead letters | windows published (records read back) | group windows open at the end | state dir | changelog records per span |
        |---|---|---|---|---|---|---|---|---|
        %s
        **Published windows read back** from the output topic (round %d, read_committed, every shard's record of a
        group's minute counted once in the groups and summed in the counts; "partial": the input starts inside
        that minute). Windows close when the watermark (the largest span start) passes their end by the grace,
        so the last %d minutes of a bounded input stay open when it is consumed (they would close by the wall
        clock %s after the last record):

        | window (UTC) | span groups | most span groups in one shard | trace groups | spans counted / in the input | traces counted / in the input | records |
        |---|---|---|---|---|---|---|
        %s
        **Distinct span-level groups per full published window** (measured: distinct group ids in the output):
        %s(design %,d).

        State at the end (round %d): the state directory per store (RocksDB after a clean close, not compacted)
        and the changelog records written (end offsets, transaction markers included). `trace-attribution`
        remembers, per trace, the group id of every LLM, agent-step, workflow and chain span for an hour (the
        retention) so a later evaluation span can count with the group it judges, `group-dimensions` each
        group's dimensions; `counted-traces` keeps each summary (its topic bytes) until its window closes:

        | store | state dir bytes | changelog records | per span |
        |---|---|---|---|
        %s""",
        options.spans(), options.rounds(), rate, LocalDate.now(), Runtime.getRuntime().availableProcessors(),
        StreamsVsPassThrough.contentionNote(runs),
        input.spans(), input.traces(), input.recordBytes() / input.spans(), design.tenants(), design.tenants(), design.tiers(),
        design.shapes(), design.groups(), design.groups() / design.tenants(), w.maxGroupsPerTenant(), options.rate(),
        input.spans() / options.rate(), inputWindows, input.summaries(), input.summaryBytes() / Math.max(1, input.summaries()),
        input.spans() / input.seconds(),
        options.heap(), StreamsSettings.DEFAULT_COMMIT_INTERVAL_MS, options.threads(), human(w.size()), human(w.grace()),
        String.join(", ", w.groupAttributes()), w.maxGroupsPerTenant(), human(w.attributionRetention()), human(w.punctuateInterval()),
        input.records(),
        StreamsVsPassThrough.runRows(runs), StreamsVsPassThrough.ratioRows(runs, options.rounds()),
        metricsMean, passMean, metricsMean / passMean, steadyRatio,
        checks.toString().stripTrailing() + "\n",
        first.round(), inputWindows - first.checks().windows().size(), human(w.idleCloseAfter()),
        windows.toString().stripTrailing() + "\n",
        groupsPerRound.toString().replaceAll("; $", " "), design.groups(),
        first.round(), stores);
  }
}
