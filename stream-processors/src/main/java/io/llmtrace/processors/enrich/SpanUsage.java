package io.llmtrace.processors.enrich;

import io.llmtrace.schemas.avro.Cost;
import io.llmtrace.schemas.avro.CostSource;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.TokenUsage;

/**
 * A span's tokens and cost as the stages that sum them read it: missing or negative counts are 0; total
 * tokens are input + output where the span reports no total; a cost is known only with a finite amount and
 * a source other than UNKNOWN, and a span that used tokens (or carries a cost record) without one counts as
 * unknown cost — so "how much is unpriced" stays visible instead of summing as 0.
 *
 * @param cost the known cost, or null
 */
public record SpanUsage(long input, long output, long cacheRead, long cacheWrite, long reasoning, long total, Double cost,
    boolean unknownCost) {

  public static SpanUsage of(LlmSpan span) {
    TokenUsage usage = span.getUsage();
    long input = 0;
    long output = 0;
    long cacheRead = 0;
    long cacheWrite = 0;
    long reasoning = 0;
    long total = 0;
    if (usage != null) {
      input = orZero(usage.getInputTokens());
      output = orZero(usage.getOutputTokens());
      cacheRead = orZero(usage.getCacheReadTokens());
      cacheWrite = orZero(usage.getCacheWriteTokens());
      reasoning = orZero(usage.getReasoningTokens());
      total = usage.getTotalTokens() != null ? orZero(usage.getTotalTokens()) : input + output;
    }
    Cost cost = span.getCost();
    boolean known = cost != null && cost.getAmount() != null && Double.isFinite(cost.getAmount()) && cost.getSource() != CostSource.UNKNOWN;
    boolean unknown = !known && (input > 0 || output > 0 || cost != null);
    return new SpanUsage(input, output, cacheRead, cacheWrite, reasoning, total, known ? cost.getAmount() : null, unknown);
  }

  private static long orZero(Long value) {
    return value == null || value < 0 ? 0 : value;
  }
}
