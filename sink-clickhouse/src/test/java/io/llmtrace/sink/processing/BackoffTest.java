package io.llmtrace.sink.processing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void doublesFromTheInitialDelayUpToTheMaximumWithJitterInTheUpperHalf() {
    Backoff backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30));
    for (int round = 0; round < 200; round++) {
      assertThat(backoff.delay(0).toMillis()).isBetween(100L, 200L);
      assertThat(backoff.delay(3).toMillis()).isBetween(800L, 1_600L);
      assertThat(backoff.delay(10).toMillis()).isBetween(15_000L, 30_000L);
      assertThat(backoff.delay(1_000).toMillis()).isBetween(15_000L, 30_000L);
    }
  }
}
