package io.llmtrace.sink.processing;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Predicate;

/**
 * Waiting out a retriable failure: when to try again (exponential {@link Backoff} over the attempts of
 * this stall), and the batches to send again, in the order they were first sent (none if decoding
 * failed). A batch whose partition was revoked meanwhile is not sent: its new owner rebuilds it from the
 * pending range committed for it, or reads it again.
 */
final class Stall {

  /** A batch to send again; {@code pendingCommitted}: its pending range is in Kafka, only the insert failed. */
  record Retry(PartitionState owner, PartitionBatch batch, boolean pendingCommitted) {}

  private final Backoff backoff;
  private final ArrayDeque<Retry> retries = new ArrayDeque<>();
  private int attempts;
  private long retryAtNanos;

  Stall(Backoff backoff, long nowNanos) {
    this.backoff = backoff;
    failedAgain(nowNanos);
  }

  /** The next attempt waits longer. */
  void failedAgain(long nowNanos) {
    retryAtNanos = nowNanos + backoff.delay(attempts++).toNanos();
  }

  /** Nanoseconds left before the next attempt; zero when it is due. */
  long waitNanos(long nowNanos) {
    return Math.max(0, retryAtNanos - nowNanos);
  }

  int attempts() {
    return attempts;
  }

  void resend(Retry retry) {
    retries.add(retry);
  }

  /**
   * The batch to send next, or null when all are sent. Batches whose owner is no longer {@code owned}
   * (revoked) are dropped from the list on the way.
   */
  Retry next(Predicate<PartitionState> owned) {
    while (!retries.isEmpty() && !owned.test(retries.peek().owner())) {
      retries.poll();
    }
    return retries.peek();
  }

  /** The batch {@link #next} returned is written (or dropped): on to the one after it. */
  void sent() {
    retries.poll();
  }

  /** The batch {@link #next} returned has its pending range recorded now, but its insert failed again. */
  void insertFailed(long nowNanos) {
    Retry head = retries.poll();
    retries.addFirst(new Retry(head.owner(), head.batch(), true));
    failedAgain(nowNanos);
  }

  List<Retry> retries() {
    return List.copyOf(retries);
  }

  long bufferedBytes() {
    long total = 0;
    for (Retry retry : retries) {
      total += retry.batch().bufferedBytes();
    }
    return total;
  }
}
