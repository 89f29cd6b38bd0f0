package io.llmtrace.processors.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PriceTableTest {

  private static final Instant NOW = Instant.parse("2026-11-15T00:00:00Z");

  @Test
  void theShippedTableParsesAndNamesItselfByFileAndVersion() {
    PriceTable table = PriceTable.load(Path.of("..", "deploy", "config", "model-prices.yaml"));
    assertThat(table.label()).isEqualTo("model-prices.yaml@prices-2026-11-01");
    assertThat(table.currency()).isEqualTo("USD");
    assertThat(table.size()).isGreaterThan(3);
  }

  @Test
  void cachePricesFallBackToTheInputPriceAndWindowsBound() {
    PriceTable table = parse("""
        version: contract-7
        currency: EUR
        models:
          - provider: OpenAI
            model: gpt-4o*
            input: 2
            output: 8
            effective_to: 2026-12-31T23:59:59Z
        """);
    PriceTable.Price price = table.find("openai", "openai/GPT-4o-2024-08-06", NOW).orElseThrow();
    assertThat(price.cost(new TokenCounts(1000, 400, 100, 10, 0))).isCloseTo((1000 * 2.0 + 10 * 8.0) / 1e6, within(1e-15));
    assertThat(table.find("openai", "gpt-4o", Instant.parse("2027-01-01T00:00:00Z"))).isEmpty();
    assertThat(table.currency()).isEqualTo("EUR");
    assertThat(table.label()).isEqualTo("test.yaml@contract-7");
  }

  @Test
  void malformedTablesNameTheEntryFieldLineAndColumn() {
    assertThatThrownBy(() -> parse("models: []\n")).hasMessageContaining("'version' is required");
    assertThatThrownBy(() -> parse("version: v1\nmodels:\n  - provider: openai\n    model: x\n    output: 1\n"))
        .hasMessageContaining("models[0]: 'input' (price per million tokens) is required")
        .as("the entry is reported where it ends").hasMessageContaining("(line 6, column 1)");
    assertThatThrownBy(() -> parse("version: v1\nmodels:\n  - provider: openai\n    model: x\n    input: -1\n    output: 1\n"))
        .hasMessageContaining("models[0].input: must be a number >= 0 (price per million tokens), got -1.0 (line 5, column 12)");
    assertThatThrownBy(() -> parse("version: v1\nmodels:\n  - provider: openai\n    model: x\n    input: 1\n    output: 1\n    effective_from: soon\n"))
        .hasMessageContaining("models[0].effective_from: must be an ISO-8601 instant such as 2026-01-01T00:00:00Z, got 'soon' (line 7, column 21)");
    assertThatThrownBy(() -> parse("version: v1\nmodels:\n  - provider: openai\n    model: x\n    input: one\n    output: 1\n"))
        .hasMessageContaining("models[0].input").hasMessageContaining("line 5, column 12");
  }

  @Test
  void aMisspeltFieldIsRefusedRatherThanBilledAtTheInputPrice() {
    assertThatThrownBy(() -> parse("version: v1\nmodels:\n  - provider: openai\n    model: x\n    input: 1\n    output: 1\n    cache_reed: 0.1\n"))
        .hasMessageContaining("models[0].cache_reed: unknown field 'cache_reed', expected one of [")
        .hasMessageContaining("(line 8, column 1)");
  }

  @Test
  void anEmptyFileOrAnInvertedWindowIsRefused() {
    assertThatThrownBy(() -> parse("")).hasMessageContaining("price table test.yaml: No content");
    assertThatThrownBy(() -> parse("version: v1\nmodels:\n  - provider: openai\n    model: x\n    input: 1\n    output: 1\n"
        + "    effective_from: 2026-02-01T00:00:00Z\n    effective_to: 2026-01-01T00:00:00Z\n"))
        .hasMessageContaining("models[0]: effective_to is before effective_from");
  }

  @Test
  void globsAreLiteralExceptForTheStar() {
    assertThat(PriceTable.globPattern("gpt-4.1*").matcher("gpt-4.1-mini").matches()).isTrue();
    assertThat(PriceTable.globPattern("gpt-4.1*").matcher("gpt-401").matches()).isFalse();
    assertThat(PriceTable.globPattern("*-embed-*").matcher("text-embed-3").matches()).isTrue();
  }

  private static PriceTable parse(String yaml) {
    return PriceTable.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml");
  }
}
