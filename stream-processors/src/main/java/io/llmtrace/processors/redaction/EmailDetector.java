package io.llmtrace.processors.redaction;

import java.util.List;

/**
 * E-mail addresses: a hand-written form of the regex {@value #REGEX}. Labels and the local part
 * cannot contain the character that must follow them ('@', '.'), so each is a whole run and only the
 * number of labels before the top-level domain is open: the regex tries the most labels first and
 * backs off one at a time, and so does the scanner. {@code ScannerReferencesTest} compares both on
 * the corpus and random text.
 */
final class EmailDetector implements Detector {

  static final String NAME = "email";
  static final String REGEX = "(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@"
      + "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])";

  private static final int MAX_LABELS = 8;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void scan(String text, TextProfile profile, List<Finding> out) {
    if (!profile.at()) {
      return;
    }
    int from = 0;
    for (int at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
      int start = at;
      while (start > 0 && local(text.charAt(start - 1))) {
        start--;
      }
      // a match needs the whole local run (the look-behind), so a longer run cannot match later either
      if (start < from || start == at || at - start > 64) {
        continue;
      }
      int end = domainEnd(text, at + 1);
      if (end > 0) {
        out.add(new Finding(NAME, start, end));
        from = end;
      }
    }
  }

  /** End of the longest "label.label.tld" from {@code p} the regex accepts, or -1. */
  private static int domainEnd(String text, int p) {
    int[] labelEnds = new int[MAX_LABELS];
    int labels = 0;
    int n = text.length();
    while (labels < MAX_LABELS) {
      int q = p;
      while (q < n && hostChar(text.charAt(q))) {
        q++;
      }
      if (q == p || q == n || text.charAt(q) != '.' || q - p > 63
          || !Starts.alnum(text.charAt(p)) || !Starts.alnum(text.charAt(q - 1))) {
        break;
      }
      p = q + 1;
      labelEnds[labels++] = p;
    }
    for (int k = labels - 1; k >= 0; k--) {
      int t = labelEnds[k];
      int e = t;
      while (e < n && letter(text.charAt(e))) {
        e++;
      }
      if (e - t >= 2 && e - t <= 24 && (e == n || !hostChar(text.charAt(e)))) {
        return e;
      }
    }
    return -1;
  }

  static boolean local(char c) {
    return Starts.alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
  }

  private static boolean hostChar(char c) {
    return Starts.alnum(c) || c == '-';
  }

  private static boolean letter(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
  }
}
