package io.llmtrace.processors.redaction;

import java.util.ArrayList;
import java.util.List;

/**
 * The char-by-char card scanner PaymentCardDetector replaced, kept as the reference for a differential test. Payment card numbers: 13 to 19 digits in groups separated by single spaces or dashes, with a card
 * network prefix (2221-2720, 3, 4, 5, 6) and a valid Luhn check digit. Written by hand rather than
 * as a regex so that a card next to other numbers ("2024 4111 1111 1111 1111") is still found: every
 * run of digit groups is tried at group boundaries, longest candidate first.
 */
final class PaymentCardReference implements Detector {

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
    int n = text.length();
    List<int[]> groups = new ArrayList<>(8);
    int i = 0;
    while (i < n) {
      if (!isDigit(text.charAt(i))) {
        i++;
        continue;
      }
      groups.clear();
      int j = i;
      while (true) {
        int gs = j;
        while (j < n && isDigit(text.charAt(j))) {
          j++;
        }
        groups.add(new int[] {gs, j});
        if (groups.size() < MAX_GROUPS
            && j + 1 < n
            && (text.charAt(j) == ' ' || text.charAt(j) == '-')
            && isDigit(text.charAt(j + 1))) {
          j++;
          continue;
        }
        break;
      }
      findInRun(text, groups, out);
      i = j;
    }
  }

  private static void findInRun(String text, List<int[]> groups, List<Finding> out) {
    int first = 0;
    while (first < groups.size()) {
      int best = -1;
      int digits = 0;
      for (int last = first; last < groups.size(); last++) {
        digits += groups.get(last)[1] - groups.get(last)[0];
        if (digits > 19) {
          break;
        }
        if (digits >= 13) {
          int start = groups.get(first)[0];
          int end = groups.get(last)[1];
          if (networkPrefix(text, start) && Checksums.luhn(text.subSequence(start, end))) {
            best = last;
          }
        }
      }
      if (best >= 0) {
        out.add(new Finding(NAME, groups.get(first)[0], groups.get(best)[1]));
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
