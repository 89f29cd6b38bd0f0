package io.llmtrace.processors.redaction;

import java.util.List;

/**
 * Candidate starts of the four phone regexes, one set per regex: each a necessary condition of the
 * regex's beginning (its look-behind, its fixed prefix) or, for the E.164 and national forms, of a
 * match that {@code phoneDigits} keeps, so that the regex runs only where a phone number can begin.
 * {@code CandidateStartsTest} checks that the detector finds what plain {@code find()} does.
 */
final class PhoneStarts {

  private PhoneStarts() {}

  static final List<Starts> PER_REGEX = List.of(
      Starts.where(Starts.notAfterAlnumOr("+_", Starts.chars("+")),
          (t, c) -> c + 1 < t.length() && Starts.digit(t.charAt(c + 1)) && atLeastDigits(t, c + 1, " .()-", 10)),
      Starts.where(Starts.notAfterAlnumOr("(_-", Starts.union(
          Starts.chars("+("),
          Starts.digitRuns(1, 1, (t, s, e) -> t.charAt(s) == '1' && e < t.length() && " .-(".indexOf(t.charAt(e)) >= 0))),
          PhoneStarts::areaCodeInParentheses),
      Starts.notAfterAlnumOr("._-", Starts.digitRuns(3, 3, PhoneStarts::usExchange)),
      Starts.notAfterAlnumOr("._/+-", Starts.digitRuns(2, 5, (t, s, e) -> t.charAt(s) == '0' && e + 1 < t.length()
          && " /.-".indexOf(t.charAt(e)) >= 0 && Starts.digit(t.charAt(e + 1)) && atLeastDigits(t, s, " /.-", 9))));

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
}
