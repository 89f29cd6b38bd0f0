package io.llmtrace.processors.redaction;

/**
 * Character statistics of one string, computed in a single pass and shared by all detectors as
 * pre-filters (a card needs 13 digits, an e-mail an {@code @}, ...).
 */
public record TextProfile(int digits, boolean at, boolean colon, boolean equals, boolean dash) {

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
