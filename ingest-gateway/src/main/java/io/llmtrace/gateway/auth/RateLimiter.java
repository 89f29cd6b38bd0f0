package io.llmtrace.gateway.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-key token buckets counted in spans: each key refills at its rate and may burst up to one
 * second's worth. A request either takes all its spans' tokens or none, and when refused learns how
 * long to wait (the Retry-After of a 429).
 */
public final class RateLimiter {

  /** The outcome for one request: allowed, or refused with a Retry-After in whole seconds. */
  public record Decision(boolean allowed, long retryAfterSeconds) {
    static final Decision ALLOWED = new Decision(true, 0);
  }

  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final LongSupplier nanoClock;

  public RateLimiter(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  public Decision tryAcquire(String keyId, int spansPerSecond, int spans) {
    if (spansPerSecond <= 0) {
      return Decision.ALLOWED;
    }
    Bucket bucket = buckets.computeIfAbsent(keyId, id -> new Bucket(spansPerSecond, nanoClock.getAsLong()));
    return bucket.take(spansPerSecond, spans, nanoClock.getAsLong());
  }

  private static final class Bucket {
    private double tokens;
    private long lastNanos;

    Bucket(int rate, long now) {
      this.tokens = rate;
      this.lastNanos = now;
    }

    synchronized Decision take(int rate, int spans, long now) {
      tokens = Math.min(rate, tokens + (now - lastNanos) / 1e9 * rate);
      lastNanos = now;
      // A request larger than the burst is let through on a full bucket and leaves a debt, so that a
      // big batch is slowed down, never refused forever.
      double needed = Math.min(spans, rate);
      if (tokens >= needed) {
        tokens -= spans;
        return Decision.ALLOWED;
      }
      return new Decision(false, Math.max(1, (long) Math.ceil((needed - tokens) / rate)));
    }
  }
}
