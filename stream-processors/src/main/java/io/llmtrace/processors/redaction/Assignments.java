package io.llmtrace.processors.redaction;

/**
 * The ':' and '=' of a text and the keys right before them. A "key = value" regex
 * ({@code (?i)password\\?["']?\s*[:=]...}) can only match where its keyword ends right before an
 * optional quote, spaces and one of these signs, and a text has far fewer signs than word starts; so
 * the keyword detectors look back from each sign ({@link TextProfile#signs}) instead of lower-casing
 * the text and searching it.
 */
final class Assignments {

  private Assignments() {}

  /**
   * Where the key of the sign at {@code sign} ends: before the spaces ({@code \s}) and the optional
   * quote ({@code ["']}, or {@code \\?["']} when {@code escapedQuote}) in front of the sign.
   */
  static int keyEnd(String text, int sign, boolean escapedQuote) {
    int e = sign;
    while (e > 0 && space(text.charAt(e - 1))) {
      e--;
    }
    if (e > 0 && (text.charAt(e - 1) == '"' || text.charAt(e - 1) == '\'')) {
      e--;
      e -= escapedQuote && e > 0 && text.charAt(e - 1) == '\\' ? 1 : 0;
    }
    return e;
  }

  /**
   * Starts of the lower-case {@code keywords} (ASCII case ignored) that end a key: where the
   * regexes {@code (?i)keyword["']?\s*[:=]} can begin.
   */
  static Starts keywordsBefore(String... keywords) {
    StringBuilder last = new StringBuilder();
    for (String kw : keywords) {
      last.append(kw.charAt(kw.length() - 1));
    }
    String lastChars = last.toString();
    return (text, profile) -> {
      Starts.Ints out = null;
      for (int sign : profile.signs(text)) {
        int e = keyEnd(text, sign, false);
        if (e == 0 || lastChars.indexOf(lower(text.charAt(e - 1))) < 0) {
          continue;
        }
        for (String kw : keywords) {
          int k = e - kw.length();
          if (k >= 0 && sameIgnoringAsciiCase(text, k, kw)) {
            out = out == null ? new Starts.Ints() : out;
            out.add(k);
          }
        }
      }
      return out == null ? Starts.Ints.NONE : out.sortedDistinct();
    };
  }

  /** {@code \s} of a regex without UNICODE_CHARACTER_CLASS. */
  static boolean space(char c) {
    return c == ' ' || c >= '\t' && c <= '\r';
  }

  /** ASCII letters lower-cased, everything else as it is: the {@code (?i)} of a regex without UNICODE_CASE. */
  static char lower(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
  }

  /** Whether {@code text} has {@code lowerKeyword} at {@code at}, comparing as {@code (?i)} without UNICODE_CASE does. */
  static boolean sameIgnoringAsciiCase(String text, int at, String lowerKeyword) {
    for (int i = 0; i < lowerKeyword.length(); i++) {
      if (lower(text.charAt(at + i)) != lowerKeyword.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
