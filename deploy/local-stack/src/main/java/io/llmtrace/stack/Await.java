package io.llmtrace.stack;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition with a deadline; the one way the stack (and its tests) wait for anything. */
public final class Await {

  private static final long POLL_MILLIS = 100;

  private Await() {}

  /**
   * Returns once {@code condition} holds; throws {@link IllegalStateException} with {@code what} when
   * {@code timeout} passes first. Exceptions thrown by the condition count as "not yet".
   */
  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        IllegalStateException timedOut = new IllegalStateException("timed out after " + timeout + " waiting for " + what);
        if (last != null) {
          timedOut.addSuppressed(last);
        }
        throw timedOut;
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }
  }
}
