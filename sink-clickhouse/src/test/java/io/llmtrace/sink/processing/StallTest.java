package io.llmtrace.sink.processing;

import static io.llmtrace.sink.processing.TestBatches.P0;
import static io.llmtrace.sink.processing.TestBatches.P1;
import static io.llmtrace.sink.processing.TestBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.llmtrace.sink.processing.Stall.Retry;
import java.time.Duration;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class StallTest {

  private static final long MILLI = 1_000_000L;
  private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));

  private static Retry retry(TopicPartition partition, long first, boolean pendingCommitted) {
    PartitionBatch batch = batch(partition, first, first + 4, 0);
    return new Retry(new PartitionState(new PartitionBatch(partition, 64), PartitionMode.NORMAL), batch, pendingCommitted);
  }

  @Test
  void eachFailedAttemptWaitsLongerFromTheMomentItFailed() {
    Stall stall = new Stall(BACKOFF, 0);
    assertThat(stall.waitNanos(0)).isBetween(50 * MILLI, 100 * MILLI);

    stall.failedAgain(1_000 * MILLI);
    assertThat(stall.waitNanos(1_000 * MILLI)).isBetween(100 * MILLI, 200 * MILLI);
    stall.failedAgain(1_000 * MILLI);
    assertThat(stall.waitNanos(1_000 * MILLI)).isBetween(200 * MILLI, 400 * MILLI);

    assertThat(stall.attempts()).isEqualTo(3);
    assertThat(stall.waitNanos(2_000 * MILLI)).isZero();
  }

  @Test
  void batchesAreSentAgainInTheirOrderSkippingThoseOfRevokedPartitions() {
    Stall stall = new Stall(BACKOFF, 0);
    Retry first = retry(P0, 0, true);
    Retry revoked = retry(P1, 0, true);
    Retry last = retry(P0, 5, false);
    stall.resend(first);
    stall.resend(revoked);
    stall.resend(last);
    assertThat(stall.bufferedBytes()).isEqualTo(15 * TestBatches.ROW_BYTES);

    assertThat(stall.next(owner -> owner != revoked.owner())).isSameAs(first);
    stall.sent();
    assertThat(stall.next(owner -> owner != revoked.owner())).isSameAs(last);
    assertThat(stall.retries()).containsExactly(last);
    stall.sent();
    assertThat(stall.next(owner -> true)).isNull();
  }

  @Test
  void aBatchWhoseInsertFailsAgainIsResentFirstWithItsPendingRangeRecorded() {
    Stall stall = new Stall(BACKOFF, 0);
    Retry commitFailed = retry(P0, 0, false);
    Retry behind = retry(P1, 0, true);
    stall.resend(commitFailed);
    stall.resend(behind);

    assertThat(stall.next(owner -> true)).isSameAs(commitFailed);
    stall.insertFailed(0);

    Retry again = stall.next(owner -> true);
    assertThat(again.batch()).isSameAs(commitFailed.batch());
    assertThat(again.owner()).isSameAs(commitFailed.owner());
    assertThat(again.pendingCommitted()).isTrue();
    assertThat(stall.retries()).hasSize(2).endsWith(behind);
    assertThat(stall.attempts()).isEqualTo(2);
  }
}
