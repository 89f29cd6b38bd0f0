package io.llmtrace.processors.enrich;

import io.llmtrace.schemas.avro.TokenUsage;

/**
 * A span's token counts, missing ones as 0, in the OpenTelemetry GenAI convention that genai-prices
 * shares: {@code input} includes cache reads and cache writes, {@code output} includes reasoning.
 */
public record TokenCounts(long input, long cacheRead, long cacheWrite, long output, long reasoning) {

  public TokenCounts {
    if (input < 0 || cacheRead < 0 || cacheWrite < 0 || output < 0 || reasoning < 0) {
      throw new IllegalArgumentException("token counts must be >= 0: " + input + ", " + cacheRead + ", " + cacheWrite + ", "
          + output + ", " + reasoning);
    }
  }

  /** Negative counts (a broken client) are read as 0 rather than refusing the span. */
  public static TokenCounts of(TokenUsage usage) {
    return new TokenCounts(count(usage.getInputTokens()), count(usage.getCacheReadTokens()), count(usage.getCacheWriteTokens()),
        count(usage.getOutputTokens()), count(usage.getReasoningTokens()));
  }

  /** Input tokens billed at the plain input price: neither read from nor written to the cache. */
  public long uncachedInput() {
    return Math.max(0, input - cacheRead - cacheWrite);
  }

  /** The count under a genai-prices usage key; 0 for the units a span does not carry (audio, images, searches). */
  long byUsageKey(String usageKey) {
    return switch (usageKey) {
      case "input_tokens" -> input;
      case "cache_read_tokens" -> cacheRead;
      case "cache_write_tokens" -> cacheWrite;
      case "output_tokens" -> output;
      case "output_reasoning_tokens" -> reasoning;
      default -> 0;
    };
  }

  private static long count(Long value) {
    return value == null ? 0 : Math.max(0, value);
  }
}
