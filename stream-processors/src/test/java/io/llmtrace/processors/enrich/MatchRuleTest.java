package io.llmtrace.processors.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class MatchRuleTest {

  private final ObjectMapper json = new ObjectMapper();

  @Test
  void stringRulesIgnoreCaseAndRegexesSearchAnywhereCaseSensitively() throws Exception {
    MatchRule rule = json.readValue("""
        {"or": [{"starts_with": "MiniMax-M"}, {"and": [{"contains": "llama"}, {"ends_with": "-Instruct"}]}, {"regex": "^o[134]"}]}
        """, MatchRule.class);
    assertThat(rule.matches("minimax-m2")).isTrue();
    assertThat(rule.matches("meta-llama-3-instruct")).isTrue();
    assertThat(rule.matches("meta-llama-3")).isFalse();
    assertThat(rule.matches("o3-mini")).isTrue();
    assertThat(rule.matches("gpt-o3")).isFalse();
    assertThat(json.readValue("{\"regex\": \"mini\"}", MatchRule.class).matches("o4-mini-high")).isTrue();
    assertThat(json.readValue("{\"regex\": \"Mini\"}", MatchRule.class).matches("o4-mini")).isFalse();
  }

  @Test
  void aRuleNeedsExactlyOneOperator() {
    assertThatThrownBy(() -> json.readValue("{\"equals\": \"a\", \"contains\": \"b\"}", MatchRule.class))
        .hasStackTraceContaining("exactly one of");
    assertThatThrownBy(() -> json.readValue("{\"regex\": \"(\"}", MatchRule.class)).hasStackTraceContaining("does not compile");
  }
}
