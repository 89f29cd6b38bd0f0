package io.llmtrace.processors.redaction;

import java.util.Arrays;

/**
 * Candidate start positions of a regex in a string: a sorted superset of every index at which the
 * regex can begin a match. {@link PatternDetector} tries the regex only there (anchored, with
 * transparent bounds so look-behinds still see the text before), which finds exactly what
 * {@code Matcher.find()} would, without trying every index.
 */
@FunctionalInterface
interface Starts {

  /** Sorted, duplicate-free candidate starts (may be empty). */
  int[] of(String text, TextProfile profile);

  static boolean digit(char c) {
    return c >= '0' && c <= '9';
  }

  static boolean alnum(char c) {
    return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
  }

  /** Starts of digit runs (a digit not preceded by a digit) whose length is in [min, max] and that the test accepts. */
  static Starts digitRuns(int min, int max, RunTest test) {
    return (text, profile) -> {
      if (profile.digits() < min) {
        return new int[0];
      }
      int[] runs = profile.digitRuns(text);
      Ints out = new Ints();
      for (int r = 0; r < runs.length; r += 2) {
        int len = runs[r + 1] - runs[r];
        if (len >= min && len <= max && test.accept(text, runs[r], runs[r + 1])) {
          out.add(runs[r]);
        }
      }
      return out.toArray();
    };
  }

  /** Decides whether a digit run [start, end) may begin a match. */
  @FunctionalInterface
  interface RunTest {
    RunTest ANY = (text, start, end) -> true;

    boolean accept(String text, int start, int end);
  }

  /** Positions of any of the given characters. */
  static Starts chars(String set) {
    return (text, profile) -> {
      Ints out = new Ints();
      for (int c = 0; c < set.length(); c++) {
        if (!profile.has(set.charAt(c))) {
          continue;
        }
        for (int k = text.indexOf(set.charAt(c)); k >= 0; k = text.indexOf(set.charAt(c), k + 1)) {
          out.add(k);
        }
      }
      return set.length() == 1 ? out.toArray() : out.sortedDistinct();
    };
  }

  /** Occurrences of case-sensitive needles, shifted by {@code offset}. */
  static Starts needles(int offset, String... needles) {
    long[][] masks = masks(needles);
    return (text, profile) -> {
      Ints out = null;
      for (int i = 0; i < needles.length; i++) {
        if (!profile.mayContain(masks[i][0], masks[i][1])) {
          continue;
        }
        for (int k = text.indexOf(needles[i]); k >= 0; k = text.indexOf(needles[i], k + 1)) {
          if (k + offset >= 0) {
            out = out == null ? new Ints() : out;
            out.add(k + offset);
          }
        }
      }
      return out == null ? Ints.NONE : out.sortedDistinct();
    };
  }

  private static long[][] masks(String[] needles) {
    long[][] masks = new long[needles.length][];
    for (int i = 0; i < needles.length; i++) {
      masks[i] = TextProfile.mask(needles[i]);
    }
    return masks;
  }

  /**
   * The candidates of {@code inner} not right after an ASCII letter, digit or one of {@code also}:
   * the regex's leading negative look-behind {@code (?<![A-Za-z0-9...])}, tested here because a
   * literal like "ey" or "gh" mostly occurs inside words, where the regex would fail on it anyway.
   */
  static Starts notAfterAlnumOr(String also, Starts inner) {
    return (text, profile) -> {
      int[] all = inner.of(text, profile);
      Ints out = null;
      for (int k = 0; k < all.length; k++) {
        int c = all[k];
        boolean blocked = c > 0 && (alnum(text.charAt(c - 1)) || also.indexOf(text.charAt(c - 1)) >= 0);
        if (blocked && out == null) {
          out = new Ints();
          for (int j = 0; j < k; j++) {
            out.add(all[j]);
          }
        } else if (!blocked && out != null) {
          out.add(c);
        }
      }
      return out == null ? all : out.toArray();
    };
  }

  /** The candidates of {@code inner} at which {@code test} holds: a necessary condition of the regex there. */
  static Starts where(Starts inner, At test) {
    return (text, profile) -> {
      int[] all = inner.of(text, profile);
      Ints out = new Ints();
      for (int c : all) {
        if (test.holds(text, c)) {
          out.add(c);
        }
      }
      return out.toArray();
    };
  }

  /** A condition on the text at a candidate start. */
  @FunctionalInterface
  interface At {
    boolean holds(String text, int c);
  }

  /** Concatenation of several candidate sets, sorted. */
  static Starts union(Starts... parts) {
    return (text, profile) -> {
      Ints out = new Ints();
      for (Starts s : parts) {
        for (int v : s.of(text, profile)) {
          out.add(v);
        }
      }
      return out.sortedDistinct();
    };
  }

  /** A growable int array. */
  final class Ints {
    static final int[] NONE = new int[0];
    private int[] a = NONE;
    private int n;

    void add(int v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, Math.max(8, n * 2));
      }
      a[n++] = v;
    }

    int[] toArray() {
      return n == 0 ? NONE : Arrays.copyOf(a, n);
    }

    int[] sortedDistinct() {
      if (n == 0) {
        return NONE;
      }
      int[] s = Arrays.copyOf(a, n);
      Arrays.sort(s);
      int w = 0;
      for (int i = 0; i < s.length; i++) {
        if (w == 0 || s[i] != s[w - 1]) {
          s[w++] = s[i];
        }
      }
      return w == s.length ? s : Arrays.copyOf(s, w);
    }
  }
}
