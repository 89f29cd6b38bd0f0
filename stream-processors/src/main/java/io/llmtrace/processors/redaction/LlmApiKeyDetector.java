package io.llmtrace.processors.redaction;

import java.util.List;

/**
 * OpenAI/Anthropic-style keys: a hand-written form of the regex {@value #REGEX}. The optional
 * prefixes consist of characters of the key class itself, so with or without them the match ends
 * where the run of key characters after "sk-" ends, and it exists when that run is 20 long or more.
 * {@code ScannerReferencesTest} compares both on the corpus and random text.
 */
final class LlmApiKeyDetector implements Detector {

  static final String NAME = "llm_api_key";
  static final String REGEX = "(?<![A-Za-z0-9_-])sk-(?:proj-|ant-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void scan(String text, TextProfile profile, List<Finding> out) {
    int from = 0;
    for (int c = text.indexOf("sk-"); c >= 0; c = text.indexOf("sk-", c + 1)) {
      if (c < from || c > 0 && keyChar(text.charAt(c - 1))) {
        continue;
      }
      int end = c + 3;
      while (end < text.length() && keyChar(text.charAt(end))) {
        end++;
      }
      if (end - (c + 3) >= 20) {
        out.add(new Finding(NAME, c, end));
        from = end;
      }
    }
  }

  private static boolean keyChar(char ch) {
    return Starts.alnum(ch) || ch == '_' || ch == '-';
  }
}
