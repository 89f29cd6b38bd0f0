package io.llmtrace.processors.review;

import io.llmtrace.processors.review.TraceReasons.Qualified;
import io.llmtrace.schemas.avro.AlertEvent;
import io.llmtrace.schemas.avro.AlertSeverity;
import io.llmtrace.schemas.avro.ReviewItem;
import io.llmtrace.schemas.avro.ReviewPriority;
import io.llmtrace.schemas.avro.ReviewStatus;
import io.llmtrace.schemas.avro.TraceSummary;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How review items are made: queued from a trace or an alert (version 1, OPEN), and decided (the next version,
 * DECIDED, with the decision's label, note, reviewer and time). The item id is {@code tenant/trace/reason}:
 * stable over every version of the item, which is what the {@code review_queue} table collapses on.
 */
final class ReviewItems {

  private ReviewItems() {}

  static String itemId(String tenant, String traceId, ReviewReason reason) {
    return prefix(tenant, traceId) + reason.key();
  }

  /** Where a trace's items are in the item store: every item id of the trace starts with it. */
  static String prefix(String tenant, String traceId) {
    return tenant + "/" + traceId + "/";
  }

  static ReviewItem fromTrace(TraceSummary trace, Qualified reason, ReviewPolicy.Rule rule, Instant createdAt) {
    return ReviewItem.newBuilder()
        .setItemId(itemId(trace.getTenantId(), trace.getTraceId(), reason.reason()))
        .setTraceId(trace.getTraceId())
        .setSpanId(null)
        .setTenantId(trace.getTenantId())
        .setReason(reason.reason().key())
        .setCreatedAt(micros(createdAt))
        .setPriority(rule.priority())
        .setStatus(ReviewStatus.OPEN)
        .setDetail(reason.detail())
        .setEnvironment(trace.getEnvironment())
        .setServiceName(trace.getServiceName())
        .setFeatureName(trace.getFeatureName())
        .setPromptName(reason.promptName())
        .setPromptVersion(reason.promptVersion())
        .setModelName(trace.getModelsUsed().isEmpty() ? null : trace.getModelsUsed().get(0))
        .setTraceStartTime(micros(trace.getStartTime()))
        .setSampleRate(rule.sampleRate())
        .setVersion(1)
        .build();
  }

  /** An example trace of a firing alert; what the trace looked like comes from the alert's group. */
  static ReviewItem fromAlert(AlertEvent alert, String tenant, String traceId, double sampleRate) {
    Map<String, String> group = alert.getGroupDimensions();
    return ReviewItem.newBuilder()
        .setItemId(itemId(tenant, traceId, ReviewReason.ALERT_EXAMPLE))
        .setTraceId(traceId)
        .setSpanId(null)
        .setTenantId(tenant)
        .setReason(ReviewReason.ALERT_EXAMPLE.key())
        .setCreatedAt(micros(alert.getFiredAt()))
        .setPriority(priority(alert.getSeverity()))
        .setStatus(ReviewStatus.OPEN)
        .setDetail("rule " + alert.getRuleId() + " (" + alert.getSeverity().name().toLowerCase(Locale.ROOT) + "), alert "
            + alert.getAlertId())
        .setEnvironment(group.get("environment"))
        .setServiceName(group.get("service_name"))
        .setFeatureName(group.get("feature_name"))
        .setPromptName(group.get("prompt_name"))
        .setPromptVersion(group.get("prompt_version"))
        .setModelName(group.get("model_name"))
        .setTraceStartTime(null)
        .setSampleRate(sampleRate)
        .setAlertId(alert.getAlertId())
        .setVersion(1)
        .build();
  }

  /** PAGE → URGENT, NOTIFY → HIGH, REVIEW → NORMAL; the legacy CRITICAL, WARNING, INFO likewise. */
  static ReviewPriority priority(AlertSeverity severity) {
    return switch (severity) {
      case PAGE, CRITICAL -> ReviewPriority.URGENT;
      case NOTIFY, WARNING -> ReviewPriority.HIGH;
      case REVIEW, INFO -> ReviewPriority.NORMAL;
    };
  }

  /** The item's next version, decided as {@code decision} says. */
  static ReviewItem decided(ReviewItem item, ReviewItem decision) {
    return ReviewItem.newBuilder(item)
        .setStatus(ReviewStatus.DECIDED)
        .setDecisionLabel(decision.getDecisionLabel())
        .setDecisionNote(decision.getDecisionNote())
        .setReviewer(decision.getReviewer())
        .setDecidedAt(decision.getDecidedAt())
        .setVersion(item.getVersion() + 1)
        .build();
  }

  /** The item already carries this decision (the same span read twice): nothing to publish. */
  static boolean sameDecision(ReviewItem item, ReviewItem decision) {
    return item.getStatus() == ReviewStatus.DECIDED && Objects.equals(item.getDecisionLabel(), decision.getDecisionLabel())
        && Objects.equals(item.getDecisionNote(), decision.getDecisionNote()) && Objects.equals(item.getReviewer(), decision.getReviewer())
        && Objects.equals(item.getDecidedAt(), decision.getDecidedAt());
  }

  /** An alert example knows the alert's group only: the trace's own values, from another item of it, where the group lacks them. */
  static ReviewItem withContext(ReviewItem item, ReviewItem sibling) {
    ReviewItem.Builder b = ReviewItem.newBuilder(item);
    if (item.getEnvironment() == null) {
      b.setEnvironment(sibling.getEnvironment());
    }
    if (item.getServiceName() == null) {
      b.setServiceName(sibling.getServiceName());
    }
    if (item.getFeatureName() == null) {
      b.setFeatureName(sibling.getFeatureName());
    }
    if (item.getPromptName() == null && item.getPromptVersion() == null) {
      b.setPromptName(sibling.getPromptName()).setPromptVersion(sibling.getPromptVersion());
    }
    if (item.getModelName() == null) {
      b.setModelName(sibling.getModelName());
    }
    if (item.getTraceStartTime() == null) {
      b.setTraceStartTime(sibling.getTraceStartTime());
    }
    return b.build();
  }

  /** The item's last change: when it was decided, else queued. */
  static Instant touched(ReviewItem item) {
    Instant decided = item.getDecidedAt();
    return decided != null && decided.isAfter(item.getCreatedAt()) ? decided : item.getCreatedAt();
  }

  static Instant micros(Instant instant) {
    return instant == null ? null : instant.truncatedTo(ChronoUnit.MICROS);
  }
}
