package io.llmtrace.processors.review;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the review queue counts. {@code llmtrace_review_items_total{reason}} is what reviewers get: alert on it
 * far above what they can work through (lower the reason's sample_rate). {@code ..._rejected_decisions_total}
 * and {@code ..._reviewers_dropped_total} rising mean a review tool posting labels or reviewer ids the queue
 * does not accept; {@code ..._dead_letters_total} is unreadable input (a producer or schema problem).
 */
public final class ReviewMeters {

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  final Counter deadLetters;
  final Counter decidedItems;
  final Counter forgotten;

  public ReviewMeters(MeterRegistry registry) {
    this.registry = registry;
    deadLetters = Counter.builder("llmtrace_review_dead_letters").description("Input records that could not be read").register(registry);
    decidedItems = Counter.builder("llmtrace_review_decided_items").description("Item versions published as DECIDED").register(registry);
    forgotten = Counter.builder("llmtrace_review_forgotten").description("Items dropped from the state after the retention")
        .register(registry);
  }

  /** Items queued (version 1, OPEN), by reason; {@code reviewed} counts the items a decision created. */
  void queued(ReviewReason reason) {
    counter("llmtrace_review_items", "reason", reason.key(), "Review items queued").increment();
  }

  /** A trace version that qualified but whose trace the reason's sample rate leaves out. */
  void sampledOut(ReviewReason reason) {
    counter("llmtrace_review_sampled_out", "reason", reason.key(), "Qualifying trace versions the sample rate left out").increment();
  }

  /** A qualifying trace (a later version, a repeated alert example) whose item was queued already. */
  void duplicate(ReviewReason reason) {
    counter("llmtrace_review_duplicates", "reason", reason.key(), "Candidates whose trace was queued for the reason already").increment();
  }

  /** Decisions applied, by label (one per decision span, however many items it decided). */
  void decision(String label) {
    counter("llmtrace_review_decisions", "label", label, "Reviewer decisions applied").increment();
  }

  /** human_review evaluations that decided nothing: missing_label, unknown_label, stale (older than the item's decision), repeated. */
  void rejectedDecision(String cause) {
    counter("llmtrace_review_rejected_decisions", "cause", cause, "human_review evaluations that decided nothing").increment();
  }

  /** Decisions stored without a reviewer: missing, not_pseudonymous. */
  void reviewerDropped(String cause) {
    counter("llmtrace_review_reviewers_dropped", "cause", cause, "Decisions whose reviewer id was not stored").increment();
  }

  /** Readable records the queue cannot use: no_tenant (a trace, span or alert without a tenant). */
  void skipped(String cause) {
    counter("llmtrace_review_skipped", "cause", cause, "Readable records the review queue cannot use").increment();
  }

  private Counter counter(String name, String tag, String value, String description) {
    return counters.computeIfAbsent(name + "|" + value,
        k -> Counter.builder(name).tag(tag, value).description(description).register(registry));
  }
}
