package io.llmtrace.processors.redaction;

/**
 * Character statistics of one string, computed in a single pass and shared by all detectors as
 * pre-filters (a card needs 13 digits, an e-mail an {@code @}, ...).
 */
public record TextProfile(int digits, boolean at, boolean colon, boolean equals, boolean dash, Object[] lazy) {

  public TextProfile(int digits, boolean at, boolean colon, boolean equals, boolean dash) {
    this(digits, at, colon, equals, dash, new Object[2]);
  }

  /**
   * Maximal runs of ASCII digits in {@code text} (the string this profile was computed from), as
   * start, end pairs in order; computed once and shared by the number detectors.
   */
  int[] digitRuns(String text) {
    int[] runs = (int[]) lazy[1];
    if (runs == null) {
      runs = new int[8];
      int k = 0;
      int n = text.length();
      int i = 0;
      while (i < n) {
        char c = text.charAt(i);
        if (c < '0' || c > '9') {
          i++;
          continue;
        }
        int j = i + 1;
        while (j < n && text.charAt(j) >= '0' && text.charAt(j) <= '9') {
          j++;
        }
        if (k + 2 > runs.length) {
          runs = java.util.Arrays.copyOf(runs, runs.length * 2);
        }
        runs[k++] = i;
        runs[k++] = j;
        i = j;
      }
      runs = java.util.Arrays.copyOf(runs, k);
      lazy[1] = runs;
    }
    return runs;
  }

  /**
   * {@code text} (the string this profile was computed from) with ASCII letters lower-cased, same
   * length and indices; computed once and shared by the detectors that search keywords.
   */
  String lower(String text) {
    String l = (String) lazy[0];
    if (l == null) {
      // toLowerCase also folds non-ASCII letters (a superset for keyword candidates) and is fast;
      // fall back to ASCII-only folding when it would change the length (indices must line up).
      l = text.toLowerCase(java.util.Locale.ROOT);
      if (l.length() != text.length()) {
        char[] cs = text.toCharArray();
        for (int i = 0; i < cs.length; i++) {
          char c = cs[i];
          if (c >= 'A' && c <= 'Z') {
            cs[i] = (char) (c + 32);
          }
        }
        l = new String(cs);
      }
      lazy[0] = l;
    }
    return l;
  }

  private static final int DIGIT = 1;
  private static final int AT = 2;
  private static final int COLON = 4;
  private static final int EQUALS = 8;
  private static final int DASH = 16;
  /** Class bits of the ASCII characters: a table lookup instead of a chain of mispredicted branches. */
  private static final byte[] CLASSES = new byte[128];

  static {
    for (char c = '0'; c <= '9'; c++) {
      CLASSES[c] = DIGIT;
    }
    CLASSES['@'] = AT;
    CLASSES[':'] = COLON;
    CLASSES['='] = EQUALS;
    CLASSES['-'] = DASH;
  }

  public static TextProfile of(String s) {
    int digits = 0;
    int seen = 0;
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      int k = c < 128 ? CLASSES[c] : 0;
      digits += k & DIGIT;
      seen |= k;
    }
    return new TextProfile(digits, (seen & AT) != 0, (seen & COLON) != 0, (seen & EQUALS) != 0, (seen & DASH) != 0);
  }
}
