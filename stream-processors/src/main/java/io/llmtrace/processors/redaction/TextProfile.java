package io.llmtrace.processors.redaction;

import java.util.Arrays;

/**
 * Cheap facts about one string, shared by all detectors as pre-filters (a card needs 13 digits, an
 * e-mail an {@code @}, a literal all of its characters), plus the digit runs and the positions of
 * ':' and '=', computed on first use.
 * Every test may answer "maybe": it only has to be false when the detector cannot match. Only short strings get the per-character pass: there it saves a dozen
 * {@code indexOf} calls, while on long text nearly every character occurs anyway and the pass
 * (about 2 ns a character, where {@code indexOf} takes 0.15) would cost more than it saves.
 */
public final class TextProfile {

  /** Strings up to this length get the per-character pass. */
  static final int SHORT = 64;

  private final String text;
  /** Exact for short strings; -1 (computed from the digit runs on first use) for long ones. */
  private int digits;
  /** Bit c: ASCII character c (c < 64) may occur. */
  private final long lo;
  /** Bit c - 64: ASCII character c (64 <= c < 128) may occur. */
  private final long hi;
    private int[] digitRuns;
  private int[] signs;

  private TextProfile(String text, int digits, long lo, long hi) {
    this.text = text;
    this.digits = digits;
    this.lo = lo;
    this.hi = hi;
  }

  public static TextProfile of(String s) {
    if (s.length() > SHORT) {
      return new TextProfile(s, -1, -1L, -1L);
    }
    int digits = 0;
    long lo = 0;
    long hi = 0;
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      long bit = 1L << c;
      if (c < 64) {
        lo |= bit;
        digits += c >= '0' && c <= '9' ? 1 : 0;
      } else if (c < 128) {
        hi |= bit;
      }
    }
    return new TextProfile(s, digits, lo, hi);
  }

  /** Number of ASCII digits. */
  public int digits() {
    if (digits < 0) {
      int[] runs = digitRuns(text);
      int sum = 0;
      for (int r = 0; r < runs.length; r += 2) {
        sum += runs[r + 1] - runs[r];
      }
      digits = sum;
    }
    return digits;
  }

  public boolean at() {
    return has('@');
  }

  public boolean colon() {
    return has(':');
  }

  public boolean equals() {
    return has('=');
  }

  public boolean dash() {
    return has('-');
  }

  boolean has(char c) {
    return c < 64 ? (lo & 1L << c) != 0 : c < 128 && (hi & 1L << c) != 0;
  }

  /** False when a character of the ASCII string {@code needle} is missing, so it cannot occur. */
  boolean mayContain(long needleLo, long needleHi) {
    return (lo & needleLo) == needleLo && (hi & needleHi) == needleHi;
  }

  /** The {@link #mayContain} masks of an ASCII string: {lo, hi}. */
  static long[] mask(String ascii) {
    long[] m = new long[2];
    for (int i = 0; i < ascii.length(); i++) {
      char c = ascii.charAt(i);
      if (c >= 128) {
        throw new IllegalArgumentException("not ASCII: " + ascii);
      }
      m[c >> 6] |= 1L << c;
    }
    return m;
  }

  /**
   * Maximal runs of ASCII digits in {@code text} (the string this profile was computed from), as
   * start, end pairs in order; computed once and shared by the number detectors.
   */
  int[] digitRuns(String text) {
    if (digitRuns == null) {
      digitRuns = runs(text);
    }
    return digitRuns;
  }

  /**
   * Positions of ':' and '=' in {@code text} (the string this profile was computed from), in order;
   * computed once and shared by the key = value detectors ({@link Assignments}).
   */
  int[] signs(String text) {
    if (signs == null) {
      signs = colon() || equals() ? signPositions(text) : Starts.Ints.NONE;
    }
    return signs;
  }

  private static int[] signPositions(String text) {
    Starts.Ints out = new Starts.Ints();
    int colon = text.indexOf(':');
    int equals = text.indexOf('=');
    while (colon >= 0 || equals >= 0) {
      if (equals < 0 || colon >= 0 && colon < equals) {
        out.add(colon);
        colon = text.indexOf(':', colon + 1);
      } else {
        out.add(equals);
        equals = text.indexOf('=', equals + 1);
      }
    }
    return out.toArray();
  }

  private int[] runs(String text) {
    int[] runs = new int[digits < 0 ? 64 : 2 * digits + 2];
    int k = 0;
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      // this form, not !digit(c): C2 compiles it to a loop about 2.5 times as fast on prose
      if (c < '0' || c > '9') {
        i++;
        continue;
      }
      int start = i;
      do {
        i++;
      } while (i < n && digit(text.charAt(i)));
      if (k + 2 > runs.length) {
        runs = Arrays.copyOf(runs, runs.length * 2);
      }
      runs[k++] = start;
      runs[k++] = i;
    }
    return k == runs.length ? runs : Arrays.copyOf(runs, k);
  }

  private static boolean digit(char c) {
    return c >= '0' && c <= '9';
  }
}
