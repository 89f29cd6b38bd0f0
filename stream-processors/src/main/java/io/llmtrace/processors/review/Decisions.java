package io.llmtrace.processors.review;

import io.llmtrace.schemas.avro.Evaluation;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.ReviewItem;
import io.llmtrace.schemas.avro.ReviewPriority;
import io.llmtrace.schemas.avro.ReviewStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A reviewer's decision as it arrives: a redacted span (of any kind; {@code EVALUATION} as a child of the
 * judged span is the documented shape) carrying an evaluation by {@value ReviewPolicy#HUMAN_REVIEW}. Its
 * {@code label} (trimmed, lower case) must be one of the policy's labels, its {@code explanation} is the
 * note, the span's start is when it was decided, and the span's {@code user_id} is the reviewer — kept only
 * when it looks like a pseudonym ({@code reviewer_pattern}; the redaction stage's {@code hash_user_ids} makes
 * every user id one), so a name typed into the field never reaches the queue.
 *
 * <p>A span with several human_review evaluations decides with the last one that has a valid label. A
 * decision without a valid label decides nothing (the item stays open for a decision that can be counted);
 * it is counted with its cause.
 */
final class Decisions {

  static final String MISSING_LABEL = "missing_label";
  static final String UNKNOWN_LABEL = "unknown_label";
  static final String MISSING_REVIEWER = "missing";
  static final String NOT_PSEUDONYMOUS = "not_pseudonymous";

  /**
   * What a span says: its decision as a DECIDED {@code reviewed} item of the trace (null when it decides
   * nothing), the causes of its rejected human_review evaluations, and why its reviewer was not kept (null
   * when it was).
   */
  record Reading(ReviewItem decision, List<String> rejected, String reviewerDropped) {
    static final Reading NONE = new Reading(null, List.of(), null);
  }

  private Decisions() {}

  static Reading read(LlmSpan span, ReviewPolicy policy) {
    if (span.getEvaluations().isEmpty()) {
      return Reading.NONE;
    }
    Evaluation chosen = null;
    String label = null;
    List<String> rejected = new ArrayList<>(0);
    for (Evaluation evaluation : span.getEvaluations()) {
      if (!ReviewPolicy.HUMAN_REVIEW.equals(evaluation.getEvaluatorName().strip())) {
        continue;
      }
      String given = evaluation.getLabel() == null ? "" : evaluation.getLabel().strip().toLowerCase(Locale.ROOT);
      if (given.isEmpty()) {
        rejected.add(MISSING_LABEL);
      } else if (!policy.labels().contains(given)) {
        rejected.add(UNKNOWN_LABEL);
      } else {
        chosen = evaluation;
        label = given;
      }
    }
    if (chosen == null) {
      return rejected.isEmpty() ? Reading.NONE : new Reading(null, rejected, null);
    }
    String user = span.getUserId() == null ? null : span.getUserId().strip();
    String dropped = null;
    if (user == null || user.isEmpty()) {
      dropped = MISSING_REVIEWER;
      user = null;
    } else if (!policy.reviewerPattern().matcher(user).matches()) {
      dropped = NOT_PSEUDONYMOUS;
      user = null;
    }
    Instant at = ReviewItems.micros(span.getStartTime());
    ReviewItem decision = ReviewItem.newBuilder()
        .setItemId(ReviewItems.itemId(span.getTenantId(), span.getTraceId(), ReviewReason.REVIEWED))
        .setTraceId(span.getTraceId())
        .setSpanId(span.getParentSpanId() != null ? span.getParentSpanId() : span.getSpanId())
        .setTenantId(span.getTenantId())
        .setReason(ReviewReason.REVIEWED.key())
        .setCreatedAt(at)
        .setPriority(ReviewPriority.NORMAL)
        .setStatus(ReviewStatus.DECIDED)
        .setDetail("picked by a reviewer")
        .setEnvironment(span.getEnvironment())
        .setServiceName(span.getServiceName())
        .setFeatureName(span.getFeatureName())
        .setPromptName(span.getPrompt() == null ? null : span.getPrompt().getName())
        .setPromptVersion(span.getPrompt() == null ? null : span.getPrompt().getVersion())
        .setModelName(span.getModel() == null ? null : span.getModel().getName())
        .setSampleRate(1.0)
        .setDecisionLabel(label)
        .setDecisionNote(chosen.getExplanation())
        .setReviewer(user)
        .setDecidedAt(at)
        // as if queued (1) and decided (2) at once: every DECIDED version is 2 or more
        .setVersion(2)
        .build();
    return new Reading(decision, rejected, dropped);
  }
}
