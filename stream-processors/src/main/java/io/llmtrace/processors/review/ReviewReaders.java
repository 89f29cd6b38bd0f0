package io.llmtrace.processors.review;

import io.llmtrace.processors.common.RecordReader;
import io.llmtrace.processors.review.TraceReasons.Qualified;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertState;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.ReviewItem;
import io.llmtrace.schemas.avro.TraceSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stateless side of the queue: each input read into candidate items keyed by trace id (OPEN items from
 * traces and alerts, DECIDED {@code reviewed} items from decisions), to be repartitioned by trace and
 * deduplicated by {@link ReviewQueueProcessor}. Sampling happens here, since it needs nothing but the trace
 * id. A record that cannot be read, or that fails to be turned into candidates, goes to the dead letters
 * with its original bytes and headers.
 */
final class ReviewReaders {

  private static final Logger LOG = LoggerFactory.getLogger(ReviewReaders.class);
  static final String NO_TENANT = "no_tenant";

  private ReviewReaders() {}

  /** Reads one topic's records into candidates ({@link ReviewItem}) keyed by trace id. */
  abstract static class Reader<V> extends RecordReader<V, ReviewItem> {
    final ReviewPolicy policy;
    final ReviewMeters meters;

    Reader(Deserializer<V> values, ReviewPolicy policy, ReviewMeters meters) {
      super(values, meters.deadLetters);
      this.policy = policy;
      this.meters = meters;
    }

    @Override
    protected final List<KeyValue<String, ReviewItem>> read(V value, long timestampMs) {
      List<ReviewItem> candidates = candidates(value, timestampMs);
      List<KeyValue<String, ReviewItem>> out = new ArrayList<>(candidates.size());
      for (ReviewItem candidate : candidates) {
        out.add(KeyValue.pair(candidate.getTraceId(), candidate));
      }
      return out;
    }

    abstract List<ReviewItem> candidates(V value, long timestampMs);
  }

  /**
   * Trace summaries: every reason that applies and is sampled in. Every version of a trace yields its
   * candidates again; the queue drops the ones already queued. Remembers when each prompt version of a
   * tenant was first seen (by trace start, so a replay gives the same answer), per task: traces are spread
   * over partitions by trace id, so each partition sees a version's first traffic at about the same time.
   */
  static final class TraceReader extends Reader<TraceSummary> {
    private KeyValueStore<String, Long> store;
    /** The store's content (a few entries per prompt version): one lookup per trace without a store read. */
    private final Map<String, Long> firstSeen = new HashMap<>();

    TraceReader(Deserializer<TraceSummary> values, ReviewPolicy policy, ReviewMeters meters) {
      super(values, policy, meters);
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
      super.init(context);
      store = context.getStateStore(ReviewTopology.PROMPT_VERSIONS);
      firstSeen.clear();
      try (KeyValueIterator<String, Long> all = store.all()) {
        all.forEachRemaining(entry -> firstSeen.put(entry.key, entry.value));
      }
    }

    @Override
    List<ReviewItem> candidates(TraceSummary trace, long timestampMs) {
      String tenant = trace.getTenantId();
      if (tenant.isEmpty() || trace.getTraceId().isEmpty()) {
        meters.skipped(NO_TENANT);
        return List.of();
      }
      if (policy.enabled(ReviewReason.SAMPLED_PROMPT_VERSION)) {
        long start = trace.getStartTime().toEpochMilli();
        for (String version : trace.getPromptVersionsUsed()) {
          String key = tenant + "|" + version;
          Long seen = firstSeen.get(key);
          if (seen == null || start < seen) {
            firstSeen.put(key, start);
            store.put(key, start);
          }
        }
      }
      List<Qualified> reasons = TraceReasons.of(trace, policy, version -> firstSeen.get(tenant + "|" + version));
      if (reasons.isEmpty()) {
        return List.of();
      }
      Instant createdAt = trace.getAssembledAt() != null ? trace.getAssembledAt() : Instant.ofEpochMilli(timestampMs);
      List<ReviewItem> out = new ArrayList<>(reasons.size());
      for (Qualified reason : reasons) {
        ReviewPolicy.Rule rule = policy.rule(reason.reason());
        if (Sampling.keeps(trace.getTraceId(), reason.reason(), rule.sampleRate())) {
          out.add(ReviewItems.fromTrace(trace, reason, rule, createdAt));
        } else {
          meters.sampledOut(reason.reason());
        }
      }
      return out;
    }
  }

  /** Redacted spans: a human_review decision becomes a DECIDED candidate of its trace. */
  static final class DecisionReader extends Reader<LlmSpan> {

    DecisionReader(Deserializer<LlmSpan> values, ReviewPolicy policy, ReviewMeters meters) {
      super(values, policy, meters);
    }

    @Override
    List<ReviewItem> candidates(LlmSpan span, long timestampMs) {
      Decisions.Reading reading = Decisions.read(span, policy);
      reading.rejected().forEach(meters::rejectedDecision);
      if (reading.decision() == null) {
        if (!reading.rejected().isEmpty()) {
          LOG.debug("human_review of trace {} span {} decides nothing: {}", span.getTraceId(), span.getSpanId(), reading.rejected());
        }
        return List.of();
      }
      if (span.getTenantId().isEmpty()) {
        meters.skipped(NO_TENANT);
        return List.of();
      }
      if (reading.reviewerDropped() != null) {
        meters.reviewerDropped(reading.reviewerDropped());
      }
      return List.of(reading.decision());
    }
  }

  /** Alert events: the example traces of FIRING and RENOTIFY events (a reminder may name new ones; repeats are dropped by the queue). */
  static final class AlertReader extends Reader<AlertEvent> {

    AlertReader(Deserializer<AlertEvent> values, ReviewPolicy policy, ReviewMeters meters) {
      super(values, policy, meters);
    }

    @Override
    List<ReviewItem> candidates(AlertEvent alert, long timestampMs) {
      if (alert.getState() == AlertState.RESOLVED || !policy.enabled(ReviewReason.ALERT_EXAMPLE) || alert.getExampleTraceIds().isEmpty()) {
        return List.of();
      }
      String tenant = alert.getGroupDimensions().get("tenant_id");
      if (tenant == null || tenant.isBlank()) {
        meters.skipped(NO_TENANT);
        return List.of();
      }
      double rate = policy.rule(ReviewReason.ALERT_EXAMPLE).sampleRate();
      Set<String> traces = new LinkedHashSet<>();
      alert.getExampleTraceIds().forEach(id -> {
        if (id != null && !id.isBlank()) {
          traces.add(id.strip());
        }
      });
      List<ReviewItem> out = new ArrayList<>(traces.size());
      for (String traceId : traces) {
        if (Sampling.keeps(traceId, ReviewReason.ALERT_EXAMPLE, rate)) {
          out.add(ReviewItems.fromAlert(alert, tenant, traceId, rate));
        } else {
          meters.sampledOut(ReviewReason.ALERT_EXAMPLE);
        }
      }
      return out;
    }
  }
}
