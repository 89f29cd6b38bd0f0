package io.llmtrace.processors.redaction;

import java.util.List;

/**
 * Dotted quads with octets 0-255 (no leading zeros), not right after "version"/"v". A hand-written
 * form of the regex {@value #REGEX}: each octet there is followed by a '.' or by a look-ahead that
 * rejects a digit, so it is always a whole digit run and the regex cannot backtrack into another
 * match; the scanner checks the same four runs on the shared digit runs instead of running the regex
 * at each of them. {@code ScannerReferencesTest} compares both on the corpus and random text.
 */
final class Ipv4Detector implements Detector {

  static final String NAME = "ipv4";
  static final String REGEX = "(?<![A-Za-z0-9.])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}"
      + "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?![A-Za-z0-9]|\\.[0-9]|-[A-Za-z])";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void scan(String text, TextProfile profile, List<Finding> out) {
    if (profile.digits() < 4) {
      return;
    }
    int[] runs = profile.digitRuns(text);
    for (int r = 0; r + 8 <= runs.length; r += 2) {
      int start = runs[r];
      if (start > 0 && (Starts.alnum(text.charAt(start - 1)) || text.charAt(start - 1) == '.')) {
        continue;
      }
      int end = quadEnd(text, runs, r);
      if (end < 0) {
        continue;
      }
      if (notAVersion(text, start, end) > start) {
        out.add(new Finding(NAME, start, end));
      }
      // find() resumes after the match, accepted or not: the next three runs are inside it
      r += 6;
    }
  }

  /** End of the quad made of the four digit runs from run {@code r}, or -1. */
  private static int quadEnd(String text, int[] runs, int r) {
    int n = text.length();
    for (int k = 0; k < 4; k++) {
      int a = runs[r + 2 * k];
      int b = runs[r + 2 * k + 1];
      if (!octet(text, a, b)) {
        return -1;
      }
      if (k < 3 && (text.charAt(b) != '.' || runs[r + 2 * k + 2] != b + 1)) {
        return -1;
      }
      if (k == 3 && b < n && !quadMayEndBefore(text, b)) {
        return -1;
      }
    }
    return runs[r + 7];
  }

  /** The regex's closing look-ahead at {@code b}, the character after the last octet. */
  private static boolean quadMayEndBefore(String text, int b) {
    char c = text.charAt(b);
    if (Starts.alnum(c)) {
      return false;
    }
    boolean more = b + 1 < text.length();
    if (c == '.' && more && Starts.digit(text.charAt(b + 1))) {
      return false;
    }
    return !(c == '-' && more && letter(text.charAt(b + 1)));
  }

  private static boolean octet(String text, int a, int b) {
    int len = b - a;
    if (len == 1) {
      return true;
    }
    if (len > 3 || text.charAt(a) == '0') {
      return false;
    }
    int v = 0;
    for (int i = a; i < b; i++) {
      v = v * 10 + (text.charAt(i) - '0');
    }
    return v <= 255;
  }

  private static boolean letter(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
  }

  /**
   * Rejects a quad right after "version", "v", "build", ... (a version number, not an address): the
   * regex {@value #VERSION_CONTEXT} found in the 12 characters before the quad. Its tail
   * {@code \\s*[:=]?\\s*} is the longest such suffix (no keyword ends in one of its characters),
   * so the keyword must end right before it; {@code $} also matches before a final line terminator,
   * of which \\s does not cover U+0085, U+2028 and U+2029.
   */
  static int notAVersion(String text, int start, int end) {
    int from = Math.max(0, start - 12);
    boolean version = versionBefore(text, from, start);
    if (!version && start > from && LINE_ENDS.indexOf(text.charAt(start - 1)) >= 0) {
      version = versionBefore(text, from, start - 1);
    }
    return version ? -1 : end;
  }

  private static boolean versionBefore(String text, int from, int to) {
    int e = to;
    while (e > from && space(text.charAt(e - 1))) {
      e--;
    }
    if (e > from && (text.charAt(e - 1) == ':' || text.charAt(e - 1) == '=')) {
      e--;
      while (e > from && space(text.charAt(e - 1))) {
        e--;
      }
    }
    for (String keyword : VERSION_KEYWORDS) {
      if (endsWithIgnoreAsciiCase(text, from, e, keyword)) {
        return true;
      }
    }
    return false;
  }

  private static final String LINE_ENDS = "\u0085\u2028\u2029";
  static final String VERSION_CONTEXT = "(?i)(?:version|ver\\.?|release|build|firmware|v)\\s*[:=]?\\s*$";
  private static final String[] VERSION_KEYWORDS = {"version", "ver.", "ver", "release", "build", "firmware", "v"};

  /** Whether text[from, e) ends with the lower-case {@code keyword}, ignoring ASCII case only, as (?i) does. */
  private static boolean endsWithIgnoreAsciiCase(String text, int from, int e, String keyword) {
    int s = e - keyword.length();
    if (s < from) {
      return false;
    }
    for (int i = 0; i < keyword.length(); i++) {
      char c = text.charAt(s + i);
      if ((c >= 'A' && c <= 'Z' ? (char) (c + 32) : c) != keyword.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** {@code \\s} without UNICODE_CHARACTER_CLASS. */
  private static boolean space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\013' || c == '\f' || c == '\r';
  }
}
