package io.llmtrace.bench;

import io.llmtrace.bench.StreamsVsPassThrough.Finished;
import io.llmtrace.bench.StreamsVsPassThrough.Input;
import io.llmtrace.bench.StreamsVsPassThrough.Options;
import io.llmtrace.bench.StreamsVsPassThrough.Run;
import io.llmtrace.processors.aggregate.Groups;
import io.llmtrace.processors.aggregate.MetricsApp;
import io.llmtrace.processors.aggregate.MetricsConfig;
import io.llmtrace.processors.aggregate.MetricsTopology;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.TraceSummary;
import io.llmtrace.schemas.serde.AvroSerdes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Windowed metrics as the measured side (section "Windowed metrics vs pass-through"): {@code MetricsApp}
 * with its production settings over spans spread across tenants and {@code customer_tier} values so that
 * about {@code --groups} span-level groups are active per window, and the trace summaries of the same
 * traces. Checked from its /metrics and from its output: every metric window it published is read back
 * and its groups and counts are compared with what the harness produced for that minute.
 */
final class MetricsSide implements MeasuredApp<MetricsSide.Checks> {

  static final String HEADING = "## Windowed metrics vs pass-through";
  /** At most this many groups per tenant in the traffic, half the stage's default cap: more groups, more tenants. */
  static final int GROUPS_PER_TENANT = MetricsConfig.DEFAULT_MAX_GROUPS / 2;
  static final int MIN_TENANTS = 4;

  /** One published minute, all shards: distinct groups and the observations counted, against the input's. */
  record Window(long startMs, boolean partial, int spanGroups, int maxSpanGroupsPerShard, int traceGroups, long spans,
      long expectedSpans, long traces, long expectedTraces, int records, int overflowRecords) {}

  /** The stage's own counters at consumption (its /metrics) and its output read back. */
  record Checks(double spans, double traces, double lateSpans, double lateTraces, double overflowed, double attributed, double emitted,
      double openWindows, double deadLetters, long outputRecords, List<Window> windows) {

    List<Window> full() {
      return windows.stream().filter(w -> !w.partial()).toList();
    }

    boolean countsMatch() {
      return windows.stream().allMatch(w -> w.spans() == w.expectedSpans() && w.traces() == w.expectedTraces());
    }
  }

  /** How the traffic is spread: span shapes of the fixtures × tenants × tiers ≈ the groups asked for. */
  record Design(int shapes, int tenants, int tiers) {
    int groups() {
      return shapes * tenants * tiers;
    }
  }

  private final long windowMs = MetricsConfig.Windows.defaults().size().toMillis();
  /** Per window start: spans and traces produced with their event time in it. */
  private final Map<Long, long[]> expected = new TreeMap<>();
  private long firstEventMs = Long.MAX_VALUE;
  private Design design;

  @Override
  public String key() {
    return MetricsConfig.APP;
  }

  @Override
  public String label() {
    return "metrics";
  }

  @Override
  public String mainClass() {
    return MetricsApp.class.getName();
  }

  @Override
  public String heading() {
    return HEADING;
  }

  /**
   * 4,000 spans per second of record time: 2 M spans cover 500 s, so with the production window (1 min)
   * and grace (2 min) six windows close while the input is consumed — the stream time of a replayed backlog.
   */
  @Override
  public double defaultRate() {
    return 4_000;
  }

  @Override
  public TraceTraffic.Spread spread(Options options) {
    Design d = design(options);
    return new TraceTraffic.Spread(d.tenants(), d.tiers());
  }

  /** The distinct span-level dimension sets of the fixtures without tenant and attributes, then tenants and tiers to reach the groups asked for. */
  Design design(Options options) {
    if (design == null) {
      Set<Map<String, String>> shapes = new HashSet<>();
      for (LlmSpan template : new TraceTraffic(0, 0, 1).templates()) {
        Map<String, String> dims = new TreeMap<>(Groups.ofSpan(template, List.of()));
        dims.remove("tenant_id");
        shapes.add(dims);
      }
      int tenants = Math.max(MIN_TENANTS, (options.groups() + GROUPS_PER_TENANT - 1) / GROUPS_PER_TENANT);
      int tiers = Math.max(1, Math.round(options.groups() / (float) (tenants * shapes.size())));
      design = new Design(shapes.size(), tenants, tiers);
    }
    return design;
  }

  @Override
  public boolean readsTraces() {
    return true;
  }

  @Override
  public void observe(LlmSpan span, long timestampMs, TraceSummary summaryIfLast) {
    long start = span.getStartTime().toEpochMilli();
    firstEventMs = Math.min(firstEventMs, start);
    expected.computeIfAbsent(windowOf(start), w -> new long[2])[0]++;
    if (summaryIfLast != null) {
      expected.computeIfAbsent(windowOf(summaryIfLast.getStartTime().toEpochMilli()), w -> new long[2])[1]++;
    }
  }

  private long windowOf(long ms) {
    return Math.floorDiv(ms, windowMs) * windowMs;
  }

  @Override
  public String output(int round) {
    return "bench.metrics.r" + round;
  }

  @Override
  public Map<String, String> settings(Options options, String output) {
    return Map.of("llmtrace.topics.metrics", output);
  }

  @Override
  public List<String> stores() {
    return List.of(MetricsTopology.WINDOWS, MetricsTopology.PROGRESS, MetricsTopology.ATTRIBUTION, MetricsTopology.GROUP_DIMENSIONS,
        MetricsTopology.COUNTED_TRACES);
  }

  @Override
  public Checks check(Finished finished) throws Exception {
    String text = StreamsVsPassThrough.scrape(finished.adminPort());
    List<Window> windows = published(finished);
    long records = windows.stream().mapToLong(Window::records).sum();
    return new Checks(
        StreamsVsPassThrough.metric(text, "llmtrace_metrics_observations_total", "level=\"span\""),
        StreamsVsPassThrough.metric(text, "llmtrace_metrics_observations_total", "level=\"trace\""),
        StreamsVsPassThrough.metric(text, "llmtrace_metrics_late_dropped_total", "level=\"span\""),
        StreamsVsPassThrough.metric(text, "llmtrace_metrics_late_dropped_total", "level=\"trace\""),
        StreamsVsPassThrough.metric(text, "llmtrace_metrics_overflow_total", ""),
        StreamsVsPassThrough.metric(text, "llmtrace_metrics_attributed_evaluations_total", ""),
        StreamsVsPassThrough.metric(text, "llmtrace_metrics_windows_emitted_total", ""),
        StreamsVsPassThrough.metric(text, "llmtrace_metrics_open_windows", ""),
        StreamsVsPassThrough.metric(text, "llmtrace_metrics_dead_letters_total", ""), records, windows);
  }

  /** Every committed record of the output, grouped by window start. */
  private List<Window> published(Finished finished) {
    Deserializer<MetricWindow> values = AvroSerdes.specific(MetricWindow.class,
        Map.of("schema.registry.url", finished.endpoints().schemaRegistryUrl()), false).deserializer();
    Map<String, Object> props = Map.of("bootstrap.servers", finished.endpoints().kafkaBootstrap(), "isolation.level", "read_committed",
        "enable.auto.commit", false, "max.poll.records", 5_000);
    Map<Long, Map<String, Set<String>>> groups = new TreeMap<>(); // window → level → group ids
    Map<Long, Map<Integer, Set<String>>> spanGroupsByShard = new HashMap<>();
    Map<Long, long[]> counted = new HashMap<>(); // spans, traces, records, overflow records
    try (KafkaConsumer<byte[], MetricWindow> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), values)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (int p = 0; p < StreamsVsPassThrough.PARTITIONS; p++) {
        partitions.add(new TopicPartition(finished.output(), p));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions); // read_committed: the last stable offsets
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("reading " + finished.output() + " back took more than 2 minutes");
        }
        for (ConsumerRecord<byte[], MetricWindow> record : consumer.poll(Duration.ofMillis(500))) {
          MetricWindow w = record.value();
          long start = w.getWindowStart().toEpochMilli();
          boolean spans = w.getMetricName().equals(Groups.SPANS);
          groups.computeIfAbsent(start, k -> new TreeMap<>()).computeIfAbsent(w.getMetricName(), k -> new HashSet<>()).add(w.getGroupId());
          long[] c = counted.computeIfAbsent(start, k -> new long[4]);
          c[spans ? 0 : 1] += w.getCount();
          c[2]++;
          if (w.getOverflow()) {
            c[3]++;
          }
          if (spans) {
            spanGroupsByShard.computeIfAbsent(start, k -> new HashMap<>()).computeIfAbsent(w.getShard(), k -> new HashSet<>())
                .add(w.getGroupId());
          }
        }
      }
    }
    List<Window> windows = new ArrayList<>();
    groups.forEach((start, byLevel) -> {
      long[] c = counted.get(start);
      long[] e = expected.getOrDefault(start, new long[2]);
      int perShard = spanGroupsByShard.getOrDefault(start, Map.of()).values().stream().mapToInt(Set::size).max().orElse(0);
      windows.add(new Window(start, start < firstEventMs, byLevel.getOrDefault(Groups.SPANS, Set.of()).size(), perShard,
          byLevel.getOrDefault(Groups.TRACES, Set.of()).size(), c[0], e[0], c[1], e[1], (int) c[2], (int) c[3]));
    });
    return windows;
  }

  /** Windows with event times in the input (first to last minute) — published and still open at the end. */
  int inputWindows() {
    return expected.size();
  }

  @Override
  public String describe(Run<Checks> run, Input input) {
    Checks c = run.checks();
    List<Window> full = c.full();
    return String.format(Locale.ROOT, "  metrics: %,.0f spans and %,.0f traces counted, late %,.0f / %,.0f, overflow %,.0f, dead letters %,.0f;"
        + " %,.0f windows published (%,d records read back, %d minutes), %,.0f open at the end; distinct span groups per full minute %s;"
        + " counts %s the input's; state dir %,d bytes, changelog %,d records", c.spans(), c.traces(), c.lateSpans(), c.lateTraces(),
        c.overflowed(), c.deadLetters(), c.emitted(), c.outputRecords(), c.windows().size(), c.openWindows(), range(full),
        c.countsMatch() ? "equal" : "DIFFER FROM", run.stateDirBytes(), run.changelogRecords());
  }

  static String range(List<Window> windows) {
    if (windows.isEmpty()) {
      return "(none)";
    }
    int min = windows.stream().mapToInt(Window::spanGroups).min().orElse(0);
    int max = windows.stream().mapToInt(Window::spanGroups).max().orElse(0);
    return min == max ? String.format(Locale.ROOT, "%,d", min) : String.format(Locale.ROOT, "%,d–%,d", min, max);
  }

  @Override
  public String section(Options options, Input input, List<Run<Checks>> runs) {
    return MetricsReport.section(options, input, runs, design(options), inputWindows());
  }
}
