package io.llmtrace.processors.review;

import java.util.Arrays;
import java.util.Optional;

/**
 * Why a trace is in the review queue: the {@code reason} of a {@code ReviewItem}, one item per tenant, trace
 * and reason. {@link #REVIEWED} is not configured: it is the item a decision creates for a trace a reviewer
 * picked on their own (no item of it was queued).
 */
public enum ReviewReason {
  FAILED_EVALUATION("failed_evaluation"),
  NEGATIVE_FEEDBACK("negative_feedback"),
  LOW_JUDGE_CONFIDENCE("low_judge_confidence"),
  HIGH_RISK_FEATURE("high_risk_feature"),
  SAMPLED_PROMPT_VERSION("sampled_prompt_version"),
  TOOL_CALL_LIMIT("tool_call_limit"),
  ALERT_EXAMPLE("alert_example"),
  REVIEWED("reviewed");

  private final String key;

  ReviewReason(String key) {
    this.key = key;
  }

  /** The name in items, metrics and the queue file. */
  public String key() {
    return key;
  }

  public static Optional<ReviewReason> byKey(String key) {
    return Arrays.stream(values()).filter(r -> r.key.equals(key)).findFirst();
  }
}
