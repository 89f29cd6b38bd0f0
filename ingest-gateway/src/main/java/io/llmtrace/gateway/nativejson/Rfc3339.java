package io.llmtrace.gateway.nativejson;

import java.time.LocalDate;

/**
 * A strict, allocation-free parser for RFC 3339 date-times ({@code 2026-06-04T14:12:00.123456Z},
 * {@code 2026-06-04t16:12:00+02:00}) to microseconds since the epoch. Hand-written because
 * {@code Instant.parse} costs about a microsecond and throws on bad input, and every span carries at
 * least two timestamps. Fractions beyond microseconds are truncated (the canonical model has
 * microsecond precision); a leap second {@code :60} reads as {@code :59}, as {@code java.time} does.
 */
final class Rfc3339 {

  /** Returned for text that is not an RFC 3339 date-time; no 4-digit year maps to it. */
  static final long INVALID = Long.MIN_VALUE;

  private Rfc3339() {}

  static long toEpochMicros(String text) {
    int n = text.length();
    // Shortest form: 2026-06-04T14:12:00Z (20 chars).
    if (n < 20 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(13) != ':' || text.charAt(16) != ':') {
      return INVALID;
    }
    char separator = text.charAt(10);
    if (separator != 'T' && separator != 't' && separator != ' ') {
      return INVALID;
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 2);
    int day = digits(text, 8, 2);
    int hour = digits(text, 11, 2);
    int minute = digits(text, 14, 2);
    int second = digits(text, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)
        || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
      return INVALID;
    }
    int i = 19;
    long micros = 0;
    if (text.charAt(i) == '.') {
      int start = ++i;
      while (i < n && isDigit(text.charAt(i))) {
        if (i - start < 6) {
          micros = micros * 10 + (text.charAt(i) - '0');
        }
        i++;
      }
      int fractionDigits = i - start;
      if (fractionDigits == 0) {
        return INVALID;
      }
      for (int k = fractionDigits; k < 6; k++) {
        micros *= 10;
      }
    }
    int offsetSeconds = offsetSeconds(text, i);
    if (offsetSeconds == Integer.MIN_VALUE) {
      return INVALID;
    }
    long epochSecond = LocalDate.of(year, month, day).toEpochDay() * 86_400L
        + hour * 3_600L + minute * 60L + Math.min(second, 59) - offsetSeconds;
    return epochSecond * 1_000_000L + micros;
  }

  /** {@code Z}, {@code z} or {@code ±HH:MM} ending the text at {@code i}; MIN_VALUE if neither. */
  private static int offsetSeconds(String text, int i) {
    int n = text.length();
    if (i == n - 1 && (text.charAt(i) == 'Z' || text.charAt(i) == 'z')) {
      return 0;
    }
    if (i != n - 6 || text.charAt(i + 3) != ':') {
      return Integer.MIN_VALUE;
    }
    char sign = text.charAt(i);
    int hours = digits(text, i + 1, 2);
    int minutes = digits(text, i + 4, 2);
    if ((sign != '+' && sign != '-') || hours < 0 || hours > 23 || minutes < 0 || minutes > 59) {
      return Integer.MIN_VALUE;
    }
    int seconds = hours * 3_600 + minutes * 60;
    return sign == '-' ? -seconds : seconds;
  }

  /** The decimal value of {@code count} digits at {@code from}, or -1 if any is not a digit. */
  private static int digits(String text, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = text.charAt(i);
      if (!isDigit(c)) {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static int daysIn(int year, int month) {
    return switch (month) {
      case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }
}
