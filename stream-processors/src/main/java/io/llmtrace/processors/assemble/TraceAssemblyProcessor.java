package io.llmtrace.processors.assemble;

import io.llmtrace.processors.assemble.state.TraceState;
import io.llmtrace.processors.common.DeadLetterHeaders;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.TraceSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
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
 * Assembles one partition's spans into trace summaries. Per trace the store holds a {@link TraceState}
 * (an aggregate, never the spans); a summary is emitted when the trace is due:
 *
 * <pre>
 * state                      due when (idle / age by stream time or wall clock, whichever is further)
 * open, root seen            idle ≥ inactivity gap            → version 1
 * open                       age ≥ max duration               → version 1 (no root: incomplete)
 * emitted, new spans since   idle ≥ inactivity gap            → version n + 1, corrected totals
 * emitted, nothing new       idle ≥ retention                 → state deleted
 * </pre>
 *
 * Both clocks count: stream time moves while a backlog is replayed (so a restart does not wait for the
 * wall clock), the wall clock while a partition is quiet (so its last traces still go out). The output
 * record, the state change and the input offsets commit in one exactly_once_v2 transaction, so versions
 * are consecutive and none is emitted twice, whatever is killed when.
 *
 * <p>The traces waiting to be emitted are indexed in memory ({@link #pending}), rebuilt from the store in
 * {@link #init} (which Kafka Streams calls again after a task is restored or revived); emitted traces
 * kept only for late spans are not in it, and a sweep over the store forgets them after the retention,
 * a bounded slice per punctuation, sized to walk the whole store about once per tenth of the retention.
 */
final class TraceAssemblyProcessor implements Processor<String, byte[], String, Object> {

  static final int SWEEP_BATCH = 5_000;
  static final int SWEEP_MIN = 200;
  private static final Logger LOG = LoggerFactory.getLogger(TraceAssemblyProcessor.class);

  private final Deserializer<LlmSpan> spans;
  private final AssemblyConfig.Timing timing;
  private final TraceAggregator aggregator;
  private final AssemblyMetrics metrics;
  private final Map<String, Pending> pending = new HashMap<>();
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, TraceState> store;
  private String sweepFrom;

  /** What deciding "due" needs, so punctuation does not read the store for traces that are not. */
  private record Pending(long firstStream, long lastStream, long firstWall, long lastWall, boolean emitted, boolean rooted) {
    static Pending of(TraceState state) {
      return new Pending(state.getFirstArrivalStreamMs(), state.getLastArrivalStreamMs(), state.getFirstArrivalWallMs(),
          state.getLastArrivalWallMs(), state.getEmittedVersion() > 0, state.getRoot() != null);
    }
  }

  TraceAssemblyProcessor(Deserializer<LlmSpan> spans, AssemblyConfig.Timing timing, TraceAggregator aggregator,
      AssemblyMetrics metrics) {
    this.spans = spans;
    this.timing = timing;
    this.aggregator = aggregator;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.store = context.getStateStore(TraceAssemblyTopology.STORE);
    metrics.openTraces.addAndGet(-pending.size());
    pending.clear();
    // Time the application was down is not inactivity on the wall clock: a trace whose spans were still
    // arriving when it stopped would otherwise be emitted at once, before the rest of its spans (already in
    // Kafka) are read. Stream time still measures real gaps.
    long restartedAt = context.currentSystemTimeMs();
    try (KeyValueIterator<String, TraceState> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, TraceState> entry = all.next();
        if (entry.value.getDirty()) {
          Pending restored = Pending.of(entry.value);
          pending.put(entry.key, new Pending(restored.firstStream(), restored.lastStream(), restored.firstWall(),
              Math.max(restored.lastWall(), restartedAt), restored.emitted(), restored.rooted()));
        }
      }
    }
    metrics.openTraces.addAndGet(pending.size());
    long every = timing.punctuateInterval().toMillis();
    context.schedule(timing.punctuateInterval(), PunctuationType.STREAM_TIME, at -> punctuate());
    context.schedule(timing.punctuateInterval(), PunctuationType.WALL_CLOCK_TIME, at -> punctuate());
    LOG.debug("task {}: {} traces pending after restore, punctuating every {} ms", context.taskId(), pending.size(), every);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    LlmSpan span;
    try {
      span = spans.deserialize(context.recordMetadata().map(RecordMetadata::topic).orElse(""), record.headers(), record.value());
      if (span == null) {
        throw new IllegalArgumentException("a span record has no value");
      }
    } catch (RuntimeException e) {
      RecordMetadata source = context.recordMetadata().orElseThrow();
      metrics.deadLetters.increment();
      context.forward(DeadLetterHeaders.letter(record, e, source), TraceAssemblyTopology.DEAD_LETTERS);
      return;
    }
    String traceId = span.getTraceId();
    TraceState state = store.get(traceId);
    long streamNow = context.currentStreamTimeMs();
    long wallNow = context.currentSystemTimeMs();
    if (state == null) {
      state = TraceAggregator.empty(traceId);
      state.setFirstArrivalStreamMs(streamNow);
      state.setFirstArrivalWallMs(wallNow);
    }
    if (!aggregator.add(state, span)) {
      metrics.duplicates.increment();
      return;
    }
    metrics.spans.increment();
    if (state.getEmittedVersion() > 0) {
      metrics.lateSpans.increment();
    }
    state.setDirty(true);
    state.setLastArrivalStreamMs(streamNow);
    state.setLastArrivalWallMs(wallNow);
    state.setLastRecordTimestampMs(Math.max(state.getLastRecordTimestampMs(), record.timestamp()));
    store.put(traceId, state);
    if (pending.put(traceId, Pending.of(state)) == null) {
      metrics.openTraces.incrementAndGet();
    }
  }

  private void punctuate() {
    long streamNow = context.currentStreamTimeMs();
    long wallNow = context.currentSystemTimeMs();
    emitDue(streamNow, wallNow);
    sweep(streamNow, wallNow);
  }

  private void emitDue(long streamNow, long wallNow) {
    List<String> due = new ArrayList<>();
    long gap = timing.gap().toMillis();
    long max = timing.maxDuration().toMillis();
    pending.forEach((traceId, p) -> {
      long idle = Math.max(streamNow - p.lastStream(), wallNow - p.lastWall());
      long age = Math.max(streamNow - p.firstStream(), wallNow - p.firstWall());
      if (p.emitted() ? idle >= gap : (p.rooted() && idle >= gap) || age >= max) {
        due.add(traceId);
      }
    });
    due.sort(null); // a deterministic output order for the same input
    for (String traceId : due) {
      pending.remove(traceId);
      metrics.openTraces.decrementAndGet();
      TraceState state = store.get(traceId);
      if (state == null || !state.getDirty()) {
        continue;
      }
      long version = state.getEmittedVersion() + 1;
      TraceSummary summary = TraceAggregator.summarize(state, version, Instant.ofEpochMilli(wallNow));
      context.forward(new Record<String, Object>(traceId, summary, state.getLastRecordTimestampMs()), TraceAssemblyTopology.TRACES);
      (version == 1 ? metrics.emittedFirst : metrics.emittedRevised).increment();
      if (summary.getIncomplete()) {
        metrics.emittedIncomplete.increment();
      }
      if (summary.getTruncated()) {
        metrics.truncated.increment();
      }
      state.setEmittedVersion(version);
      state.setDirty(false);
      store.put(traceId, state);
    }
  }

  /**
   * Entries one sweep visits: the store once per tenth of the retention (so a trace is forgotten at most
   * ~10% after its retention), between {@link #SWEEP_MIN} and {@link #SWEEP_BATCH}. A fixed 5,000 decoded
   * every entry of a large store twice a second per task (both clocks punctuate), and once per second of
   * stream time while a backlog is replayed: more than a decode per span in the benchmark (docs/BENCHMARKS.md).
   */
  private int sweepBatch() {
    long punctuationsPerWalk = Math.max(1, timing.retention().toMillis() / 10 / timing.punctuateInterval().toMillis());
    return (int) Math.max(SWEEP_MIN, Math.min(SWEEP_BATCH, store.approximateNumEntries() / punctuationsPerWalk + 1));
  }

  /**
   * Forgets emitted traces whose retention has passed, a slice of the store per call (resuming after the
   * last key seen), so a punctuation never walks millions of entries at once.
   */
  private void sweep(long streamNow, long wallNow) {
    long retention = timing.retention().toMillis();
    List<String> expired = new ArrayList<>();
    int seen = 0;
    String last = null;
    try (KeyValueIterator<String, TraceState> slice = sweepFrom == null ? store.all() : store.range(sweepFrom, null)) {
      int batch = sweepBatch();
      while (slice.hasNext() && seen < batch) {
        KeyValue<String, TraceState> entry = slice.next();
        if (entry.key.equals(sweepFrom)) {
          continue;
        }
        seen++;
        last = entry.key;
        TraceState state = entry.value;
        long idle = Math.max(streamNow - state.getLastArrivalStreamMs(), wallNow - state.getLastArrivalWallMs());
        if (!state.getDirty() && idle >= retention) {
          expired.add(entry.key);
        }
      }
      sweepFrom = slice.hasNext() ? last : null;
    }
    for (String traceId : expired) {
      store.delete(traceId);
    }
    metrics.purged.increment(expired.size());
  }
}
