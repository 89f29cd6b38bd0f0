package io.llmtrace.processors.redaction;

/**
 * Character statistics of one string, computed in a single pass and shared by all detectors as
 * pre-filters (a card needs 13 digits, an e-mail an {@code @}, ...).
 */
public record TextProfile(int digits, boolean at, boolean colon, boolean equals, boolean dash, String[] lowerCache) {

  public TextProfile(int digits, boolean at, boolean colon, boolean equals, boolean dash) {
    this(digits, at, colon, equals, dash, new String[1]);
  }

  /**
   * {@code text} (the string this profile was computed from) with ASCII letters lower-cased, same
   * length and indices; computed once and shared by the detectors that search keywords.
   */
  String lower(String text) {
    String l = lowerCache[0];
    if (l == null) {
      char[] cs = text.toCharArray();
      for (int i = 0; i < cs.length; i++) {
        char c = cs[i];
        if (c >= 'A' && c <= 'Z') {
          cs[i] = (char) (c + 32);
        }
      }
      l = new String(cs);
      lowerCache[0] = l;
    }
    return l;
  }

  public static TextProfile of(String s) {
    int digits = 0;
    boolean at = false;
    boolean colon = false;
    boolean equals = false;
    boolean dash = false;
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        digits++;
      } else if (c == '@') {
        at = true;
      } else if (c == ':') {
        colon = true;
      } else if (c == '=') {
        equals = true;
      } else if (c == '-') {
        dash = true;
      }
    }
    return new TextProfile(digits, at, colon, equals, dash);
  }
}
