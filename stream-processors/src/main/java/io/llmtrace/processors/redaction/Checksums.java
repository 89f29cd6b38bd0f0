package io.llmtrace.processors.redaction;

/** Check digits that separate real identifiers from look-alike numbers. */
public final class Checksums {

  private Checksums() {}

  /** Luhn (mod 10) over the ASCII digits of {@code s}; other characters are ignored. */
  public static boolean luhn(CharSequence s) {
    int sum = 0;
    boolean dbl = false;
    for (int i = s.length() - 1; i >= 0; i--) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        continue;
      }
      int d = c - '0';
      if (dbl) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      dbl = !dbl;
    }
    return sum % 10 == 0;
  }

  /** ISO 13616 mod-97 check of an IBAN; spaces are ignored, letters must be upper case. */
  public static boolean iban(CharSequence s) {
    StringBuilder compact = new StringBuilder(34);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != ' ') {
        compact.append(c);
      }
    }
    int n = compact.length();
    if (n < 15 || n > 34) {
      return false;
    }
    int rem = 0;
    for (int k = 0; k < n; k++) {
      char c = compact.charAt((k + 4) % n);
      if (c >= '0' && c <= '9') {
        rem = (rem * 10 + (c - '0')) % 97;
      } else if (c >= 'A' && c <= 'Z') {
        rem = (rem * 100 + (c - 'A' + 10)) % 97;
      } else {
        return false;
      }
    }
    return rem == 1;
  }
}
