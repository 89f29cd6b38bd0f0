package io.llmtrace.processors.review;

import io.llmtrace.schemas.avro.EvaluationOutcome;
import io.llmtrace.schemas.avro.TraceSummary;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The reasons a trace summary qualifies for, before sampling: a pure function of the summary, the policy and
 * when the trace's prompt versions were first seen. Kafka-free, so every rule is tested on its own.
 *
 * <table>
 *   <tr><th>reason</th><th>qualifies when</th><th>detail</th></tr>
 *   <tr><td>failed_evaluation</td><td>a failed evaluation by any evaluator but human_review</td><td>answer_cites_source failed 1 of 3 (min score 0.41)</td></tr>
 *   <tr><td>negative_feedback</td><td>negative_feedback &gt; 0</td><td>2 negative of 3 feedback entries</td></tr>
 *   <tr><td>low_judge_confidence</td><td>a judge's min_score &lt; score_below</td><td>faithfulness min score 0.31 (below 0.5)</td></tr>
 *   <tr><td>high_risk_feature</td><td>feature_name is listed</td><td>feature refund_approval is high-risk</td></tr>
 *   <tr><td>sampled_prompt_version</td><td>a prompt version used within new_for of its first trace, or a canary environment</td><td>prompt support_answer@v36 is new (first seen ..., new for 24h)</td></tr>
 *   <tr><td>tool_call_limit</td><td>tool_calls &gt; max_tool_calls</td><td>14 tool calls (more than 10)</td></tr>
 * </table>
 * The human_review evaluator never qualifies a trace: a reviewer's decision is part of the trace's later
 * versions, and must not queue the trace again.
 */
final class TraceReasons {

  /** When a prompt version ({@code name@version}) of the trace's tenant was first seen, epoch ms. */
  interface FirstSeen {
    long epochMs(String promptVersion);
  }

  /** A reason that applies; the prompt it names (the new version for sampled_prompt_version), null when none. */
  record Qualified(ReviewReason reason, String detail, String promptName, String promptVersion) {}

  private TraceReasons() {}

  static List<Qualified> of(TraceSummary trace, ReviewPolicy policy, FirstSeen firstSeen) {
    List<Qualified> out = new ArrayList<>(2);
    String[] prompt = firstPrompt(trace);
    if (policy.enabled(ReviewReason.FAILED_EVALUATION)) {
      String detail = failedEvaluations(trace);
      if (detail != null) {
        out.add(new Qualified(ReviewReason.FAILED_EVALUATION, detail, prompt[0], prompt[1]));
      }
    }
    if (policy.enabled(ReviewReason.NEGATIVE_FEEDBACK) && trace.getNegativeFeedback() > 0) {
      out.add(new Qualified(ReviewReason.NEGATIVE_FEEDBACK,
          trace.getNegativeFeedback() + " negative of " + Math.max(trace.getFeedbackCount(), trace.getNegativeFeedback())
              + " feedback entries", prompt[0], prompt[1]));
    }
    if (policy.enabled(ReviewReason.LOW_JUDGE_CONFIDENCE)) {
      String detail = lowConfidence(trace, policy);
      if (detail != null) {
        out.add(new Qualified(ReviewReason.LOW_JUDGE_CONFIDENCE, detail, prompt[0], prompt[1]));
      }
    }
    if (policy.enabled(ReviewReason.HIGH_RISK_FEATURE) && trace.getFeatureName() != null
        && policy.highRiskFeatures().contains(trace.getFeatureName())) {
      out.add(new Qualified(ReviewReason.HIGH_RISK_FEATURE, "feature " + trace.getFeatureName() + " is high-risk", prompt[0], prompt[1]));
    }
    if (policy.enabled(ReviewReason.SAMPLED_PROMPT_VERSION)) {
      Qualified fresh = newVersion(trace, policy, firstSeen);
      if (fresh != null) {
        out.add(fresh);
      }
    }
    if (policy.enabled(ReviewReason.TOOL_CALL_LIMIT) && trace.getToolCalls() > policy.maxToolCalls()) {
      out.add(new Qualified(ReviewReason.TOOL_CALL_LIMIT, trace.getToolCalls() + " tool calls (more than " + policy.maxToolCalls() + ")",
          prompt[0], prompt[1]));
    }
    return out;
  }

  /**
   * The judges' failures: the trace's failed count less human_review's (the map may be capped by the
   * assembler, the count is exact), named per evaluator where the map has them.
   */
  private static String failedEvaluations(TraceSummary trace) {
    Map<String, EvaluationOutcome> evaluations = trace.getEvaluations();
    EvaluationOutcome human = evaluations.get(ReviewPolicy.HUMAN_REVIEW);
    int failed = trace.getFailedEvaluations() - (human == null ? 0 : human.getFailed());
    if (failed <= 0) {
      return null;
    }
    List<String> parts = new ArrayList<>();
    new TreeMap<>(evaluations).forEach((name, outcome) -> {
      if (!name.equals(ReviewPolicy.HUMAN_REVIEW) && outcome.getFailed() > 0) {
        parts.add(name + " failed " + outcome.getFailed() + " of " + (outcome.getFailed() + outcome.getPassed())
            + (outcome.getMinScore() == null ? "" : " (min score " + number(outcome.getMinScore()) + ")"));
      }
    });
    return parts.isEmpty() ? failed + " failed evaluation(s)" : String.join("; ", parts);
  }

  private static String lowConfidence(TraceSummary trace, ReviewPolicy policy) {
    List<String> parts = new ArrayList<>();
    new TreeMap<>(trace.getEvaluations()).forEach((name, outcome) -> {
      Double min = outcome.getMinScore();
      if (policy.isJudge(name) && min != null && min < policy.scoreBelow()) {
        parts.add(name + " min score " + number(min) + " (below " + number(policy.scoreBelow()) + ")");
      }
    });
    return parts.isEmpty() ? null : String.join("; ", parts);
  }

  /** The first of the trace's prompt versions that is new, else (canary environment) its first one. */
  private static Qualified newVersion(TraceSummary trace, ReviewPolicy policy, FirstSeen firstSeen) {
    List<String> versions = trace.getPromptVersionsUsed();
    if (versions.isEmpty()) {
      return null; // the reason is about prompt versions: a trace without one is not a version's traffic
    }
    long start = trace.getStartTime().toEpochMilli();
    if (!policy.newVersionFor().isZero()) {
      for (String version : versions) {
        long first = firstSeen.epochMs(version);
        if (start < first + policy.newVersionFor().toMillis()) {
          String[] prompt = split(version);
          return new Qualified(ReviewReason.SAMPLED_PROMPT_VERSION, "prompt " + version + " is new (first seen "
              + Instant.ofEpochMilli(first) + ", new for " + text(policy.newVersionFor()) + ")", prompt[0], prompt[1]);
        }
      }
    }
    if (trace.getEnvironment() != null && policy.canaryEnvironments().contains(trace.getEnvironment())) {
      String[] prompt = split(versions.get(0));
      return new Qualified(ReviewReason.SAMPLED_PROMPT_VERSION, "prompt " + versions.get(0) + " in environment " + trace.getEnvironment(),
          prompt[0], prompt[1]);
    }
    return null;
  }

  /**
   * The trace's prompt: the first of its prompt versions (they are sorted; most traces use one), else its
   * first prompt name. The summary does not say which span used which.
   */
  static String[] firstPrompt(TraceSummary trace) {
    if (!trace.getPromptVersionsUsed().isEmpty()) {
      return split(trace.getPromptVersionsUsed().get(0));
    }
    return new String[] {trace.getPromptNames().isEmpty() ? null : trace.getPromptNames().get(0), null};
  }

  /** {@code name@version} as the assembler writes it (either side may be empty) → {name, version}, empty as null. */
  static String[] split(String promptVersion) {
    int at = promptVersion.lastIndexOf('@');
    String name = at < 0 ? promptVersion : promptVersion.substring(0, at);
    String version = at < 0 ? "" : promptVersion.substring(at + 1);
    return new String[] {name.isEmpty() ? null : name, version.isEmpty() ? null : version};
  }

  private static String text(Duration duration) {
    long minutes = duration.toMinutes();
    return minutes % (24 * 60) == 0 ? minutes / (24 * 60) + "d" : minutes % 60 == 0 ? minutes / 60 + "h" : minutes + "m";
  }

  private static String number(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
