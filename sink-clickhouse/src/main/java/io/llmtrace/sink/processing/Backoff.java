package io.llmtrace.sink.processing;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: attempt n waits between half and all of {@code min(max, initial·2ⁿ)},
 * so sink instances that failed together do not retry together.
 */
public record Backoff(Duration initial, Duration max) {

  public Duration delay(int attempt) {
    long ceiling = initial.toMillis() << Math.min(attempt, 20);
    long capped = Math.min(max.toMillis(), ceiling <= 0 ? max.toMillis() : ceiling);
    return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
  }
}
