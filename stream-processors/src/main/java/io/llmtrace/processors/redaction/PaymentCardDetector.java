package io.llmtrace.processors.redaction;

import java.util.List;

/**
 * Payment card numbers: 13 to 19 digits in groups separated by single spaces or dashes, with a card
 * network prefix (2221-2720, 3, 4, 5, 6) and a valid Luhn check digit. Written by hand rather than
 * as a regex so that a card next to other numbers ("2024 4111 1111 1111 1111") is still found: every
 * run of digit groups is tried at group boundaries, longest candidate first.
 */
final class PaymentCardDetector implements Detector {

  static final String NAME = "payment_card";
  private static final int MAX_GROUPS = 12;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void scan(String text, TextProfile profile, List<Finding> out) {
    if (profile.digits() < 13) {
      return;
    }
    // Digit runs as start, end pairs; a chain joins runs separated by one space or dash.
    int[] runs = profile.digitRuns(text);
    int k = 0;
    int count = runs.length / 2;
    while (k < count) {
      int first = k;
      int digits = runs[2 * k + 1] - runs[2 * k];
      while (k + 1 - first < MAX_GROUPS
          && k + 1 < count
          && runs[2 * k + 2] == runs[2 * k + 1] + 1
          && (text.charAt(runs[2 * k + 1]) == ' ' || text.charAt(runs[2 * k + 1]) == '-')) {
        k++;
        digits += runs[2 * k + 1] - runs[2 * k];
      }
      if (digits >= 13) {
        findInRun(text, runs, first, k + 1, out);
      }
      k++;
    }
  }

  /** Cards within the chain of runs [from, to), longest candidate first at each group boundary. */
  private static void findInRun(String text, int[] runs, int from, int to, List<Finding> out) {
    int first = from;
    while (first < to) {
      int best = -1;
      int digits = 0;
      for (int last = first; last < to; last++) {
        digits += runs[2 * last + 1] - runs[2 * last];
        if (digits > 19) {
          break;
        }
        if (digits >= 13) {
          int start = runs[2 * first];
          int end = runs[2 * last + 1];
          if (networkPrefix(text, start) && Checksums.luhn(text.subSequence(start, end))) {
            best = last;
          }
        }
      }
      if (best >= 0) {
        out.add(new Finding(NAME, runs[2 * first], runs[2 * best + 1]));
        first = best + 1;
      } else {
        first++;
      }
    }
  }

  private static boolean networkPrefix(String text, int start) {
    char c = text.charAt(start);
    if (c >= '3' && c <= '6') {
      return true;
    }
    if (c != '2') {
      return false;
    }
    int prefix = 0;
    int seen = 0;
    for (int k = start; k < text.length() && seen < 4; k++) {
      char d = text.charAt(k);
      if (isDigit(d)) {
        prefix = prefix * 10 + (d - '0');
        seen++;
      }
    }
    return seen == 4 && prefix >= 2221 && prefix <= 2720;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
