package io.llmtrace.processors.redaction;

import java.util.List;

/**
 * Values assigned to secret-looking keys ({@code password=...}, {@code "api_key": "..."}): a
 * hand-written form of the regex {@value #REGEX}, run from each ':' and '=' instead of from every
 * word start. The finding is the value (the group that matched), then {@link #notAPlaceholder}.
 *
 * <p>Why an anchor decides everything: the key, its prefix and the keyword are made of
 * [A-Za-z0-9_.-], and what follows the keyword (an optional quote, spaces, ':' or '=') is not, so the
 * keyword ends where the word before the quote, spaces and ':'/'=' ends. The value starts at the first
 * non-space after ':'/'=' and is decided by its first character (an escaped quote, a quote, or a plain
 * character), each form a whole run of its class. Which start inside the word the regex would report
 * does not change the value, and a start exists when the word ends in a keyword that is not right
 * after a letter or digit (then the keyword itself is a start: the prefix may be empty). As with
 * {@code find()}, a key before the end of the previous match is not used.
 * {@code ScannerReferencesTest} compares both on the corpus and random text.
 */
final class SecretAssignmentDetector implements Detector {

  static final String NAME = "secret_assignment";
  static final String REGEX = "(?i)(?<![A-Za-z0-9])(?:[A-Za-z0-9]+[_.-])*(?:password|passwd|pwd|passphrase|secret|client_secret|"
      + "api[_-]?key|apikey|access[_-]?key|private[_-]?key|token|access[_-]?token|auth[_-]?token|"
      + "refresh[_-]?token|credentials?)(?:\\\\?[\"'])?\\s*[:=]\\s*"
      + "(?:\\\\\"([^\"\\\\\\n]{1,256})\\\\\"|\"([^\"\\n]{1,256})\"|'([^'\\n]{1,256})'|"
      + "([^\\s\"',;&}\\[\\]<>{()\\\\][^\\s\"',;&}<>]{0,255}))";

  /** Every keyword the regex's alternation spells, lower-case. */
  private static final String[] KEYWORDS = expand(
      "password", "passwd", "pwd", "passphrase", "secret", "client_secret", "api?key", "access?key", "private?key",
      "token", "access?token", "auth?token", "refresh?token", "credential", "credentials");

  /** {@link #KEYWORDS} by their last character. */
  private static final String[][] BY_LAST_CHAR = new String[128][];

  static {
    for (String kw : KEYWORDS) {
      char last = kw.charAt(kw.length() - 1);
      String[] have = BY_LAST_CHAR[last] == null ? new String[0] : BY_LAST_CHAR[last];
      BY_LAST_CHAR[last] = java.util.Arrays.copyOf(have, have.length + 1);
      BY_LAST_CHAR[last][have.length] = kw;
    }
  }

  /** Longest quoted value; a plain value is one character and up to one less than this. */
  private static final int MAX_VALUE = 256;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void scan(String text, TextProfile profile, List<Finding> out) {
    int from = 0;
    for (int sign : profile.signs(text)) {
      if (sign < from || !keyBefore(text, Assignments.keyEnd(text, sign, true), from)) {
        continue;
      }
      int v = sign + 1;
      while (v < text.length() && Assignments.space(text.charAt(v))) {
        v++;
      }
      int end = value(text, v, out);
      from = end >= 0 ? end : from;
    }
  }

  /** Whether a keyword ends at {@code e}, not right after a letter or digit and not before {@code from}. */
  private static boolean keyBefore(String text, int e, int from) {
    if (e == 0) {
      return false;
    }
    char last = Assignments.lower(text.charAt(e - 1));
    String[] keywords = last < 128 ? BY_LAST_CHAR[last] : null;
    if (keywords == null) {
      return false;
    }
    for (String kw : keywords) {
      int k = e - kw.length();
      if (k >= from && (k == 0 || !Starts.alnum(text.charAt(k - 1))) && Assignments.sameIgnoringAsciiCase(text, k, kw)) {
        return true;
      }
    }
    return false;
  }

  /** Adds the value at {@code v} when the regex has one there; returns the end of the match, or -1. */
  private static int value(String text, int v, List<Finding> out) {
    int n = text.length();
    if (v >= n) {
      return -1;
    }
    char c = text.charAt(v);
    if (c == '\\') {
      if (v + 1 >= n || text.charAt(v + 1) != '"') {
        return -1;
      }
      int e = run(text, v + 2, MAX_VALUE + 1, "\"\\\n");
      return e - (v + 2) <= MAX_VALUE && e + 1 < n && text.charAt(e) == '\\' && text.charAt(e + 1) == '"'
          ? add(text, v + 2, e, e + 2, out) : -1;
    }
    if (c == '"' || c == '\'') {
      int e = run(text, v + 1, MAX_VALUE + 1, c == '"' ? "\"\n" : "'\n");
      return e - (v + 1) <= MAX_VALUE && e < n && text.charAt(e) == c ? add(text, v + 1, e, e + 1, out) : -1;
    }
    if (Assignments.space(c) || "\"',;&}[]<>{()\\".indexOf(c) >= 0) {
      return -1;
    }
    int e = run(text, v + 1, MAX_VALUE - 1, " \t\n\u000B\f\r\"',;&}<>");
    return add(text, v, e, e, out);
  }

  /** The end of the run from {@code from} of at most {@code max} characters none of which is in {@code stop}. */
  private static int run(String text, int from, int max, String stop) {
    int limit = (int) Math.min(text.length(), (long) from + max);
    int i = from;
    while (i < limit && stop.indexOf(text.charAt(i)) < 0) {
      i++;
    }
    return i;
  }

  /** An empty quoted value is no match; otherwise the value is added unless it is a placeholder. */
  private static int add(String text, int start, int end, int matchEnd, List<Finding> out) {
    if (end <= start) {
      return -1;
    }
    if (notAPlaceholder(text, start, end) > start) {
      out.add(new Finding(NAME, start, end));
    }
    return matchEnd;
  }

  /** Values that are no secret: what the check in {@link #placeholder} accepts, as a regex (for its test). */
  static final String PLACEHOLDER =
      "(?i)null|none|true|false|undefined|\\*+|x+|<[^>]*>|\\$\\{[^}]*}|\\[redacted.*|\\[[a-z_]+:[0-9a-f]{8}]";

  /** Rejects placeholders ({@code null}, {@code ***}, {@code ${VAR}}, a mask token) and prose after ':'; else {@code end}. */
  static int notAPlaceholder(String text, int start, int end) {
    if (placeholder(text, start, end)) {
      return -1;
    }
    // "Password: reset link sent" is prose; an unquoted plain lower-case word after ':' is not a secret.
    int k = start - 1;
    while (k >= 0 && text.charAt(k) == ' ') {
      k--;
    }
    boolean quoted = start > 0 && (text.charAt(start - 1) == '"' || text.charAt(start - 1) == '\'');
    if (!quoted && k >= 0 && text.charAt(k) == ':' && lowerCaseWord(text, start, end)) {
      return -1;
    }
    return end;
  }

  /** Whether [start, end) matches {@link #PLACEHOLDER} as a whole. */
  static boolean placeholder(String text, int start, int end) {
    int n = end - start;
    char first = text.charAt(start);
    char last = text.charAt(end - 1);
    if (first == '<' || first == '$') {
      int open = first == '<' ? 1 : 2;
      char close = first == '<' ? '>' : '}';
      return n >= open + 1 && (first == '<' || text.charAt(start + 1) == '{') && last == close
          && text.indexOf(close, start + open) == end - 1;
    }
    if (first == '[') {
      if (n >= 9 && Assignments.sameIgnoringAsciiCase(text, start + 1, "redacted")) {
        return noLineTerminator(text, start + 9, end);
      }
      return maskToken(text, start, end);
    }
    if (first == '*' || first == 'x' || first == 'X') {
      for (int i = start; i < end; i++) {
        char c = text.charAt(i);
        if (first == '*' ? c != '*' : c != 'x' && c != 'X') {
          return false;
        }
      }
      return true;
    }
    for (String word : PLACEHOLDER_WORDS) {
      if (n == word.length() && Assignments.sameIgnoringAsciiCase(text, start, word)) {
        return true;
      }
    }
    return false;
  }

  private static final String[] PLACEHOLDER_WORDS = {"null", "none", "true", "false", "undefined"};

  /** {@code .} does not match these. */
  private static boolean noLineTerminator(String text, int from, int end) {
    for (int i = from; i < end; i++) {
      char c = text.charAt(i);
      if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
        return false;
      }
    }
    return true;
  }

  /** {@code (?i)\[[a-z_]+:[0-9a-f]{8}]}: a hash token such as [EMAIL:3f9a1c2b]. */
  private static boolean maskToken(String text, int start, int end) {
    int colon = end - 10;
    if (colon < start + 2 || text.charAt(end - 1) != ']' || text.charAt(colon) != ':') {
      return false;
    }
    for (int i = start + 1; i < colon; i++) {
      char c = text.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_')) {
        return false;
      }
    }
    for (int i = colon + 1; i < end - 1; i++) {
      char c = text.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
        return false;
      }
    }
    return true;
  }

  private static boolean lowerCaseWord(String text, int start, int end) {
    for (int i = start; i < end; i++) {
      if (text.charAt(i) < 'a' || text.charAt(i) > 'z') {
        return false;
      }
    }
    return true;
  }

  /** Each '?' becomes nothing, '_' and '-' (the regex's {@code [_-]?}). */
  private static String[] expand(String... keywords) {
    return java.util.Arrays.stream(keywords)
        .flatMap(k -> k.indexOf('?') < 0
            ? java.util.stream.Stream.of(k)
            : java.util.stream.Stream.of(k.replace("?", ""), k.replace('?', '_'), k.replace('?', '-')))
        .distinct()
        .toArray(String[]::new);
  }
}
