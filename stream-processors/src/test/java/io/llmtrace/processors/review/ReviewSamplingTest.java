package io.llmtrace.processors.review;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.schemas.testing.TestSpans;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Deterministic sampling by trace and reason. */
class ReviewSamplingTest {

  private static final int TRACES = 10_000;

  @Test
  void ratesZeroAndOneAreExact() {
    for (int n = 0; n < 1_000; n++) {
      assertThat(Sampling.keeps(TestSpans.traceId(n), ReviewReason.FAILED_EVALUATION, 1.0)).isTrue();
      assertThat(Sampling.keeps(TestSpans.traceId(n), ReviewReason.FAILED_EVALUATION, 0.0)).isFalse();
    }
  }

  @Test
  void aQuarterKeepsAboutAQuarterOfSequentialTraceIds() {
    // sequential ids: the shape of counters and of time-ordered ids, which a weak hash would not spread
    long kept = IntStream.range(0, TRACES).filter(n -> Sampling.keeps(TestSpans.traceId(n), ReviewReason.NEGATIVE_FEEDBACK, 0.25)).count();
    // 2,500 ± 43 (one standard deviation); ±3.5 of them
    assertThat(kept).isBetween(2_350L, 2_650L);
  }

  @Test
  void theSameTraceAndReasonAlwaysDecideTheSame() {
    for (int n = 0; n < 1_000; n++) {
      String id = TestSpans.traceId(n);
      assertThat(Sampling.point(id, ReviewReason.TOOL_CALL_LIMIT)).isEqualTo(Sampling.point(id, ReviewReason.TOOL_CALL_LIMIT))
          .isBetween(0.0, 1.0).isLessThan(1.0);
    }
  }

  @Test
  void theReasonsOfATraceAreSampledIndependently() {
    long both = IntStream.range(0, TRACES).filter(n -> Sampling.keeps(TestSpans.traceId(n), ReviewReason.FAILED_EVALUATION, 0.5)
        && Sampling.keeps(TestSpans.traceId(n), ReviewReason.LOW_JUDGE_CONFIDENCE, 0.5)).count();
    // independent halves: a quarter of the traces are kept for both (2,500 ± 43); the same hash would keep half
    assertThat(both).isBetween(2_350L, 2_650L);
  }
}
