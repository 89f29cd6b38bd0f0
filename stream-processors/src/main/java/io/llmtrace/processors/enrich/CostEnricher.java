package io.llmtrace.processors.enrich;

import io.llmtrace.schemas.avro.Cost;
import io.llmtrace.schemas.avro.CostSource;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.ModelInfo;
import io.llmtrace.schemas.avro.TokenUsage;
import java.util.Optional;

/**
 * Normalizes the model's provider and name and fills in the cost a span did not report, from the
 * {@link PriceTables}: contract prices first, then the bundled genai-prices data; the cost names the table
 * and version that priced it. A cost the span carries is kept and marked {@code REPORTED}. Token
 * accounting follows the OpenTelemetry GenAI convention ({@link TokenCounts}). A span that used tokens of
 * a model no table prices gets amount {@code null} with source {@code UNKNOWN} (never 0, which would read
 * as free) and the tables searched as its version, so that "how much is unpriced, by which tables" stays
 * queryable; spans without token usage get no cost.
 */
public final class CostEnricher {

  private final PriceTables prices;

  public CostEnricher(PriceTables prices) {
    this.prices = prices;
  }

  /** Contract prices from {@code overrides}, then the bundled genai-prices data. */
  public CostEnricher(PriceTable overrides) {
    this(PriceTables.of(overrides));
  }

  /** Enriches in place. */
  public void enrich(LlmSpan span) {
    ModelInfo model = span.getModel();
    if (model != null) {
      model.setProvider(ModelNames.provider(model.getProvider()));
      model.setName(ModelNames.model(model.getProvider(), model.getName()));
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
    Optional<PriceTables.Quote> quote = model == null ? Optional.empty()
        : prices.quote(model.getProvider(), model.getName(), span.getStartTime(), TokenCounts.of(usage));
    span.setCost(quote
        .map(q -> Cost.newBuilder().setAmount(q.amount()).setCurrency(q.currency()).setSource(CostSource.COMPUTED)
            .setPriceTableVersion(q.table()).build())
        .orElseGet(() -> Cost.newBuilder().setAmount(null).setSource(CostSource.UNKNOWN).setPriceTableVersion(prices.searched()).build()));
  }
}
