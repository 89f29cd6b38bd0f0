package io.llmtrace.bench;

import io.llmtrace.bench.StreamsVsPassThrough.Finished;
import io.llmtrace.bench.StreamsVsPassThrough.Input;
import io.llmtrace.bench.StreamsVsPassThrough.Options;
import io.llmtrace.bench.StreamsVsPassThrough.Run;
import io.llmtrace.bench.StreamsVsPassThrough.Started;
import io.llmtrace.processors.aggregate.MetricsApp;
import io.llmtrace.processors.aggregate.MetricsConfig;
import io.llmtrace.processors.alert.AlertApp;
import io.llmtrace.processors.alert.AlertConfig;
import io.llmtrace.processors.alert.AlertRouter;
import io.llmtrace.processors.alert.AlertRule;
import io.llmtrace.processors.alert.AlertRules;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertState;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.TraceSummary;
import io.llmtrace.schemas.serde.AvroSerdes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Windowed metrics and alert evaluation together as the measured side, over the metrics benchmark's traffic
 * (about {@code --groups} groups per window) with the bundled rules, in one of two {@link Shape}s: one
 * {@code MetricsApp} evaluating the rules itself, done when it has committed its inputs and its repartition of
 * the samples; or {@code MetricsApp} and a separate {@code AlertApp} launched at once, the alert app reading
 * the windows the metrics app publishes and the same spans, done when the metrics app has committed its input
 * and the alert app the spans, every window published by then and its own repartition. Checked from /metrics
 * (of the JVM that evaluates the rules) and from the alerts topic read back.
 */
final class AlertsSide implements MeasuredApp<AlertsSide.Checks> {

  /** How the measured side runs the two stages ({@code --shape}); each has its own section of the report. */
  enum Shape {
    /** {@code MetricsApp} with {@code llmtrace.metrics.evaluate-alerts=true}: one application, one JVM. */
    ONE_APP("one-app", "## Windowed metrics + alerts vs pass-through"),
    /** {@code MetricsApp} and {@code AlertApp}, two JVMs launched together. */
    TWO_APPS("two-apps", "## Windowed metrics + a separate alert app vs pass-through");

    private final String option;
    private final String heading;

    Shape(String option, String heading) {
      this.option = option;
      this.heading = heading;
    }

    String option() {
      return option;
    }

    static Shape parse(String option) {
      for (Shape shape : values()) {
        if (shape.option.equals(option)) {
          return shape;
        }
      }
      throw new IllegalArgumentException("--shape " + option + ": one-app or two-apps");
    }
  }

  /** Where a section of either shape goes when the report has none yet: before the profile of the pair. */
  static final String NEXT_HEADING = "## Windowed metrics + alerts: where its time goes";
  /** AlertTopology's repartition of samples by rule and group, after the application id. */
  static final String REPARTITION = "rule-samples-repartition";
  /** AlertTopology's logged stores (the release index is a global store without a changelog). */
  static final List<String> ALERT_STORES = List.of("alert-rule-states", "alert-dirty-groups", "alert-active-groups", "alert-progress");
  /** Counters unchanged this long after the timing: the last dirty groups were evaluated (interval 1 s). */
  private static final Duration SETTLED = Duration.ofSeconds(3);

  /** Events of one rule read back from the alerts topic: by state, and the groups that fired. */
  record RuleEvents(long firing, long resolved, long renotify, int groupsFiring) {}

  /**
   * The alert stage's counters when the side was done and once settled, and its output read back
   * (read_committed); the metrics stage's checks as in the metrics section.
   */
  record Checks(MetricsSide.Checks metrics, double samplesAtDone, double evaluationsAtDone, double samples, double evaluations,
      Map<AlertState, Double> eventsCounted, double activeGroups, double immediate, double deadLetters, double unknownRule,
      double settleSeconds, Map<AlertState, Long> eventsRead, Map<String, RuleEvents> byRule, long openEpisodes) {

    long firingRead() {
      return eventsRead.getOrDefault(AlertState.FIRING, 0L);
    }
  }

  private final MetricsSide metrics = new MetricsSide();
  private final Shape shape;

  AlertsSide(Shape shape) {
    this.shape = shape;
  }

  Shape shape() {
    return shape;
  }

  /** {@code --sides alerts} and the work directory in both shapes; each child has its own key. */
  @Override
  public String key() {
    return AlertConfig.APP;
  }

  @Override
  public String label() {
    return shape == Shape.ONE_APP ? "metrics + alerts (one app)" : "metrics + alerts";
  }

  /** The JVM that evaluates the rules. */
  @Override
  public String mainClass() {
    return shape == Shape.ONE_APP ? MetricsApp.class.getName() : AlertApp.class.getName();
  }

  @Override
  public String heading() {
    return shape.heading;
  }

  @Override
  public String nextHeading() {
    return NEXT_HEADING;
  }

  @Override
  public double defaultRate() {
    return metrics.defaultRate();
  }

  @Override
  public TraceTraffic.Spread spread(Options options) {
    return metrics.spread(options);
  }

  MetricsSide.Design design(Options options) {
    return metrics.design(options);
  }

  @Override
  public boolean readsTraces() {
    return true;
  }

  @Override
  public void observe(LlmSpan span, long timestampMs, TraceSummary summaryIfLast) {
    metrics.observe(span, timestampMs, summaryIfLast);
  }

  /** The alerts topic. */
  @Override
  public String output(int round) {
    return "bench.alerts.r" + round;
  }

  static String metricsTopic(int round) {
    return "bench.metrics.r" + round;
  }

  @Override
  public List<String> topics(int round) {
    return List.of(metricsTopic(round), "bench.redaction-events.r" + round, "bench.releases.r" + round, "bench.alerts-dlq.r" + round);
  }

  @Override
  public List<Child> children(Options options, int round, String output) {
    String windows = metricsTopic(round);
    // Redaction events and release markers are empty topics here, as in a deployment without canaries or releases.
    Map<String, String> settings = new TreeMap<>(Map.of("llmtrace.topics.metrics", windows, "llmtrace.topics.alerts", output,
        "llmtrace.topics.redaction-events", "bench.redaction-events.r" + round, "llmtrace.topics.releases", "bench.releases.r" + round,
        "llmtrace.topics.dead-letters", "bench.alerts-dlq.r" + round));
    if (rulesFile() != null) {
      settings.put("llmtrace.alerts.rules-file", rulesFile());
    }
    if (shape == Shape.ONE_APP) {
      // The alert app's settings (its dead letters and the metrics stage's in one topic), and the windows still
      // published to the metrics topic: the metrics checks read them back.
      settings.put("llmtrace.metrics.evaluate-alerts", "true");
      return List.of(new Child(MetricsConfig.APP, "metrics+alerts", MetricsApp.class.getName(), settings, MeasuredApp.prefilled(true),
          List.of(), List.of(REPARTITION), stores()));
    }
    Child metricsApp = new Child(MetricsConfig.APP, "metrics", MetricsApp.class.getName(), Map.of("llmtrace.topics.metrics", windows),
        MeasuredApp.prefilled(true), List.of(), List.of(), metrics.stores());
    // The alert app reads the same spans (the severe-policy-violation rule) and the metrics app's windows.
    Child alertApp = new Child(AlertConfig.APP, "alerts", AlertApp.class.getName(), settings,
        new AlertRouter(rules(), List.of(TraceTraffic.Spread.TIER)).watchesSpans() ? MeasuredApp.prefilled(false) : List.of(), List.of(windows),
        List.of(REPARTITION), ALERT_STORES);
    return List.of(metricsApp, alertApp);
  }

  /**
   * For experiments only ({@code -Dbench.alerts.rules-file=...}, e.g. the rules without the one that reads
   * every span): the report then names the file instead of claiming the bundled rules.
   */
  static String rulesFile() {
    return System.getProperty("bench.alerts.rules-file");
  }

  /** The rules the alert app loads: the bundled ones unless an experiment names a file. */
  static List<AlertRule> rules() {
    return rulesFile() == null ? AlertConfig.bundledRules() : AlertRules.load(Path.of(rulesFile()));
  }

  @Override
  public List<String> stores() {
    return Stream.concat(metrics.stores().stream(), ALERT_STORES.stream()).toList();
  }

  @Override
  public Checks check(Finished finished) throws Exception {
    Started metricsApp = finished.children().get(MetricsConfig.APP);
    Started alertApp = shape == Shape.ONE_APP ? metricsApp : finished.children().get(AlertConfig.APP);
    int round = Integer.parseInt(finished.output().substring(finished.output().lastIndexOf(".r") + 2));
    String atDone = StreamsVsPassThrough.scrape(alertApp.adminPort());
    MetricsSide.Checks metricsChecks = metrics.check(new Finished(metricsApp.adminPort(), metricsApp.doneNanos(), metricsApp.appId(),
        metricsTopic(round), finished.input(), finished.endpoints(), finished.children()));
    String settled = settle(alertApp.adminPort());
    double settleSeconds = (System.nanoTime() - finished.consumedNanos()) / 1e9;
    Map<AlertState, Double> counted = new EnumMap<>(AlertState.class);
    for (AlertState state : AlertState.values()) {
      counted.put(state, StreamsVsPassThrough.metric(settled, "llmtrace_alerts_events_total", "state=\"" + state + "\""));
    }
    Map<AlertState, Long> read = new EnumMap<>(AlertState.class);
    Set<String> open = new HashSet<>();
    Map<String, RuleEvents> byRule = readBack(finished, read, open);
    return new Checks(metricsChecks,
        StreamsVsPassThrough.metric(atDone, "llmtrace_alerts_samples_total", ""),
        StreamsVsPassThrough.metric(atDone, "llmtrace_alerts_evaluations_total", ""),
        StreamsVsPassThrough.metric(settled, "llmtrace_alerts_samples_total", ""),
        StreamsVsPassThrough.metric(settled, "llmtrace_alerts_evaluations_total", ""), counted,
        StreamsVsPassThrough.metric(settled, "llmtrace_alerts_active_groups", ""),
        StreamsVsPassThrough.metric(settled, "llmtrace_alerts_immediate_delay_seconds_count", ""),
        StreamsVsPassThrough.metric(settled, "llmtrace_alerts_dead_letters_total", ""),
        StreamsVsPassThrough.metric(settled, "llmtrace_alerts_unknown_rule_total", ""), settleSeconds, read, byRule, open.size());
  }

  /**
   * The /metrics of the JVM evaluating the rules once its samples, evaluations and events stopped changing for {@link #SETTLED}:
   * groups dirtied by the last samples are evaluated at the next punctuation, after the timing ended.
   */
  private static String settle(int port) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    String text = StreamsVsPassThrough.scrape(port);
    String last = signature(text);
    long since = System.nanoTime();
    while (System.nanoTime() - since < SETTLED.toNanos() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(250_000_000);
      text = StreamsVsPassThrough.scrape(port);
      String now = signature(text);
      if (!now.equals(last)) {
        last = now;
        since = System.nanoTime();
      }
    }
    return text;
  }

  private static String signature(String text) {
    return Stream.of("llmtrace_alerts_samples_total", "llmtrace_alerts_evaluations_total", "llmtrace_alerts_events_total")
        .map(name -> Double.toString(StreamsVsPassThrough.metric(text, name, ""))).collect(Collectors.joining(","));
  }

  /** Every committed event of the alerts topic, counted by state and by rule; {@code open}: episodes not resolved. */
  private static Map<String, RuleEvents> readBack(Finished finished, Map<AlertState, Long> byState, Set<String> open) {
    Deserializer<AlertEvent> values = AvroSerdes.specific(AlertEvent.class,
        Map.of("schema.registry.url", finished.endpoints().schemaRegistryUrl()), false).deserializer();
    Map<String, Object> props = Map.of("bootstrap.servers", finished.endpoints().kafkaBootstrap(), "isolation.level", "read_committed",
        "enable.auto.commit", false);
    Map<String, long[]> counts = new TreeMap<>();
    Map<String, Set<Map<String, String>>> groups = new TreeMap<>();
    try (KafkaConsumer<String, AlertEvent> consumer = new KafkaConsumer<>(props, new StringDeserializer(), values)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (int p = 0; p < StreamsVsPassThrough.PARTITIONS; p++) {
        partitions.add(new TopicPartition(finished.output(), p));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("reading " + finished.output() + " back took more than a minute");
        }
        for (ConsumerRecord<String, AlertEvent> record : consumer.poll(Duration.ofMillis(500))) {
          AlertEvent event = record.value();
          byState.merge(event.getState(), 1L, Long::sum);
          counts.computeIfAbsent(event.getRuleId(), k -> new long[3])[event.getState().ordinal()]++;
          if (event.getState() == AlertState.RESOLVED) {
            open.remove(event.getAlertId());
          }
          if (event.getState() == AlertState.FIRING) {
            open.add(event.getAlertId());
            groups.computeIfAbsent(event.getRuleId(), k -> new HashSet<>()).add(Map.copyOf(event.getGroupDimensions()));
          }
        }
      }
    }
    Map<String, RuleEvents> byRule = new TreeMap<>();
    counts.forEach((rule, c) -> byRule.put(rule, new RuleEvents(c[AlertState.FIRING.ordinal()], c[AlertState.RESOLVED.ordinal()],
        c[AlertState.RENOTIFY.ordinal()], groups.getOrDefault(rule, Set.of()).size())));
    return byRule;
  }

  int inputWindows() {
    return metrics.inputWindows();
  }

  @Override
  public String describe(Run<Checks> run, Input input) {
    Checks c = run.checks();
    return metrics.describe(new Run<>(run.side(), run.label(), run.round(), run.spans(), run.records(), run.seconds(), run.toFirstCommit(),
        run.steadyRecordsPerSecond(), run.cores(), run.peakRssKb(), run.rssKb(), run.stateDirBytes(), run.storeBytes(),
        run.changelogRecordsByStore(), run.changelogBytes(), run.outputBytes(), run.contention(), c.metrics(), run.jvms()), input)
        + String.format(Locale.ROOT, "%n  alerts: %,.0f samples (%,.0f when done), %,.0f evaluations (%,.0f when done), %,.0f immediate events,"
            + " events %s counted, %s read back (%,d episodes open); %,.0f active groups (gauge), dead letters %,.0f, unknown rule %,.0f;"
            + " FIRING by rule %s", c.samples(), c.samplesAtDone(), c.evaluations(), c.evaluationsAtDone(), c.immediate(), c.eventsCounted(),
            c.eventsRead(), c.openEpisodes(), c.activeGroups(), c.deadLetters(), c.unknownRule(),
            c.byRule().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().firing() + " (" + e.getValue().groupsFiring() + " groups)")
                .collect(Collectors.joining(", ", "{", "}")));
  }

  @Override
  public String section(Options options, Input input, List<Run<Checks>> runs) {
    return AlertsReport.section(options, input, runs, this);
  }
}
