package io.llmtrace.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

  private final AtomicLong nanos = new AtomicLong();
  private final RateLimiter limiter = new RateLimiter(nanos::get);

  @Test
  void allowsABurstOfOneSecondThenRefusesWithRetryAfter() {
    assertThat(limiter.tryAcquire("k", 100, 60).allowed()).isTrue();
    assertThat(limiter.tryAcquire("k", 100, 40).allowed()).isTrue();
    RateLimiter.Decision refused = limiter.tryAcquire("k", 100, 50);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);

    nanos.addAndGet(500_000_000L); // half a second refills 50 spans
    assertThat(limiter.tryAcquire("k", 100, 50).allowed()).isTrue();
    assertThat(limiter.tryAcquire("k", 100, 1).allowed()).isFalse();
  }

  @Test
  void keysHaveSeparateBucketsAndZeroMeansUnlimited() {
    assertThat(limiter.tryAcquire("a", 10, 10).allowed()).isTrue();
    assertThat(limiter.tryAcquire("a", 10, 1).allowed()).isFalse();
    assertThat(limiter.tryAcquire("b", 10, 10).allowed()).isTrue();
    assertThat(limiter.tryAcquire("c", 0, 1_000_000).allowed()).isTrue();
  }

  @Test
  void aBatchLargerThanTheBurstPassesOnAFullBucketAndLeavesADebt() {
    assertThat(limiter.tryAcquire("k", 100, 300).allowed()).isTrue();
    RateLimiter.Decision next = limiter.tryAcquire("k", 100, 100);
    assertThat(next.allowed()).isFalse();
    assertThat(next.retryAfterSeconds()).isEqualTo(3); // 200 in debt + 100 needed, at 100/s
    nanos.addAndGet(3_000_000_000L);
    assertThat(limiter.tryAcquire("k", 100, 100).allowed()).isTrue();
  }
}
