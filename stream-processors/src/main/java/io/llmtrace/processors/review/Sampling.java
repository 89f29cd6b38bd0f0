package io.llmtrace.processors.review;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Deterministic sampling: a trace is kept for a reason when a hash of its id and the reason, read as a number
 * in [0, 1), is below the reason's rate. The same trace and reason always decide the same — on every version
 * of the trace, on another partition, after a restart or on a replay — and the reasons of one trace are
 * sampled independently of each other. SHA-256 because trace ids are not random enough in tests and some
 * producers (counters, UUIDv7 prefixes) for a cheap hash to spread them.
 */
final class Sampling {

  private static final double TWO_TO_53 = 0x1p53;

  private Sampling() {}

  static boolean keeps(String traceId, ReviewReason reason, double rate) {
    if (rate >= 1) {
      return true;
    }
    return rate > 0 && point(traceId, reason) < rate;
  }

  /** The trace's point in [0, 1) for the reason. */
  static double point(String traceId, ReviewReason reason) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    sha.update(traceId.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) '/');
    byte[] digest = sha.digest(reason.key().getBytes(StandardCharsets.UTF_8));
    return (ByteBuffer.wrap(digest).getLong() >>> 11) / TWO_TO_53;
  }
}
