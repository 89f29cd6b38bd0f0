package io.llmtrace.bench;

import io.llmtrace.bench.AlertsSide.Checks;
import io.llmtrace.bench.AlertsSide.RuleEvents;
import io.llmtrace.bench.StreamsVsPassThrough.ChildRun;
import io.llmtrace.bench.StreamsVsPassThrough.Input;
import io.llmtrace.bench.StreamsVsPassThrough.Options;
import io.llmtrace.bench.StreamsVsPassThrough.Run;
import io.llmtrace.bench.StreamsVsPassThrough.Side;
import io.llmtrace.processors.aggregate.MetricsConfig;
import io.llmtrace.processors.alert.AlertRule;
import io.llmtrace.processors.common.StreamsSettings;
import io.llmtrace.schemas.avro.AlertState;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The alerts sections of docs/BENCHMARKS.md, from one run's figures: "Windowed metrics + alerts vs pass-through"
 * for the metrics app evaluating the rules itself, "Windowed metrics + a separate alert app vs pass-through" for
 * the two JVMs ({@link AlertsSide.Shape}). What differs between them is how the measured side ran and what it is
 * called; the tables of counters are the same.
 */
final class AlertsReport {

  private AlertsReport() {}

  static String section(Options options, Input input, List<Run<Checks>> runs, AlertsSide side) {
    MetricsSide.Design design = side.design(options);
    List<AlertRule> rules = AlertsSide.rules();
    String rulesLoaded = AlertsSide.rulesFile() == null ? "**all %d bundled rules** (`deploy/config/alert-rules.yaml`".formatted(rules.size())
        : "**%d rules from %s, not the bundled ones** (an experiment".formatted(rules.size(), AlertsSide.rulesFile());
    double passMean = StreamsVsPassThrough.mean(runs, Side.PASS_THROUGH, false);
    double measuredMean = StreamsVsPassThrough.mean(runs, Side.MEASURED, false);
    double steadyRatio = StreamsVsPassThrough.mean(runs, Side.MEASURED, true) / StreamsVsPassThrough.mean(runs, Side.PASS_THROUGH, true);
    List<Run<Checks>> measured = runs.stream().filter(r -> r.checks() != null).toList();
    boolean oneApp = side.shape() == AlertsSide.Shape.ONE_APP;
    Run<Checks> first = measured.get(0);

    String measuredSide = oneApp
        ? oneApp(options, rulesLoaded, rules, first.checks().settleSeconds())
        : twoApps(options, rulesLoaded, rules, first.checks().settleSeconds());
    String perJvm = oneApp ? oneAppState(measured) : perJvm(measured);

    StringBuilder metricRows = new StringBuilder();
    StringBuilder alertRows = new StringBuilder();
    for (Run<Checks> run : measured) {
      Checks c = run.checks();
      MetricsSide.Checks m = c.metrics();
      metricRows.append(String.format(Locale.ROOT, "| %d | %,.0f / %,.0f | %,.0f / %,.0f | %,.0f | %,.0f (%,d records read back, %d minutes) | %s | %s |%n",
          run.round(), m.spans(), m.traces(), m.lateSpans(), m.lateTraces(), m.overflowed(), m.emitted(), m.outputRecords(), m.windows().size(),
          MetricsSide.range(m.full()), m.countsMatch() ? "equal" : "**differ**"));
      alertRows.append(String.format(Locale.ROOT, "| %d | %,.0f | %,.0f (%,.0f after the timing) | %,.0f | %s | %s | %,d / %,.0f | %,.0f / %,.0f |%n",
          run.round(), c.samples(), c.evaluations(), c.evaluations() - c.evaluationsAtDone(), c.immediate(), states(c.eventsCounted()),
          statesRead(c), c.openEpisodes(), c.activeGroups(), c.deadLetters(), c.unknownRule()));
    }

    StringBuilder byRule = new StringBuilder();
    Set<String> fired = new TreeSet<>();
    for (AlertRule rule : rules) {
      RuleEvents e = first.checks().byRule().getOrDefault(rule.name(), new RuleEvents(0, 0, 0, 0));
      if (e.firing() > 0) {
        fired.add(rule.name());
      }
      byRule.append(String.format(Locale.ROOT, "| %s | %s | %,d | %,d | %,d | %,d |%n", rule.name(), rule.metric().name().toLowerCase(Locale.ROOT),
          e.firing(), e.groupsFiring(), e.resolved(), e.renotify()));
    }

    String stores = BenchmarkReport.storeRows(first.storeBytes(), first.changelogRecordsByStore(), input.spans());

    String rate = options.rate() == side.defaultRate() ? "" : String.format(Locale.ROOT, " --rate %.0f", options.rate());
    String groups = options.groups() == 1000 ? "" : " --groups " + options.groups();
    String shape = oneApp ? "" : " --shape " + side.shape().option();
    return String.format(Locale.ROOT, """
        %s

        Written by `deploy/bench.sh alerts --spans %d --rounds %d%s%s%s` on %s (%d cores, shared by the broker, the
        registry, %s and the harness; noisy: ratios from one run, not absolutes). %s

        **Input**: the windowed-metrics benchmark's (see its section): %,d redacted spans in %,d traces, %,d bytes per
        record, trace summaries beside them (%,d); %d tenants × %d `customer_tier` values × the fixtures' %d span shapes
        = **%,d span-level groups per window by design**, record time advancing %,.0f spans per second (%.0f s of stream
        time, %d one-minute windows by span start). Produced before the runs.

        **Pass-through**: as in the metrics section (spans and summaries decoded and encoded again, one JVM).
        %s

        | round | side | spans/s (launch → done) | spans/s (steady) | launch → first commit | cores | RSS peak / at end |
        |---|---|---|---|---|---|---|
        %s
        | round | metrics + alerts / pass-through | steady |
        |---|---|---|
        %s
        **Mean: metrics + alerts %,.0f spans/s, pass-through %,.0f spans/s, ratio %.2f×** (steady %.2f×; goal ≥ 0.5×).

        %s
        **%s** (%s `/metrics` when it was done, and %s read back as in the metrics section):

        | round | spans / traces counted | late dropped (span / trace) | overflowed | windows published | distinct span groups per full minute | counts vs the input |
        |---|---|---|---|---|---|---|
        %s
        **%s** (%s `/metrics`, and the alerts topic read back with read_committed): samples are rule
        samples applied to a group's state (one per rule whose level and scope a window matches, plus immediate
        events), evaluations the dirty groups evaluated by the punctuator; events as counted and as read back
        (FIRING / RESOLVED / RENOTIFY), episodes still open (FIRING without RESOLVED on the topic) beside the
        `llmtrace_alerts_active_groups` gauge (pending or firing groups):

        | round | samples | evaluations | immediate events | events counted | events read back | open episodes / active groups gauge | dead letters / unknown rule |
        |---|---|---|---|---|---|---|---|
        %s
        **What fired** (round %d, from the alerts topic): %d of %d rules (%s); per rule the episodes started
        (FIRING), the distinct groups that fired, RESOLVED and RENOTIFY. The failures in the traffic are the
        fixtures': the fully populated failed LLM call (2 of every 100 child spans: errored, timed out,
        schema-invalid, a failed evaluation) and the support trace's failed policy check (5 of 100, no policy
        severity, so never a severe violation). A rule whose window, `for` or baseline is longer than the
        input's %.0f s of stream time cannot fire on it. The active-groups gauge is the sum of the repartition's
        tasks' counts.

        | rule | metric | FIRING | groups | RESOLVED | RENOTIFY |
        |---|---|---|---|---|---|
        %s
        State at the end (round %d, %s): the state directory per store and the changelog records
        written (end offsets, transaction markers included):

        | store | state dir bytes | changelog records | per span |
        |---|---|---|---|
        %s""",
        side.heading(), options.spans(), options.rounds(), groups, rate, shape, LocalDate.now(), Runtime.getRuntime().availableProcessors(),
        oneApp ? "the measured application" : "both measured applications", StreamsVsPassThrough.contentionNote(runs),
        input.spans(), input.traces(), input.recordBytes() / input.spans(), input.summaries(), design.tenants(), design.tiers(),
        design.shapes(), design.groups(), options.rate(), input.spans() / options.rate(), side.inputWindows(),
        measuredSide,
        StreamsVsPassThrough.runRows(runs), StreamsVsPassThrough.ratioRows(runs, options.rounds()),
        measuredMean, passMean, measuredMean / passMean, steadyRatio,
        perJvm,
        oneApp ? "Metrics stage" : "Metrics app", oneApp ? "the app's" : "its", oneApp ? "the metrics topic" : "its output",
        metricRows.toString().stripTrailing() + "\n",
        oneApp ? "Alert stage" : "Alert app", oneApp ? "the same app's" : "its",
        alertRows.toString().stripTrailing() + "\n",
        first.round(), fired.size(), rules.size(), fired.isEmpty() ? "none" : String.join(", ", fired), input.spans() / options.rate(),
        byRule.toString().stripTrailing() + "\n",
        first.round(), oneApp ? "the application" : "both applications", stores);
  }

  /** How the measured side ran and what the timing covers, when the metrics app evaluates the rules itself. */
  private static String oneApp(Options options, String rulesLoaded, List<AlertRule> rules, double settleSeconds) {
    MetricsConfig.Windows w = MetricsConfig.Windows.defaults();
    return String.format(Locale.ROOT, """
        **Metrics + alerts (one app)**: one child JVM (`-Xmx%s`, `StreamsRunner`: exactly_once_v2, commit interval
        %d ms, %d stream thread(s), a fresh application id and state directory): `MetricsApp` with the production
        settings (windows %s, grace %s) and `llmtrace.metrics.evaluate-alerts=true`, which builds the metrics stage
        and the alert stage into one Kafka Streams application. It reads spans and summaries from the start and
        evaluates %s:
        %d over metric windows, %d immediate) with the production evaluate interval (1 s) on the windows as it
        closes them and on the spans it has decoded already (those the severe-policy-violation rule may fire on),
        nothing read back from a topic; it still publishes the windows to a metrics topic, and reads empty
        redaction-event and release topics. **Timed** from the launch until it has committed both its input topics
        to their end and then its sample repartition (`…-rule-samples-repartition`) to its end: every sample
        applied to a group's state. The groups those last samples dirtied are evaluated at the next punctuation
        (≤ 1 s later), outside the timing; the counters below are read once they stopped changing (%.0f s after the
        timing in round 1). spans/s is the input's spans over that time; "steady" from its first commit; cores
        from /proc.""",
        options.heap(), StreamsSettings.DEFAULT_COMMIT_INTERVAL_MS, options.threads(), MetricsReport.human(w.size()),
        MetricsReport.human(w.grace()), rulesLoaded, rules.stream().filter(r -> !r.immediate()).count(),
        rules.stream().filter(AlertRule::immediate).count(), settleSeconds).stripTrailing();
  }

  /** How the measured side ran and what the timing covers, with a separate alert app. */
  private static String twoApps(Options options, String rulesLoaded, List<AlertRule> rules, double settleSeconds) {
    MetricsConfig.Windows w = MetricsConfig.Windows.defaults();
    return String.format(Locale.ROOT, """
        **Metrics + alerts**: two child JVMs launched together (`-Xmx%s` each, `StreamsRunner`: exactly_once_v2,
        commit interval %d ms, %d stream thread(s) each, fresh application ids and state directories). `MetricsApp`
        with the production settings (windows %s, grace %s) reads spans and summaries from the start and publishes
        closed windows to a metrics topic; `AlertApp` with %s:
        %d over metric windows, %d immediate) and the production evaluate interval (1 s) reads that topic as it fills
        and the same spans topic (the severe-policy-violation rule reads spans), plus empty redaction-event and
        release topics. **Timed** from the launch until (a) the metrics app has committed both its topics to their
        end, (b) the alert app has committed the spans topic to its end and the metrics topic to its end offsets at
        the moment (a) held — every window published by then — and (c) its own sample repartition
        (`…-rule-samples-repartition`) to its end once (b) held: every sample applied to a group's state. The
        groups those last samples dirtied are evaluated at the next punctuation (≤ 1 s later), outside the timing;
        the counters below are read once they stopped changing (%.0f s after the timing in round 1). spans/s is
        the input's spans over that time; "steady" from the metrics app's first commit; cores per JVM from /proc.""",
        options.heap(), StreamsSettings.DEFAULT_COMMIT_INTERVAL_MS, options.threads(), MetricsReport.human(w.size()),
        MetricsReport.human(w.grace()), rulesLoaded, rules.stream().filter(r -> !r.immediate()).count(),
        rules.stream().filter(AlertRule::immediate).count(), settleSeconds).stripTrailing();
  }

  /** The two JVMs of each round, and their sum. */
  private static String perJvm(List<Run<Checks>> measured) {
    StringBuilder jvms = new StringBuilder();
    for (Run<Checks> run : measured) {
      for (ChildRun jvm : run.jvms()) {
        jvms.append(String.format(Locale.ROOT, "| %d | %s | %.1f s | %.2f | %,d / %,d MB | %,d MB |%n", run.round(), jvm.label(), jvm.seconds(),
            run.cores().getOrDefault(jvm.label(), 0.0), jvm.peakRssKb() >> 10, jvm.rssKb() >> 10, jvm.stateDirBytes() >> 20));
      }
      jvms.append(String.format(Locale.ROOT, "| %d | both | %.1f s | %.2f | %,d / %,d MB | %,d MB |%n", run.round(), run.seconds(),
          run.jvms().stream().mapToDouble(j -> run.cores().getOrDefault(j.label(), 0.0)).sum(), run.peakRssKb() >> 10, run.rssKb() >> 10,
          run.stateDirBytes() >> 20));
    }
    return """
        Per JVM of the measured side (RSS from /proc when the side was done; "both": the sum of the two JVMs' peaks,
        which need not have coincided):

        | round | JVM | launch → its inputs committed | cores | RSS peak / at end | state dir |
        |---|---|---|---|---|---|
        """ + jvms.toString().stripTrailing() + "\n";
  }

  /** One JVM: its RSS and cores are the rows above; only its state directory is left to say. */
  private static String oneAppState(List<Run<Checks>> measured) {
    return "One JVM, so the rows above are its own RSS and cores; its state directory at the end: "
        + measured.stream().map(r -> String.format(Locale.ROOT, "%,d MB (round %d)", r.stateDirBytes() >> 20, r.round()))
            .collect(Collectors.joining(", "))
        + ".\n";
  }

  private static String states(java.util.Map<AlertState, Double> counts) {
    return String.format(Locale.ROOT, "%,.0f / %,.0f / %,.0f", counts.getOrDefault(AlertState.FIRING, 0.0),
        counts.getOrDefault(AlertState.RESOLVED, 0.0), counts.getOrDefault(AlertState.RENOTIFY, 0.0));
  }

  private static String statesRead(Checks c) {
    return String.format(Locale.ROOT, "%,d / %,d / %,d", c.eventsRead().getOrDefault(AlertState.FIRING, 0L),
        c.eventsRead().getOrDefault(AlertState.RESOLVED, 0L), c.eventsRead().getOrDefault(AlertState.RENOTIFY, 0L));
  }
}
