package io.llmtrace.processors.review;

import io.llmtrace.schemas.avro.ReviewItem;
import io.llmtrace.schemas.avro.ReviewStatus;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The queue, one partition of candidates keyed by trace id: every item of a trace is in the item store under
 * {@code tenant/trace/reason}, so a reason is queued once per trace and a decision finds all of the trace's items.
 *
 * <pre>
 * candidate OPEN     item id in the store        → dropped (a later trace version, a repeated alert example)
 *                    not in the store            → stored and published (version 1)
 * decision DECIDED   the trace has items         → each published again as DECIDED, version + 1, with label, note,
 *                                                  reviewer and time (an item already carrying this very decision,
 *                                                  or a later one, is left alone)
 *                    the trace has none          → a DECIDED item with reason reviewed (version 2) is stored and published
 * sweep              every sweep-interval of stream time, a slice of the store: items last queued or decided more
 *                    than the retention before stream time are forgotten
 * </pre>
 *
 * Store change, output and input offsets commit in one exactly_once_v2 transaction: a crash neither loses an
 * item nor publishes it twice.
 */
final class ReviewQueueProcessor implements Processor<String, ReviewItem, String, ReviewItem> {

  static final String STALE = "stale";
  static final String REPEATED = "repeated";
  private static final StringSerializer KEYS = new StringSerializer();

  private final ReviewConfig.State config;
  private final ReviewMeters meters;
  private ProcessorContext<String, ReviewItem> context;
  private KeyValueStore<String, ReviewItem> items;
  /** Where the next sweep starts; null: at the beginning. Not kept across restarts: a restart sweeps from the start. */
  private String sweepFrom;

  ReviewQueueProcessor(ReviewConfig.State config, ReviewMeters meters) {
    this.config = config;
    this.meters = meters;
  }

  @Override
  public void init(ProcessorContext<String, ReviewItem> context) {
    this.context = context;
    items = context.getStateStore(ReviewTopology.ITEMS);
    sweepFrom = null;
    context.schedule(config.sweepInterval(), PunctuationType.STREAM_TIME, this::sweep);
  }

  @Override
  public void process(Record<String, ReviewItem> record) {
    ReviewItem candidate = record.value();
    if (candidate == null) {
      return;
    }
    if (candidate.getStatus() == ReviewStatus.DECIDED) {
      decide(record, candidate);
    } else {
      queue(record, candidate);
    }
  }

  private void queue(Record<String, ReviewItem> record, ReviewItem candidate) {
    ReviewReason reason = ReviewReason.byKey(candidate.getReason()).orElseThrow();
    if (items.get(candidate.getItemId()) != null) {
      meters.duplicate(reason);
      return;
    }
    ReviewItem item = candidate;
    if (reason == ReviewReason.ALERT_EXAMPLE) {
      List<ReviewItem> siblings = itemsOf(candidate);
      if (!siblings.isEmpty()) {
        item = ReviewItems.withContext(candidate, siblings.get(0));
      }
    }
    items.put(item.getItemId(), item);
    context.forward(record.withKey(item.getTraceId()).withValue(item));
    meters.queued(reason);
  }

  private void decide(Record<String, ReviewItem> record, ReviewItem decision) {
    List<ReviewItem> existing = itemsOf(decision);
    if (existing.isEmpty()) {
      items.put(decision.getItemId(), decision);
      context.forward(record.withKey(decision.getTraceId()).withValue(decision));
      meters.queued(ReviewReason.REVIEWED);
      meters.decidedItems.increment();
      meters.decision(decision.getDecisionLabel());
      return;
    }
    int applied = 0;
    boolean repeated = false;
    for (ReviewItem item : existing) {
      if (ReviewItems.sameDecision(item, decision)) {
        repeated = true;
        continue;
      }
      if (item.getDecidedAt() != null && decision.getDecidedAt().isBefore(item.getDecidedAt())) {
        continue; // a decision made before the one the item carries: the later word stands
      }
      ReviewItem next = ReviewItems.decided(item, decision);
      items.put(next.getItemId(), next);
      context.forward(record.withKey(next.getTraceId()).withValue(next));
      meters.decidedItems.increment();
      applied++;
    }
    if (applied > 0) {
      meters.decision(decision.getDecisionLabel());
    } else {
      meters.rejectedDecision(repeated ? REPEATED : STALE);
    }
  }

  private List<ReviewItem> itemsOf(ReviewItem item) {
    List<ReviewItem> found = new ArrayList<>(2);
    try (KeyValueIterator<String, ReviewItem> it = items.prefixScan(ReviewItems.prefix(item.getTenantId(), item.getTraceId()), KEYS)) {
      it.forEachRemaining(entry -> found.add(entry.value));
    }
    return found;
  }

  /** Forgets items untouched for the retention (by stream time), a slice per punctuation. */
  private void sweep(long streamTimeMs) {
    long cutoff = streamTimeMs - config.retention().toMillis();
    List<String> expired = new ArrayList<>();
    int visited = 0;
    String next = null;
    try (KeyValueIterator<String, ReviewItem> it = sweepFrom == null ? items.all() : items.range(sweepFrom, null)) {
      while (it.hasNext()) {
        KeyValue<String, ReviewItem> entry = it.next();
        if (visited == config.sweepSlice()) {
          next = entry.key;
          break;
        }
        visited++;
        if (ReviewItems.touched(entry.value).toEpochMilli() < cutoff) {
          expired.add(entry.key);
        }
      }
    }
    expired.forEach(items::delete);
    meters.forgotten.increment(expired.size());
    sweepFrom = next;
  }
}
