package io.llmtrace.processors.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmtrace.schemas.avro.ReviewPriority;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The queue file: the shipped one, and what a person can get wrong in one. */
class ReviewPolicyTest {

  /** Every reason, line 2 onwards; tests replace one line to break it. */
  private static final String VALID = """
      reasons:
        failed_evaluation: {enabled: true, sample_rate: 1.0, priority: high}
        negative_feedback: {sample_rate: 0.5, priority: normal}
        low_judge_confidence: {priority: normal, score_below: 0.4, evaluators: [faithfulness]}
        high_risk_feature: {priority: urgent, features: refund_approval}
        sampled_prompt_version: {sample_rate: 0.1, priority: low, new_for: 6h}
        tool_call_limit: {priority: normal, max_tool_calls: 12}
        alert_example: {sample_rate: 1}
      """;

  private static ReviewPolicy parse(String yaml) {
    return ReviewPolicy.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml");
  }

  @Test
  void theShippedFileQueuesTheSeedsCases() {
    ReviewPolicy policy = ReviewPolicy.bundled();

    assertThat(policy.rule(ReviewReason.FAILED_EVALUATION)).isEqualTo(new ReviewPolicy.Rule(true, 1.0, ReviewPriority.HIGH));
    assertThat(policy.rule(ReviewReason.SAMPLED_PROMPT_VERSION)).isEqualTo(new ReviewPolicy.Rule(true, 0.05, ReviewPriority.LOW));
    assertThat(policy.highRiskFeatures()).contains("refund_approval", "medical_triage");
    assertThat(policy.maxToolCalls()).as("more than 10 tool calls").isEqualTo(10);
    assertThat(policy.scoreBelow()).isEqualTo(0.5);
    assertThat(policy.judges()).isEmpty();
    assertThat(policy.newVersionFor()).isEqualTo(Duration.ofHours(24));
    assertThat(policy.canaryEnvironments()).containsExactly("canary");
    assertThat(policy.labels()).containsExactlyInAnyOrder("correct", "partially_correct", "hallucinated", "unsafe", "incomplete",
        "tool_error");
    assertThat(policy.reviewerPattern().matcher("uid_0123456789abcdef").matches()).isTrue();
    assertThat(policy.reviewerPattern().matcher("jane.doe@example.com").matches()).isFalse();
    for (ReviewReason reason : ReviewReason.values()) {
      if (reason != ReviewReason.REVIEWED) {
        assertThat(policy.enabled(reason)).as(reason.key()).isTrue();
      }
    }
  }

  @Test
  void aFileBindsEveryReasonsParametersAndDefaults() {
    ReviewPolicy policy = parse(VALID);

    assertThat(policy.rule(ReviewReason.NEGATIVE_FEEDBACK)).as("enabled by default")
        .isEqualTo(new ReviewPolicy.Rule(true, 0.5, ReviewPriority.NORMAL));
    assertThat(policy.rule(ReviewReason.HIGH_RISK_FEATURE)).as("sample_rate 1 by default")
        .isEqualTo(new ReviewPolicy.Rule(true, 1.0, ReviewPriority.URGENT));
    assertThat(policy.highRiskFeatures()).isEqualTo(Set.of("refund_approval"));
    assertThat(policy.judges()).isEqualTo(Set.of("faithfulness"));
    assertThat(policy.isJudge("faithfulness")).isTrue();
    assertThat(policy.isJudge("relevance")).isFalse();
    assertThat(policy.scoreBelow()).isEqualTo(0.4);
    assertThat(policy.newVersionFor()).isEqualTo(Duration.ofHours(6));
    assertThat(policy.canaryEnvironments()).as("default").containsExactly("canary");
    assertThat(policy.maxToolCalls()).isEqualTo(12);
    assertThat(policy.labels()).as("default").hasSize(6);
  }

  @Test
  void aMisspeltFieldIsRefusedWithItsLineAndColumn() {
    String yaml = VALID.replace("{sample_rate: 0.5, priority: normal}", "{sample_rte: 0.5, priority: normal}");
    assertThatThrownBy(() -> parse(yaml)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("test.yaml")
        .hasMessageContaining("reasons.negative_feedback.sample_rte")
        .hasMessageContaining("unknown field 'sample_rte'")
        .hasMessageContaining("line 3, column");
  }

  @Test
  void anErrorInsideAnEntryPointsAtItsFieldNotAtTheEntrysEnd() throws Exception {
    String shipped;
    try (var in = ReviewPolicy.class.getResourceAsStream(ReviewPolicy.BUNDLED)) {
      shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    int line = shipped.substring(0, shipped.indexOf("    sample_rate: 0.2\n")).split("\n", -1).length;
    assertThatThrownBy(() -> parse(shipped.replace("    sample_rate: 0.2\n", "    sample_rte: 0.2\n")))
        .hasMessageContaining("unknown field 'sample_rte'").hasMessageEndingWith("(line " + line + ", column 5)");
    assertThatThrownBy(() -> parse(shipped.replace("    sample_rate: 0.2\n", "    sample_rate: 2\n")))
        .hasMessageContaining("got 2.0").hasMessageEndingWith("(line " + line + ", column 5)");
  }

  @Test
  void anUnknownReasonIsRefused() {
    assertThatThrownBy(() -> parse(VALID + "  slow_trace: {priority: low}\n"))
        .hasMessageContaining("unknown field 'slow_trace'").hasMessageContaining("line 9");
  }

  @Test
  void aSampleRateAboveOneIsRefusedNamingTheValueAndLine() {
    String yaml = VALID.replace("sample_rate: 0.1,", "sample_rate: 1.5,");
    assertThatThrownBy(() -> parse(yaml)).hasMessageContaining("sample_rate must be between 0 and 1")
        .hasMessageContaining("1.5").hasMessageContaining("line 6");
  }

  @Test
  void anUnknownPriorityIsRefused() {
    String yaml = VALID.replace("priority: urgent", "priority: asap");
    assertThatThrownBy(() -> parse(yaml)).hasMessageContaining("priority must be low, normal, high or urgent, got 'asap'")
        .hasMessageContaining("line 5");
  }

  @Test
  void everyReasonMustBeListed() {
    String yaml = VALID.replace("  tool_call_limit: {priority: normal, max_tool_calls: 12}\n", "");
    assertThatThrownBy(() -> parse(yaml)).hasMessageContaining("reason 'tool_call_limit' is missing");
  }

  @Test
  void anAlertExampleHasNoPriorityOfItsOwn() {
    String yaml = VALID.replace("alert_example: {sample_rate: 1}", "alert_example: {sample_rate: 1, priority: high}");
    assertThatThrownBy(() -> parse(yaml)).hasMessageContaining("alert_example has no 'priority'");
  }

  @Test
  void anEnabledReasonNeedsItsParameters() {
    assertThatThrownBy(() -> parse(VALID.replace("{priority: urgent, features: refund_approval}", "{priority: urgent}")))
        .hasMessageContaining("'features' must list the high-risk features");
    assertThatThrownBy(() -> parse(VALID.replace(", max_tool_calls: 12", "")))
        .hasMessageContaining("'max_tool_calls' is required");
    assertThatThrownBy(() -> parse(VALID.replace("{priority: normal, score_below: 0.4, evaluators: [faithfulness]}", "{priority: normal}")))
        .hasMessageContaining("'score_below' is required");
    // switched off, it needs none of them
    ReviewPolicy off = parse(VALID.replace("{priority: urgent, features: refund_approval}", "{enabled: false}"));
    assertThat(off.enabled(ReviewReason.HIGH_RISK_FEATURE)).isFalse();
  }

  @Test
  void badLabelsDurationsAndPatternsAreRefused() {
    assertThatThrownBy(() -> parse(VALID + "labels: [Correct]\n")).hasMessageContaining("lower_snake_case labels");
    assertThatThrownBy(() -> parse(VALID.replace("new_for: 6h", "new_for: soon")))
        .hasMessageContaining("new_for must be a duration").hasMessageContaining("'soon'");
    assertThatThrownBy(() -> parse(VALID + "reviewer_pattern: 'uid_[0-9'\n")).hasMessageContaining("'reviewer_pattern' is not a regular expression");
    assertThatThrownBy(() -> parse(VALID.replace("evaluators: [faithfulness]", "evaluators: [human_review]")))
        .hasMessageContaining("cannot name human_review");
    assertThatThrownBy(() -> parse("")).hasMessageContaining("'reasons' is required");
  }
}
