package io.llmtrace.bench;

import io.llmtrace.bench.AssemblySide.Checks;
import io.llmtrace.bench.AssemblySide.StateSizes;
import io.llmtrace.bench.StreamsVsPassThrough.Input;
import io.llmtrace.bench.StreamsVsPassThrough.Options;
import io.llmtrace.bench.StreamsVsPassThrough.Run;
import io.llmtrace.bench.StreamsVsPassThrough.Side;
import io.llmtrace.processors.assemble.AssemblyConfig;
import io.llmtrace.processors.common.StreamsSettings;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

/** The "Trace assembly vs pass-through" section of docs/BENCHMARKS.md, from one run's figures. */
final class AssemblyReport {

  private AssemblyReport() {}

  static String section(Options options, Input input, List<Run<Checks>> runs, StateSizes sizes) {
    double passMean = StreamsVsPassThrough.mean(runs, Side.PASS_THROUGH, false);
    double assemblyMean = StreamsVsPassThrough.mean(runs, Side.MEASURED, false);
    double ratio = assemblyMean / passMean;
    double steadyRatio = StreamsVsPassThrough.mean(runs, Side.MEASURED, true) / StreamsVsPassThrough.mean(runs, Side.PASS_THROUGH, true);

    StringBuilder checks = new StringBuilder();
    for (Run<Checks> run : runs) {
      if (run.checks() != null) {
        Checks c = run.checks();
        checks.append(String.format(Locale.ROOT, "| %d | %,.0f | %,.0f (+ %,.0f revised) | %,.0f / %,.0f | %,.0f | %.1f s | %,.0f | %.2f | %,.0f |%n",
            run.round(), c.spans(), c.emitted(), c.revised(), c.duplicates(), c.deadLetters(), c.openAtConsumed(), c.secondsToLastSummary(),
            run.stateDirBytes() / (double) input.traces(), run.changelogRecords() / (double) input.spans(),
            run.outputBytes() / (double) input.traces()));
      }
    }
    StringBuilder state = new StringBuilder();
    sizes.completeBySpans().forEach((spans, bucket) -> state.append(String.format(Locale.ROOT, "| %d | %,.0f |%n", spans, bucket[0] / bucket[1])));
    double meanSpans = input.spans() / (double) input.traces();
    long openAtProductionGap = Math.round(options.rate() * AssemblyConfig.DEFAULT_GAP.toSeconds() / meanSpans);
    double passOutputPerSpan = runs.stream().filter(r -> r.side() == Side.PASS_THROUGH).mapToLong(Run::outputBytes).average().orElse(0)
        / input.spans();

    String contentionNote = StreamsVsPassThrough.contentionNote(runs);

    return String.format(Locale.ROOT, """
        ## Trace assembly vs pass-through

        Written by `deploy/bench.sh assembly --spans %d --rounds %d` on %s (%d cores, shared by the broker, the
        registry, the measured application and the harness; noisy: ratios from one run, not absolutes). %s

        **Input**: %,d redacted spans in %,d traces (3–8 spans each, %.2f on average: a WORKFLOW root and
        children drawn from the shared fixtures — LLM calls with prompt, model, usage and cost, retrievals,
        tool calls, policy checks whose evaluations pass or fail, now and then a fully populated failed call
        with feedback), Avro in the Confluent wire format (schema in the stack's Apicurio registry), %,d bytes
        per record on average (%,d bytes on the broker with lz4), keyed by trace id on a 3-partition topic, produced
        before the runs (%,.0f spans/s). Eight traces are in flight at a time, so a trace's spans are close
        together but interleaved with its neighbours', children first and the root last; record timestamps
        advance %,.0f spans per second, so the input covers %.0f s of stream time.

        **Both sides**: a child JVM each (`-Xmx%s`), run by `StreamsRunner` (exactly_once_v2, commit interval
        %d ms, %d stream thread(s)), a fresh application id and state directory, reading the topic from the
        start. **Pass-through** (the ceiling, `PassThroughApp`): every record decoded with the pipeline's
        `LlmSpan` serde, encoded again and written to an output topic. **Assembly**: `AssemblyApp`
        (`TraceAssemblyTopology.build`, production limits and timing — 1,000 spans and 32 distinct values
        per trace, retention 1 h, punctuation every 1 s — except the inactivity gap: **%s instead of the
        production 30 s**, so that the bounded run ends with every trace emitted). Measured from the child's
        launch (JVM start, group join and store opening included) until the group's committed offsets equal
        the topic's end offsets (Admin, polled every 100 ms); "steady" counts from the first commit to the
        same moment. Cores: /proc, per process, over that interval ("other": the rest of the machine's busy
        time, the harness included). RSS: `/proc/<pid>/status` of the child at that moment (VmHWM = peak).
        The sides alternate who goes first.

        | round | side | spans/s (launch → consumed) | spans/s (steady) | launch → first commit | cores | RSS peak / at end |
        |---|---|---|---|---|---|---|
        %s
        | round | assembly / pass-through | steady |
        |---|---|---|
        %s
        **Mean: assembly %,.0f spans/s, pass-through %,.0f spans/s, ratio %.2f×** (steady %.2f×; goal ≥ 0.6×).

        Assembly's own counters (its `/metrics`), and what it left behind:

        | round | spans aggregated | traces emitted | duplicates / dead letters | open traces when consumed | last summary after consumed | state dir bytes per trace | changelog records per span | summary bytes per trace |
        |---|---|---|---|---|---|---|---|---|
        %s
        Every trace is still in the store at the end (retention 1 h is longer than the input's stream time),
        so the state directory (RocksDB after a clean close, uncompressed as Kafka Streams configures it, not
        yet compacted) holds one entry per trace. The pass-through wrote %,.0f bytes per span to its output.

        **State bytes per trace** (`TraceStateSerde.write` of the TraceState once the trace is complete — an
        open trace is smaller until its last span; an emitted one keeps this size through the retention):

        | spans in trace | state bytes |
        |---|---|
        %s
        Mean over this traffic: **%,.0f bytes per trace**; %,.0f bytes per store put on average (a put after
        every span). With the production gap (30 s) at %,.0f spans/s about %,d traces are open at a time; the
        store also keeps every trace seen in the last hour (retention), which is what sizes it.
        """,
        options.spans(), options.rounds(), LocalDate.now(), Runtime.getRuntime().availableProcessors(), contentionNote,
        input.spans(), input.traces(), meanSpans, input.recordBytes() / input.spans(), input.brokerBytes(), input.spans() / input.seconds(),
        options.rate(), input.spans() / options.rate(),
        options.heap(), StreamsSettings.DEFAULT_COMMIT_INTERVAL_MS, options.threads(), options.gap(),
        StreamsVsPassThrough.runRows(runs), StreamsVsPassThrough.ratioRows(runs, options.rounds()),
        assemblyMean, passMean, ratio, steadyRatio,
        checks.toString().stripTrailing() + "\n", passOutputPerSpan,
        state.toString().stripTrailing() + "\n", sizes.completeMean(), sizes.perPutMean(), options.rate(), openAtProductionGap);
  }
}
