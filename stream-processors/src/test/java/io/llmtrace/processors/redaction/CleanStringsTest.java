package io.llmtrace.processors.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a TextRedactor remembers between strings (short strings without findings, blocked-key
 * verdicts) must never change a result, and stays bounded.
 */
class CleanStringsTest {

  private final Redactor redactor = new Redactor(RedactionPolicy.loadDefault(RedactionPolicyTest.ENV::get));

  @Test
  void aRememberedRedactorFindsWhatAFreshOneFinds() throws Exception {
    TextRedactor warm = redactor.textRedactor(null);
    List<CorpusTest.Line> corpus = CorpusTest.load();
    for (CorpusTest.Line l : corpus) {
      warm.findings(l.text());
    }
    assertThat(warm.clean.size()).isPositive();
    TextRedactor fresh = new Redactor(RedactionPolicy.loadDefault(RedactionPolicyTest.ENV::get)).textRedactor(null);
    for (CorpusTest.Line l : corpus) {
      assertThat(warm.findings(l.text())).as(l.text()).isEqualTo(fresh.findings(l.text()));
    }
  }

  @Test
  void stringsWithFindingsAndLongStringsAreNotRemembered() {
    TextRedactor text = redactor.textRedactor(null);
    String email = "jane@example.com";
    String longClean = "x".repeat(CleanStrings.MAX_LENGTH + 1);

    text.findings(email);
    text.findings(longClean);
    text.findings("user");

    assertThat(text.clean.contains(email)).isFalse();
    assertThat(text.clean.contains(longClean)).isFalse();
    assertThat(text.clean.contains("user")).isTrue();
    assertThat(text.findings(email)).hasSize(1);
  }

  @Test
  void rememberedBlockedKeyVerdictsAreTheRegexVerdicts() {
    TextRedactor text = redactor.textRedactor(null);
    AttributeRules rules = redactor.policy().base().attributes();
    String[] keys = {"password", "db.password", "user_password", "passwords", "token", "x-api-key", "api_key", "apikey",
        "http.route", "queue_ms", "Authorization", "set-cookie", "cookie_jar", "session-token", "tokens", "SECRET", "", "a.b.c"};
    for (int round = 0; round < 2; round++) {
      for (String k : keys) {
        assertThat(text.isBlockedKey(k)).as(k).isEqualTo(rules.isBlocked(k));
      }
    }
    assertThat(java.util.Arrays.stream(keys).filter(rules::isBlocked).count()).isBetween(5L, 15L);
  }

  @Test
  void staysBounded() {
    CleanStrings clean = new CleanStrings();
    for (int i = 0; i < CleanStrings.CAPACITY + 500; i++) {
      clean.add("word" + i);
    }
    assertThat(clean.size()).isEqualTo(CleanStrings.CAPACITY);
  }
}
