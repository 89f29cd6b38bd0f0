package io.llmtrace.processors.enrich;

import io.llmtrace.schemas.avro.Cost;
import io.llmtrace.schemas.avro.CostSource;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.ModelInfo;
import io.llmtrace.schemas.avro.TokenUsage;
import java.util.Optional;

/**
 * Normalizes the model's provider and name and fills in the cost a span did not report, from the
 * versioned {@link PriceTable}. A cost the span carries is kept and marked {@code REPORTED}. Token
 * accounting follows the OpenTelemetry GenAI convention: {@code input_tokens} includes cache reads
 * and cache writes, {@code output_tokens} includes reasoning tokens; so the uncached input is billed
 * at the input price, cache reads and writes at theirs, all output at the output price. A span that
 * used tokens of a model the table does not price gets amount 0 with source {@code UNKNOWN}, so that
 * "how much is unpriced" stays queryable; spans without token usage get no cost.
 */
public final class CostEnricher {

  private final PriceTable prices;

  public CostEnricher(PriceTable prices) {
    this.prices = prices;
  }

  /** Enriches in place. */
  public void enrich(LlmSpan span) {
    ModelInfo model = span.getModel();
    if (model != null) {
      model.setProvider(ModelNames.provider(model.getProvider()));
      model.setName(ModelNames.model(model.getName()));
    }
    Cost reported = span.getCost();
    if (reported != null) {
      reported.setSource(CostSource.REPORTED);
      return;
    }
    TokenUsage usage = span.getUsage();
    if (usage == null || (usage.getInputTokens() == null && usage.getOutputTokens() == null)) {
      return;
    }
    Optional<PriceTable.Price> price = model == null ? Optional.empty()
        : prices.find(model.getProvider(), model.getName(), span.getStartTime());
    Cost.Builder cost = Cost.newBuilder().setPriceTableVersion(prices.version()).setCurrency(prices.currency());
    if (price.isEmpty()) {
      span.setCost(cost.setAmount(0).setSource(CostSource.UNKNOWN).build());
      return;
    }
    span.setCost(cost.setAmount(amount(usage, price.get())).setSource(CostSource.COMPUTED).build());
  }

  static double amount(TokenUsage usage, PriceTable.Price price) {
    long input = orZero(usage.getInputTokens());
    long cacheRead = orZero(usage.getCacheReadTokens());
    long cacheWrite = orZero(usage.getCacheWriteTokens());
    long uncached = Math.max(0, input - cacheRead - cacheWrite);
    double perMillion = uncached * price.input() + cacheRead * price.cacheRead() + cacheWrite * price.cacheWrite()
        + orZero(usage.getOutputTokens()) * price.output();
    return perMillion / 1_000_000d;
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }
}
