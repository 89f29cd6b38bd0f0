package io.llmtrace.processors.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PriceTablesTest {

  private static final Instant AT = Instant.parse("2026-11-15T12:00:00Z");
  private static final TokenCounts USAGE = new TokenCounts(1000, 0, 0, 100, 0);

  private final PriceTables tables = PriceTables.load(Path.of("..", "deploy", "config", "model-prices.yaml"));

  @Test
  void quotesNameTheTableAndTheEntryThatMatched() {
    PriceTables.Quote contract = tables.quote("openai", "gpt-4o-2024-08-06", AT, USAGE).orElseThrow();
    assertThat(contract.table()).isEqualTo("model-prices.yaml@prices-2026-11-01");
    assertThat(contract.matched()).isEqualTo("openai/gpt-4o*");

    PriceTables.Quote listPrice = tables.quote("anthropic", "claude-opus-4-1-20250805", AT, USAGE).orElseThrow();
    assertThat(listPrice.table()).isEqualTo("genai-prices@0.1.8");
    assertThat(listPrice.currency()).isEqualTo("USD");
    assertThat(listPrice.matched()).isEqualTo("anthropic/claude-opus-4-1");
  }

  @Test
  void theBundledTableAloneSearchesOnlyItself() {
    PriceTables bundled = PriceTables.bundledOnly();
    assertThat(bundled.searched()).isEqualTo("genai-prices@0.1.8");
    assertThat(tables.searched()).isEqualTo("model-prices.yaml@prices-2026-11-01+genai-prices@0.1.8");
    assertThat(bundled.quote("openai", "gpt-4o", AT, USAGE).orElseThrow().matched()).isEqualTo("openai/gpt-4o");
    assertThat(bundled.quote("self_hosted", "gpt-4o", AT, USAGE)).isEmpty();
  }
}
