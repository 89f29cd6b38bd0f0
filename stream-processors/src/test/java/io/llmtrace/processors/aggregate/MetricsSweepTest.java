package io.llmtrace.processors.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How many entries one punctuation's sweep visits: the store walked once per walk, within bounds. */
class MetricsSweepTest {

  private static final Duration SECOND = Duration.ofSeconds(1);

  @Test
  void aSliceWalksTheStoreOncePerWalkOfPunctuations() {
    assertThat(MetricsProcessor.sweepBatch(1_800_000, Duration.ofHours(1), SECOND)).isEqualTo(501);
    assertThat(MetricsProcessor.sweepBatch(90_000, Duration.ofMinutes(3), SECOND)).isEqualTo(501);
  }

  @Test
  void aSmallStoreIsVisitedAtLeastTheMinimumAndAHugeOneAtMostTheMaximum() {
    assertThat(MetricsProcessor.sweepBatch(0, Duration.ofHours(1), SECOND)).isEqualTo(MetricsProcessor.SWEEP_MIN);
    assertThat(MetricsProcessor.sweepBatch(400_000, Duration.ofHours(1), SECOND)).isEqualTo(MetricsProcessor.SWEEP_MIN);
    assertThat(MetricsProcessor.sweepBatch(1_000_000_000, Duration.ofHours(1), SECOND)).isEqualTo(MetricsProcessor.SWEEP_BATCH);
  }

  @Test
  void aWalkShorterThanOnePunctuationVisitsAsManyAsAllowed() {
    assertThat(MetricsProcessor.sweepBatch(3_000, Duration.ZERO, SECOND)).isEqualTo(3_001);
  }
}
