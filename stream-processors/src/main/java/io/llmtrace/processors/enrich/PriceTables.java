package io.llmtrace.processors.enrich;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Where a span's cost comes from, in order: the contract-price override table (first match wins), then
 * the genai-prices data bundled into the jar. The quote names the table and version that priced it, e.g.
 * {@code model-prices.yaml@prices-2026-11-01} or {@code genai-prices@0.1.8}, so a cost can be traced to
 * the prices it used, and re-priced when a table changes.
 */
public final class PriceTables {

  /** An amount, its currency, and the table that priced it ({@code table} is what the span's cost names). */
  public record Quote(double amount, String currency, String table, String matched) {}

  private final PriceTable overrides;
  private final GenAiPrices bundled;

  PriceTables(PriceTable overrides, GenAiPrices bundled) {
    this.overrides = overrides;
    this.bundled = bundled;
  }

  /** The override file (e.g. {@code deploy/config/model-prices.yaml}), then the bundled genai-prices data. */
  public static PriceTables load(Path overrideFile) {
    return of(PriceTable.load(overrideFile));
  }

  public static PriceTables of(PriceTable overrides) {
    return new PriceTables(overrides, GenAiPrices.bundled());
  }

  /** The bundled genai-prices data alone, for a deployment without contract prices. */
  public static PriceTables bundledOnly() {
    return new PriceTables(null, GenAiPrices.bundled());
  }

  /**
   * The cost of a span's tokens, or empty when no table prices the model. {@code provider} and
   * {@code model} are the span's normalized names ({@link ModelNames}); {@code at} is the span's start,
   * which picks prices by effective window, start date and time of day.
   */
  public Optional<Quote> quote(String provider, String model, Instant at, TokenCounts usage) {
    if (overrides != null) {
      Optional<PriceTable.Price> contract = overrides.find(provider, model, at);
      if (contract.isPresent()) {
        PriceTable.Price price = contract.get();
        return Optional.of(new Quote(price.cost(usage), overrides.currency(), overrides.label(), price.provider() + "/" + price.modelGlob()));
      }
    }
    return bundled.price(provider, model, at, usage)
        .map(p -> new Quote(p.amount(), "USD", bundled.label(), p.providerId() + "/" + p.modelId()));
  }

  /** The tables searched, e.g. {@code model-prices.yaml@prices-2026-11-01+genai-prices@0.1.8}: what an unknown cost names. */
  public String searched() {
    return overrides == null ? bundled.label() : overrides.label() + "+" + bundled.label();
  }

  public GenAiPrices bundled() {
    return bundled;
  }
}
