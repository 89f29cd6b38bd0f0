package io.llmtrace.processors.redaction;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Phone numbers: E.164 ({@value #E164}), US with the area code in parentheses, US dashed or dotted,
 * and European national numbers (a leading 0), each kept only with a plausible digit count
 * ({@link #phoneDigits}). The E.164 form, the one real text is full of ("+44 20 7946 0958"), is
 * matched by hand in the regex's own backtracking order (greedy, most groups first), with failed
 * (position, group count) states remembered so that a long digit run stays linear; the other three
 * run their regexes at candidate starts. Every candidate set is a necessary condition of the regex's
 * beginning (its look-behind, its fixed prefix) or, for the E.164 and national forms, of a match
 * that {@code phoneDigits} keeps. {@code ScannerReferencesTest} compares the detector with the four
 * regexes under plain {@code find()}.
 */
final class PhoneDetector implements Detector {

  static final String NAME = "phone";
  static final String E164 = "(?<![A-Za-z0-9+_])\\+[0-9]{1,3}(?:[ .-]?\\(?[0-9]{1,5}\\)?){1,6}(?![A-Za-z0-9])";
  static final List<String> REGEXES = List.of(
      E164,
      "(?<![A-Za-z0-9(_-])(?:\\+?1[ .-]?)?\\([2-9][0-9]{2}\\)[ .-]?[2-9][0-9]{2}[ .-][0-9]{4}(?![A-Za-z0-9])",
      "(?<![A-Za-z0-9._-])[2-9][0-9]{2}(?:-[2-9][0-9]{2}-|\\.[2-9][0-9]{2}\\.)[0-9]{4}(?![A-Za-z0-9_-]|\\.[0-9])",
      "(?<![A-Za-z0-9._/+-])0[0-9]{1,4}(?:[ /.-][0-9]{2,8}){1,4}(?![A-Za-z0-9_/-]|[.,:][0-9])");

  /** Most groups after the country code, and the longest match from its '+'. */
  private static final int MAX_GROUPS = 6;

  private final PatternDetector others = new PatternDetector(
      NAME,
      REGEXES.subList(1, REGEXES.size()).stream().map(Pattern::compile).toList(),
      PatternDetector.Prefilter.ALWAYS,
      PhoneDetector::phoneDigits,
      List.of(
          Starts.notAfterAlnumOr("(_-", PhoneDetector::areaCodeStarts),
          Starts.notAfterAlnumOr("._-", Starts.digitRuns(3, 3, PhoneDetector::usExchange)),
          Starts.notAfterAlnumOr("._/+-", Starts.digitRuns(2, 5, (t, s, e) -> t.charAt(s) == '0' && e + 1 < t.length()
              && " /.-".indexOf(t.charAt(e)) >= 0 && Starts.digit(t.charAt(e + 1)) && atLeastDigits(t, s, " /.-", 9)))));

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void scan(String text, TextProfile profile, List<Finding> out) {
    if (profile.digits() < 8) {
      return;
    }
    e164(text, out);
    others.scan(text, profile, out);
  }

  private static void e164(String t, List<Finding> out) {
    int from = 0;
    for (int c = t.indexOf('+'); c >= 0; c = t.indexOf('+', c + 1)) {
      if (c < from || c > 0 && (Starts.alnum(t.charAt(c - 1)) || t.charAt(c - 1) == '+' || t.charAt(c - 1) == '_')
          || c + 1 >= t.length() || !Starts.digit(t.charAt(c + 1)) || !atLeastDigits(t, c + 1, " .()-", 10)) {
        continue;
      }
      int end = e164End(t, c);
      if (end >= 0) {
        if (phoneDigits(t, c, end) > c) {
          out.add(new Finding(NAME, c, end));
        }
        from = end;
      }
    }
  }

  /** The end of the E.164 regex's match at the '+' at {@code c} (its look-behind holds), or -1. */
  static int e164End(String t, int c) {
    long[] failed = new long[MAX_GROUPS + 1];
    for (int d = digitsFrom(t, c + 1, 3); d >= 1; d--) {
      int end = groups(t, c, c + 1 + d, 0, failed);
      if (end >= 0) {
        return end;
      }
    }
    return -1;
  }

  /**
   * {@code (?:[ .-]?\(?[0-9]{1,5}\)?){count+1..6}(?![A-Za-z0-9])} at {@code i}, after {@code count}
   * groups: another group first (each optional part taken first, the most digits first), else the
   * look-ahead. Bit {@code i - c} of {@code failed[count]} marks a state already known to fail
   * (a match is at most 52 characters long).
   */
  private static int groups(String t, int c, int i, int count, long[] failed) {
    long bit = 1L << (i - c);
    if ((failed[count] & bit) != 0) {
      return -1;
    }
    int n = t.length();
    if (count < MAX_GROUPS) {
      for (int s = i < n && " .-".indexOf(t.charAt(i)) >= 0 ? 1 : 0; s >= 0; s--) {
        int j = i + s;
        for (int p = j < n && t.charAt(j) == '(' ? 1 : 0; p >= 0; p--) {
          int k = j + p;
          for (int d = digitsFrom(t, k, 5); d >= 1; d--) {
            int m = k + d;
            for (int q = m < n && t.charAt(m) == ')' ? 1 : 0; q >= 0; q--) {
              int end = groups(t, c, m + q, count + 1, failed);
              if (end >= 0) {
                return end;
              }
            }
          }
        }
      }
    }
    if (count >= 1 && (i >= n || !Starts.alnum(t.charAt(i)))) {
      return i;
    }
    failed[count] |= bit;
    return -1;
  }

  /** Number of digits from {@code i}, at most {@code max}. */
  private static int digitsFrom(String t, int i, int max) {
    int d = 0;
    while (d < max && i + d < t.length() && Starts.digit(t.charAt(i + d))) {
      d++;
    }
    return d;
  }

  /**
   * Where {@code (?:\+?1[ .-]?)?\([2-9]} can begin: a '(' before a [2-9], or up to three characters
   * before it for the optional "+1 ".
   */
  private static int[] areaCodeStarts(String t, TextProfile profile) {
    Starts.Ints out = null;
    for (int p = t.indexOf('('); p >= 0; p = t.indexOf('(', p + 1)) {
      if (p + 1 >= t.length() || t.charAt(p + 1) < '2' || t.charAt(p + 1) > '9') {
        continue;
      }
      for (int c = Math.max(0, p - 3); c <= p; c++) {
        if (areaCodeInParentheses(t, c)) {
          out = out == null ? new Starts.Ints() : out;
          out.add(c);
        }
      }
    }
    return out == null ? Starts.Ints.NONE : out.sortedDistinct();
  }

  /** {@code (?:\\+?1[ .-]?)?\\([2-9]} at {@code c}, the start of the second phone regex. */
  private static boolean areaCodeInParentheses(String t, int c) {
    int n = t.length();
    int i = c;
    if (t.charAt(i) != '(') {
      i += t.charAt(i) == '+' ? 1 : 0;
      if (i >= n || t.charAt(i) != '1') {
        return false;
      }
      i++;
      i += i < n && " .-".indexOf(t.charAt(i)) >= 0 ? 1 : 0;
    }
    return i + 1 < n && t.charAt(i) == '(' && t.charAt(i + 1) >= '2' && t.charAt(i + 1) <= '9';
  }

  /** {@code [2-9][0-9]{2}(?:-[2-9][0-9]{2}-|\\.[2-9][0-9]{2}\\.)[0-9]{4}} from the digit run [s, e). */
  private static boolean usExchange(String t, int s, int e) {
    if (t.charAt(s) < '2' || e + 8 >= t.length()) {
      return false;
    }
    char sep = t.charAt(e);
    return (sep == '-' || sep == '.') && t.charAt(e + 1) >= '2' && Starts.digit(t.charAt(e + 1)) && Starts.digit(t.charAt(e + 2))
        && Starts.digit(t.charAt(e + 3)) && t.charAt(e + 4) == sep && Starts.digit(t.charAt(e + 5))
        && Starts.digit(t.charAt(e + 6)) && Starts.digit(t.charAt(e + 7)) && Starts.digit(t.charAt(e + 8));
  }

  /**
   * Whether the run of digits and {@code separators} from {@code from} holds {@code needed} digits.
   * Every match of the E.164 regex (after its '+') or of the national one lies inside that run, and
   * {@code phoneDigits} rejects E.164 matches with fewer than 10 digits and national ones (they start
   * with '0') with fewer than 9. A later candidate inside the same run sees a suffix of it, so skipping
   * the regex there as well, rather than letting a rejected match move {@code from} past it, changes
   * no finding; timestamps such as {@code 00.123456} and dates no longer reach the national regex.
   * Linear overall: the scan stops at the needed digits, and each candidate brings at least three.
   */
  private static boolean atLeastDigits(String t, int from, String separators, int needed) {
    int digits = 0;
    for (int i = from, n = t.length(); i < n; i++) {
      char c = t.charAt(i);
      if (Starts.digit(c)) {
        if (++digits >= needed) {
          return true;
        }
      } else if (separators.indexOf(c) < 0) {
        return false;
      }
    }
    return false;
  }

  /** Keeps national numbers (a leading 0) of 9 to 12 digits and others of 10 to 15, ending in a digit or ')'. */
  static int phoneDigits(String text, int start, int end) {
    int digits = 0;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        digits++;
      }
    }
    boolean national = text.charAt(start) == '0';
    if (national ? digits < 9 || digits > 12 : digits < 10 || digits > 15) {
      return -1;
    }
    char last = text.charAt(end - 1);
    return last >= '0' && last <= '9' || last == ')' ? end : -1;
  }
}
