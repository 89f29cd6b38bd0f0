package io.llmtrace.processors.aggregate;

import io.llmtrace.processors.aggregate.state.Attribution;
import io.llmtrace.processors.aggregate.state.TraceAttribution;
import io.llmtrace.processors.aggregate.state.WindowState;
import io.llmtrace.processors.common.DeadLetterHeaders;
import io.llmtrace.processors.common.RecordReader;
import io.llmtrace.schemas.avro.Evaluation;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.MetricWindow;
import io.llmtrace.schemas.avro.SpanKind;
import io.llmtrace.schemas.avro.TraceSummary;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-minute event-time windows per group, for one partition of redacted spans and of trace summaries
 * (both keyed by trace id, so co-partitioned: an evaluation span meets the span it judges here).
 *
 * <pre>
 * event time        a span's start (a trace's start): a backlog or a restart replays into the right minutes
 * watermark         the largest event time seen (ignoring times more than {@value #MAX_FUTURE_MS} ms ahead of the wall clock)
 * a window closes   when watermark − grace passes its end; or, on a partition quiet for idle-close-after,
 *                   when the wall clock − grace does — then it is emitted once, and forgotten
 * late              an observation for a closed window: counted in late_dropped, never in a window
 * overflow          a tenant's groups beyond max-groups-per-tenant in one window share one overflow group
 * </pre>
 *
 * An evaluation (or feedback) arriving as its own span counts in the window of its own start, in the group
 * of the span it judges (its parent): {@code trace-attribution} remembers, per trace, each judgeable span's group
 * id, and {@code group-dimensions} each group's dimensions, for attribution-retention. Why per trace and by group
 * id: one entry per span with its dimensions was half of the stage's changelog bytes (docs/BENCHMARKS.md).
 * A trace summary's later version replaces its earlier one in the window (taken back out, then added),
 * while that window is open. State, output and offsets commit in one exactly_once_v2 transaction.
 *
 * <p>Forwards each closed window's {@link MetricWindow}, each unreadable record as a {@link RecordReader.DeadLetter},
 * and the decoded spans the {@code tap} accepts (for a stage evaluating rules over single spans in the same application).
 */
final class MetricsProcessor implements Processor<String, byte[], String, Object> {

  static final long MAX_FUTURE_MS = Duration.ofMinutes(5).toMillis();
  static final int SWEEP_BATCH = 5_000;
  static final int SWEEP_MIN = 200;
  static final int MAX_CACHED_IDS = 50_000;
  /** Judgeable spans remembered per trace (the trace-assembly stage's default span limit): about 34 KB an entry. */
  static final int MAX_ATTRIBUTED_SPANS = 1_000;
  /** {@code lastRecordWall} before the task has seen its first record or punctuation. */
  private static final long NOT_YET = Long.MIN_VALUE;
  private static final String WATERMARK = "watermark";
  private static final String CLOSED = "closed";
  private static final Set<SpanKind> JUDGEABLE = Set.of(SpanKind.LLM, SpanKind.AGENT_STEP, SpanKind.WORKFLOW, SpanKind.CHAIN);
  private static final Logger LOG = LoggerFactory.getLogger(MetricsProcessor.class);

  private final String spansTopic;
  private final Deserializer<LlmSpan> spans;
  private final Deserializer<TraceSummary> traces;
  private final MetricsConfig.Windows config;
  private final MetricsMeters meters;
  private final Predicate<LlmSpan> tap;
  private final long size;
  private final Map<Long, Map<String, Integer>> groupsPerTenant = new HashMap<>();
  /**
   * Group ids by their text (level and sorted dimensions): a SHA-256 per span was 5% of the stream thread
   * (docs/BENCHMARKS.md). Keyed by the text, not the map: maps' hash codes (sums of their entries') collide.
   */
  private final Map<String, String> groupIds = new HashMap<>();
  private ProcessorContext<String, Object> context;
  private KeyValueStore<Bytes, WindowState> windows;
  private KeyValueStore<String, Long> progress;
  private KeyValueStore<String, TraceAttribution> attribution;
  private KeyValueStore<String, Attribution> groupDimensions;
  /** The latest window each group's dimensions were put for, by this task since it started: one put per group and window. */
  private final Map<String, Long> dimensionsPut = new HashMap<>();
  private KeyValueStore<String, CountedTrace> counted;
  private long watermark;
  private long closed;
  private long lastRecordWall;
  private String attributionSweep;
  private String dimensionsSweep;
  private String countedSweep;

  MetricsProcessor(String spansTopic, Deserializer<LlmSpan> spans, Deserializer<TraceSummary> traces, MetricsConfig.Windows config,
      MetricsMeters meters, Predicate<LlmSpan> tap) {
    this.tap = tap;
    this.spansTopic = spansTopic;
    this.spans = spans;
    this.traces = traces;
    this.config = config;
    this.meters = meters;
    this.size = config.size().toMillis();
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    windows = context.getStateStore(MetricsTopology.WINDOWS);
    progress = context.getStateStore(MetricsTopology.PROGRESS);
    attribution = context.getStateStore(MetricsTopology.ATTRIBUTION);
    groupDimensions = context.getStateStore(MetricsTopology.GROUP_DIMENSIONS);
    dimensionsPut.clear();
    counted = context.getStateStore(MetricsTopology.COUNTED_TRACES);
    watermark = orMin(progress.get(WATERMARK));
    closed = orMin(progress.get(CLOSED));
    // Not the clock here: Kafka Streams sets a task's cached wall clock before each record and punctuation, not
    // before init, so it reads 0 then — and a task punctuated before its first record would take the quiet time
    // since 1970 for idleness and close every window of a replayed backlog older than the grace.
    lastRecordWall = NOT_YET;
    meters.openWindows.addAndGet(-countOpen());
    groupsPerTenant.clear();
    try (KeyValueIterator<Bytes, WindowState> all = windows.all()) {
      while (all.hasNext()) {
        WindowState state = all.next().value;
        if (!state.getOverflow()) {
          groupsPerTenant.computeIfAbsent(state.getWindowStartMs(), k -> new HashMap<>())
              .merge(tenantKey(state.getLevel(), state.getDimensions().get("tenant_id")), 1, Integer::sum);
        }
      }
    }
    meters.openWindows.addAndGet(countOpen());
    context.schedule(config.punctuateInterval(), PunctuationType.STREAM_TIME, at -> punctuate(false));
    context.schedule(config.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, at -> punctuate(true));
  }

  private long countOpen() {
    return groupsPerTenant.values().stream().flatMap(m -> m.values().stream()).mapToLong(Integer::longValue).sum();
  }

  @Override
  public void process(Record<String, byte[]> record) {
    RecordMetadata source = context.recordMetadata().orElseThrow();
    boolean isSpan = source.topic().equals(spansTopic);
    Object value;
    try {
      value = isSpan ? spans.deserialize(source.topic(), record.headers(), record.value())
          : traces.deserialize(source.topic(), record.headers(), record.value());
      if (value == null) {
        throw new IllegalArgumentException("a record has no value");
      }
    } catch (RuntimeException e) {
      meters.deadLetters.increment();
      context.forward(DeadLetterHeaders.letter(record, e, source).withValue(new RecordReader.DeadLetter(record.value())));
      return;
    }
    lastRecordWall = context.currentSystemTimeMs();
    if (value instanceof LlmSpan span) {
      span(span);
      if (tap.test(span)) {
        context.forward(new Record<String, Object>(record.key(), span, record.timestamp()));
      }
    } else {
      trace((TraceSummary) value, record.value(), source.topic());
    }
  }

  private void span(LlmSpan span) {
    long eventMs = span.getStartTime().toEpochMilli();
    long window = windowOf(eventMs);
    advance(eventMs);
    if (window + size <= closed) {
      meters.lateSpans.increment();
      return;
    }
    Map<String, String> dims = Groups.ofSpan(span, config.groupAttributes());
    Map<String, String> judged = judges(span) ? judgedDimensions(span) : null;
    Slot own = slot(window, Groups.SPANS, dims);
    WindowAggregator.addSpan(own.state, span, judged != null);
    windows.put(own.key, own.state);
    if (judged != null) {
      Slot target = slot(window, Groups.SPANS, judged);
      for (Evaluation evaluation : span.getEvaluations()) {
        WindowAggregator.addEvaluation(target.state, span.getTraceId(), evaluation);
      }
      WindowAggregator.addFeedback(target.state, span.getFeedback());
      windows.put(target.key, target.state);
      meters.attributedEvaluations.increment();
    } else if (JUDGEABLE.contains(span.getKind())) {
      remember(span, window, eventMs, dims);
    }
    meters.spans.increment();
  }

  /** The dimensions of the group the judged span (the parent) was counted in, if remembered. */
  private Map<String, String> judgedDimensions(LlmSpan span) {
    TraceAttribution trace = attribution.get(span.getTraceId());
    String groupId = trace == null ? null : trace.getGroups().get(span.getParentSpanId());
    Attribution group = groupId == null ? null : groupDimensions.get(groupId);
    return group == null ? null : group.getDimensions();
  }

  /** Remembers the span's group under its trace, and the group's dimensions once per window. */
  private void remember(LlmSpan span, long window, long eventMs, Map<String, String> dims) {
    String groupId = groupId(Groups.SPANS, dims);
    TraceAttribution trace = attribution.get(span.getTraceId());
    if (trace == null) {
      trace = new TraceAttribution(new HashMap<>(), eventMs);
    } else if (trace.getGroups().size() >= MAX_ATTRIBUTED_SPANS && !trace.getGroups().containsKey(span.getSpanId())) {
      // one entry per trace must stay well below a changelog record's size limit: this span's evaluations count
      // with their own dimensions, as an evaluation of a span no longer remembered does
      meters.attributionsSkipped.increment();
      return;
    }
    trace.getGroups().put(span.getSpanId(), groupId);
    trace.setEventTimeMs(Math.max(trace.getEventTimeMs(), eventMs));
    attribution.put(span.getTraceId(), trace);
    Long put = dimensionsPut.get(groupId);
    if (put == null) {
      Attribution stored = groupDimensions.get(groupId); // first sight since this task started: never move it back
      put = stored == null ? null : stored.getEventTimeMs();
    }
    if (put == null || put < window) {
      groupDimensions.put(groupId, new Attribution(dims, window));
      dimensionsPut.put(groupId, window);
    } else {
      dimensionsPut.put(groupId, put);
    }
  }

  /** An evaluation or feedback span: its results belong to the span it judges (its parent). */
  private static boolean judges(LlmSpan span) {
    if (span.getParentSpanId() == null) {
      return false;
    }
    if (span.getKind() == SpanKind.EVALUATION) {
      return true;
    }
    return span.getKind() == SpanKind.UNKNOWN && span.getModel() == null && span.getUsage() == null
        && (!span.getFeedback().isEmpty() || !span.getEvaluations().isEmpty());
  }

  private void trace(TraceSummary trace, byte[] topicBytes, String topic) {
    long eventMs = trace.getStartTime().toEpochMilli();
    long window = windowOf(eventMs);
    advance(eventMs);
    CountedTrace counting = counted.get(trace.getTraceId());
    TraceSummary before = counting == null ? null : counting.summary(bytes -> traces.deserialize(topic, bytes));
    if (before != null && before.getVersion() >= trace.getVersion()) {
      return; // a version counted already
    }
    if (window + size <= closed) {
      meters.lateTraces.increment();
      return;
    }
    if (before != null) {
      long beforeWindow = windowOf(before.getStartTime().toEpochMilli());
      if (beforeWindow + size <= closed) {
        meters.lateTraces.increment(); // its first version's window is published: a correction cannot reach it
        return;
      }
      Slot old = slot(beforeWindow, Groups.TRACES, Groups.ofTrace(before));
      WindowAggregator.addTrace(old.state, before, -1);
      windows.put(old.key, old.state);
    }
    Slot slot = slot(window, Groups.TRACES, Groups.ofTrace(trace));
    WindowAggregator.addTrace(slot.state, trace, 1);
    windows.put(slot.key, slot.state);
    counted.put(trace.getTraceId(), CountedTrace.of(window, topicBytes));
    meters.traces.increment();
  }

  private record Slot(Bytes key, WindowState state) {}

  /** The group's state in the window, created if new — or the tenant's overflow group when it has too many. */
  private Slot slot(long window, String level, Map<String, String> dims) {
    String groupId = groupId(level, dims);
    Bytes key = key(window, groupId);
    WindowState state = windows.get(key);
    if (state != null) {
      return new Slot(key, state);
    }
    String tenant = dims.getOrDefault("tenant_id", "");
    Map<String, Integer> counts = groupsPerTenant.computeIfAbsent(window, k -> new HashMap<>());
    String tenantKey = tenantKey(level, tenant);
    if (counts.getOrDefault(tenantKey, 0) >= config.maxGroupsPerTenant()) {
      Map<String, String> overflow = Groups.overflow(tenant);
      String overflowId = Groups.id(level, overflow);
      Bytes overflowKey = key(window, overflowId);
      WindowState overflowState = windows.get(overflowKey);
      meters.overflowed.increment();
      return new Slot(overflowKey, overflowState != null ? overflowState
          : WindowAggregator.empty(window, level, overflowId, overflow, true));
    }
    counts.merge(tenantKey, 1, Integer::sum);
    meters.openWindows.incrementAndGet();
    return new Slot(key, WindowAggregator.empty(window, level, groupId, dims, false));
  }

  private String groupId(String level, Map<String, String> dims) {
    String text = Groups.text(level, dims);
    String id = groupIds.get(text);
    if (id == null) {
      if (groupIds.size() >= MAX_CACHED_IDS) {
        groupIds.clear(); // more distinct groups than windows hold: start over rather than grow
      }
      id = Groups.idOf(text);
      groupIds.put(text, id);
    }
    return id;
  }

  private void advance(long eventMs) {
    if (eventMs > watermark && eventMs <= context.currentSystemTimeMs() + MAX_FUTURE_MS) {
      watermark = eventMs;
      progress.put(WATERMARK, watermark);
    }
  }

  private void punctuate(boolean wallClock) {
    long grace = config.grace().toMillis();
    long boundary = watermark == Long.MIN_VALUE ? Long.MIN_VALUE : watermark - grace;
    long wall = context.currentSystemTimeMs();
    if (lastRecordWall == NOT_YET) {
      lastRecordWall = wall; // quiet from here on, until a record comes
    }
    if (wallClock && wall - lastRecordWall >= config.idleCloseAfter().toMillis()) {
      boundary = Math.max(boundary, wall - grace);
    }
    if (boundary != Long.MIN_VALUE) {
      long closeTo = Math.floorDiv(boundary, size) * size; // a window end
      if (closeTo > closed) {
        emitUpTo(closeTo);
        closed = closeTo;
        progress.put(CLOSED, closed);
      }
    }
    sweep();
  }

  /** Emits and forgets every window ending at or before {@code end}, in key (time, group) order. */
  private void emitUpTo(long end) {
    List<Bytes> done = new ArrayList<>();
    try (KeyValueIterator<Bytes, WindowState> all = windows.all()) {
      while (all.hasNext()) {
        KeyValue<Bytes, WindowState> entry = all.next();
        WindowState state = entry.value;
        if (state.getWindowStartMs() + size > end) {
          break;
        }
        done.add(entry.key);
        if (state.getCount() > 0 || !state.getEvaluations().isEmpty()) {
          MetricWindow window = WindowAggregator.toRecord(state, config.size());
          window.setShard(context.taskId().partition()); // this task's part of the group's window: summed downstream
          context.forward(new Record<String, Object>(state.getGroupId(), window, context.currentSystemTimeMs()));
          meters.windowsEmitted.increment();
        }
      }
    }
    for (Bytes key : done) {
      windows.delete(key);
    }
    groupsPerTenant.keySet().removeIf(start -> {
      boolean gone = start + size <= end;
      if (gone) {
        meters.openWindows.addAndGet(-groupsPerTenant.get(start).values().stream().mapToLong(Integer::longValue).sum());
      }
      return gone;
    });
  }

  /**
   * Forgets attributions past their retention and counted traces whose window has closed, a slice of each
   * store per call: attributions walked once per retention (one is forgotten at most a retention late; a
   * late one is only a lookup that still succeeds), counted traces once per window + grace.
   */
  private void sweep() {
    long expireBefore = watermark == Long.MIN_VALUE ? Long.MIN_VALUE : watermark - config.attributionRetention().toMillis();
    attributionSweep = sweep(attribution, attributionSweep, sweepBatch(attribution.approximateNumEntries(), config.attributionRetention(),
        config.punctuateInterval()), a -> a.getEventTimeMs() < expireBefore);
    dimensionsSweep = sweep(groupDimensions, dimensionsSweep, sweepBatch(groupDimensions.approximateNumEntries(),
        config.attributionRetention(), config.punctuateInterval()), a -> a.getEventTimeMs() + size <= expireBefore);
    if (dimensionsPut.size() > MAX_CACHED_IDS) {
      dimensionsPut.clear(); // puts a group's dimensions once more per window at worst
    }
    countedSweep = sweep(counted, countedSweep, sweepBatch(counted.approximateNumEntries(), config.size().plus(config.grace()),
        config.punctuateInterval()), t -> t.windowStartMs() + size <= closed);
  }

  /**
   * Entries one sweep visits so that it walks a store of {@code entries} once per {@code walk} of punctuations,
   * between {@link #SWEEP_MIN} and {@link #SWEEP_BATCH}. Punctuations come once per second of stream time while
   * a backlog is replayed (and once per second of the wall clock): a fixed 5,000 from each store decoded about
   * nine entries per span in the benchmark (docs/BENCHMARKS.md, "Windowed metrics"), 45% of the stream thread.
   */
  static int sweepBatch(long entries, Duration walk, Duration punctuateInterval) {
    long punctuationsPerWalk = Math.max(1, walk.toMillis() / Math.max(1, punctuateInterval.toMillis()));
    return (int) Math.max(SWEEP_MIN, Math.min(SWEEP_BATCH, entries / punctuationsPerWalk + 1));
  }

  private static <V> String sweep(KeyValueStore<String, V> store, String from, int batch, java.util.function.Predicate<V> expired) {
    List<String> gone = new ArrayList<>();
    String last = null;
    int seen = 0;
    boolean more;
    try (KeyValueIterator<String, V> slice = from == null ? store.all() : store.range(from, null)) {
      while (slice.hasNext() && seen < batch) {
        KeyValue<String, V> entry = slice.next();
        if (entry.key.equals(from)) {
          continue;
        }
        seen++;
        last = entry.key;
        if (expired.test(entry.value)) {
          gone.add(entry.key);
        }
      }
      more = slice.hasNext();
    }
    gone.forEach(store::delete);
    return more ? last : null;
  }

  private long windowOf(long eventMs) {
    return Math.floorDiv(eventMs, size) * size;
  }

  /** Window start (order-preserving for negative times too), then the group id: iteration is time order. */
  static Bytes key(long windowStart, String groupId) {
    byte[] id = groupId.getBytes(StandardCharsets.UTF_8);
    return Bytes.wrap(ByteBuffer.allocate(8 + id.length).putLong(windowStart ^ Long.MIN_VALUE).put(id).array());
  }

  private static String tenantKey(String level, String tenant) {
    return level + "|" + tenant;
  }

  private static long orMin(Long value) {
    return value == null ? Long.MIN_VALUE : value;
  }
}
