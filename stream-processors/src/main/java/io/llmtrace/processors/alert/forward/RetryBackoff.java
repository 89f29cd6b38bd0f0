package io.llmtrace.processors.alert.forward;

import java.time.Duration;
import java.time.Instant;

/**
 * Exponential backoff between attempts while no Alertmanager answers: {@code initial}, doubling, at most
 * {@code max}; back to {@code initial} after a success. The loop keeps polling (paused) while it waits, so the
 * consumer stays in its group however long the outage lasts.
 */
final class RetryBackoff {

  private final Duration initial;
  private final Duration max;
  private int failures;
  private Instant until = Instant.MIN;

  RetryBackoff(Duration initial, Duration max) {
    if (initial.isZero() || initial.isNegative() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
    }
    this.initial = initial;
    this.max = max;
  }

  /** Records a failure at {@code now}; returns how long to wait before the next attempt. */
  Duration failed(Instant now) {
    Duration wait = initial;
    for (int i = 0; i < failures && wait.compareTo(max) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    wait = wait.compareTo(max) > 0 ? max : wait;
    failures++;
    until = now.plus(wait);
    return wait;
  }

  void succeeded() {
    failures = 0;
    until = Instant.MIN;
  }

  boolean waiting(Instant now) {
    return now.isBefore(until);
  }

  int failures() {
    return failures;
  }
}
