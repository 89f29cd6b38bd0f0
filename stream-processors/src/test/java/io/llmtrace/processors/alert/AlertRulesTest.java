package io.llmtrace.processors.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmtrace.processors.alert.AlertRule.Baseline;
import io.llmtrace.processors.alert.AlertRule.CountWindow;
import io.llmtrace.processors.alert.AlertRule.TimeWindow;
import io.llmtrace.schemas.avro.AlertSeverity;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class AlertRulesTest {

  private static final String VALID = """
      rules:
        - name: support_answer_eval_regression
          metric: eval_pass_rate
          scope: {environment: production, feature: support_chatbot, prompt: support_answer}
          comparator: "<"
          threshold: 0.9
          window: 15m
          min_volume: 100
          group_by: [prompt_version, model, customer_tier]
          severity: notify
          owner: on-call
          runbook: docs/RUNBOOKS.md#support_answer_eval_regression
          action: Compare against the last good version, roll back
      """;

  private static List<AlertRule> parse(String yaml) {
    return AlertRules.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml");
  }

  @Test
  void theShippedRulesExpressEverySeedExample() {
    Map<String, AlertRule> rules = AlertRules.byName(AlertConfig.bundledRules());
    assertThat(rules.keySet()).containsExactly("policy_check_failure_spike", "json_schema_failures", "cost_per_task_day_over_day",
        "citation_coverage_low", "redaction_failure", "write_action_tool_argument_failures", "json_parse_failures_vs_7d",
        "cost_per_successful_workflow_after_release", "citation_faithfulness_low", "provider_error_rate", "timeout_rate",
        "critical_workflow_p95_latency", "cost_p95_vs_previous_24h", "eval_pass_rate_production_prompt", "severe_policy_violation",
        "new_prompt_version_failure_rate", "critical_tool_failure_rate", "support_answer_eval_regression");
    AlertRule regression = rules.get("support_answer_eval_regression");
    assertThat(regression.metric()).isEqualTo(AlertMetric.EVAL_PASS_RATE);
    assertThat(regression.scope()).isEqualTo(Map.of("environment", Set.of("production"), "feature_name", Set.of("support_chatbot"),
        "prompt_name", Set.of("support_answer")));
    assertThat(regression.groupBy()).containsExactly("tenant_id", "prompt_version", "model_name", "customer_tier");
    assertThat(regression.window()).isEqualTo(new TimeWindow(Duration.ofMinutes(15), "15m"));
    assertThat(regression.minVolume()).isEqualTo(100);
    assertThat(regression.severity()).isEqualTo(AlertSeverity.NOTIFY);
    assertThat(rules.get("json_schema_failures").window()).isEqualTo(new CountWindow(500, "500 calls"));
    assertThat(rules.get("json_parse_failures_vs_7d").baseline()).isEqualTo(Baseline.PRIOR_7D_MEAN);
    assertThat(rules.get("json_parse_failures_vs_7d").hourly()).isTrue();
    assertThat(rules.get("cost_per_successful_workflow_after_release").versionDimension()).isEqualTo("app_version");
    assertThat(rules.get("new_prompt_version_failure_rate").kind()).isEqualTo("version_regression");
    assertThat(rules.get("redaction_failure").kind()).isEqualTo("immediate");
    assertThat(rules.get("policy_check_failure_spike").forDuration()).isEqualTo(Duration.ofMinutes(30));
    assertThat(rules.values()).allSatisfy(rule -> {
      assertThat(rule.owner()).isNotBlank();
      assertThat(rule.runbook()).isNotBlank();
      assertThat(rule.action()).isNotBlank();
    });
  }

  @Test
  void everyShippedRulesRunbookHasItsSection() throws java.io.IOException {
    String runbooks = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "RUNBOOKS.md"));
    assertThat(AlertConfig.bundledRules()).allSatisfy(rule -> {
      assertThat(rule.runbook()).isEqualTo("docs/RUNBOOKS.md#" + rule.name());
      assertThat(runbooks).contains("\n## " + rule.name() + "\n");
    });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "unknown metric | metric: eval_pass_rate | metric: eval_pas_rate | field 'metric': unknown metric 'eval_pas_rate'",
      "bad duration | window: 15m | window: 15 minutes | field 'window': must be a duration such as 30s, 15m, 6h or 7d, got '15 minutes'",
      "missing owner | owner: on-call | owner: '' | field 'owner': is required (who acts when it fires)",
      "missing runbook | 'runbook: docs/RUNBOOKS.md#support_answer_eval_regression' | runbook: | field 'runbook': is required",
      "bad comparator | 'comparator: \"<\"' | comparator: under | field 'comparator': must be one of >, >=, <, <=",
      "rate as percent | threshold: 0.9 | threshold: 90 | field 'threshold': eval_pass_rate is a rate between 0 and 1",
      "bad severity | severity: notify | severity: urgent | field 'severity': must be page, notify or review",
      "window not whole hours | window: 15m | window: 90m | field 'window': must be whole minutes up to an hour and whole hours beyond",
      "bad group-by | '[prompt_version, model, customer_tier]' | '[prompt_version, Model!]' | field 'group_by': 'Model!' is neither a dimension",
  })
  void aWrongFieldRefusesTheStartNamingTheRuleAndTheField(String what, String replace, String with, String message) {
    String yaml = VALID.replace(replace, with);
    assertThat(yaml).as("the test's replacement applies").isNotEqualTo(VALID);
    assertThatThrownBy(() -> parse(yaml)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("alert rules test.yaml: rule 'support_answer_eval_regression', " + message.split(": ", 2)[0])
        .hasMessageContaining(message);
  }

  @Test
  void anUnknownFieldIsRefusedWithItsLine() {
    assertThatThrownBy(() -> parse(VALID + "    windw: 5m\n")).hasMessageContaining("windw").hasMessageContaining("line 15");
  }

  @Test
  void aBaselineNeedsWholeHoursAndAVersionRuleItsVolume() {
    assertThatThrownBy(() -> parse(VALID.replace("window: 15m", "window: 15m\n    baseline: day_before").replace("threshold: 0.9",
        "threshold: 1.3"))).hasMessageContaining("field 'window': a day_before baseline compares whole hours");
    assertThatThrownBy(() -> parse(VALID.replace("window: 15m", "versions: prompt_version").replace("min_volume: 100", "min_volume: 0")
        .replace("[prompt_version, model, customer_tier]", "[model]").replace("threshold: 0.9", "threshold: 2")))
        .hasMessageContaining("field 'min_volume': a version rule needs");
    assertThatThrownBy(() -> parse(VALID.replace("window: 15m", "versions: prompt_version").replace("threshold: 0.9", "threshold: 2")))
        .hasMessageContaining("field 'group_by': prompt_version is the rule's version dimension");
  }

  @Test
  void twoRulesWithOneNameAreRefused() {
    String second = VALID.substring(VALID.indexOf("  - name"));
    assertThatThrownBy(() -> parse(VALID + second)).hasMessageContaining("field 'name': another rule has the same name");
  }
}
