package io.llmtrace.gateway.intake;

import java.time.Duration;

/**
 * Bounds applied to every span, whichever protocol it came in: how long a text field may be before it
 * is truncated (with a marker, not rejected), how many spans one request may carry, and which
 * timestamps are plausible.
 *
 * @param maxTextChars   prompt, output, document and other free-text fields are cut to this many chars
 * @param maxSpansPerRequest a request with more spans is refused as a whole (HTTP 400)
 * @param maxFuture      a span may start at most this far after the gateway's clock (clock skew)
 * @param maxAge         and at most this far before it
 * @param maxDuration    end - start may not exceed this
 */
public record IntakeLimits(int maxTextChars, int maxSpansPerRequest, Duration maxFuture, Duration maxAge, Duration maxDuration) {

  public static final int DEFAULT_MAX_TEXT_CHARS = 32 * 1024;
  public static final int DEFAULT_MAX_SPANS_PER_REQUEST = 1000;
  public static final Duration DEFAULT_MAX_FUTURE = Duration.ofHours(1);
  public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(30);
  public static final Duration DEFAULT_MAX_DURATION = Duration.ofDays(1);

  public static IntakeLimits defaults() {
    return new IntakeLimits(DEFAULT_MAX_TEXT_CHARS, DEFAULT_MAX_SPANS_PER_REQUEST, DEFAULT_MAX_FUTURE, DEFAULT_MAX_AGE, DEFAULT_MAX_DURATION);
  }

  public IntakeLimits {
    if (maxTextChars < 64) {
      throw new IllegalArgumentException("maxTextChars must be at least 64, got " + maxTextChars);
    }
    if (maxSpansPerRequest < 1) {
      throw new IllegalArgumentException("maxSpansPerRequest must be positive, got " + maxSpansPerRequest);
    }
    if (maxFuture.isNegative() || maxAge.isNegative() || maxDuration.isNegative() || maxDuration.isZero()) {
      throw new IllegalArgumentException("time bounds must be positive");
    }
  }
}
