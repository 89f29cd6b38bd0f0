package io.llmtrace.processors.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.llmtrace.schemas.avro.Cost;
import io.llmtrace.schemas.avro.CostSource;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.ModelInfo;
import io.llmtrace.schemas.avro.TokenUsage;
import io.llmtrace.schemas.testing.TestSpans;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CostEnricherTest {

  /** The table the local run ships; the test fails if it stops parsing. */
  private final PriceTable table = PriceTable.load(Path.of("..", "deploy", "config", "model-prices.yaml"));
  private final CostEnricher enricher = new CostEnricher(table);

  @Test
  void computesCostFromUsageWithCacheReadsAtTheirOwnPrice() {
    // gpt-4o: 2.50 in, 10.00 out, 1.25 cache read per million
    LlmSpan span = llm(" OpenAI ", "openai/GPT-4o-2024-08-06", 1200L, 80L, 1000L, null);

    enricher.enrich(span);

    assertThat(span.getModel().getProvider()).isEqualTo("openai");
    assertThat(span.getModel().getName()).isEqualTo("gpt-4o-2024-08-06");
    Cost cost = span.getCost();
    assertThat(cost.getSource()).isEqualTo(CostSource.COMPUTED);
    assertThat(cost.getPriceTableVersion()).isEqualTo("prices-2026-11-01");
    assertThat(cost.getCurrency()).isEqualTo("USD");
    double expected = (200 * 2.50 + 1000 * 1.25 + 80 * 10.00) / 1e6;
    assertThat(cost.getAmount()).isCloseTo(expected, within(1e-12));
  }

  @Test
  void firstMatchingEntryWinsSoTheMiniModelIsNotPricedAsTheBigOne() {
    LlmSpan mini = llm("openai", "gpt-4o-mini", 1_000_000L, 0L, null, null);
    enricher.enrich(mini);
    assertThat(mini.getCost().getAmount()).isCloseTo(0.15, within(1e-12));
  }

  @Test
  void cacheWritesAndProviderAliasesAndEffectiveWindows() {
    LlmSpan sonnet = llm("aws.bedrock", "claude-sonnet-4-5", 1000L, 100L, 0L, 1000L);
    enricher.enrich(sonnet);
    assertThat(sonnet.getCost().getSource()).as("bedrock is not the anthropic entry").isEqualTo(CostSource.UNKNOWN);

    LlmSpan direct = llm("anthropic", "claude-sonnet-4-5", 1000L, 100L, 0L, 1000L);
    enricher.enrich(direct);
    assertThat(direct.getCost().getAmount()).isCloseTo((1000 * 3.75 + 100 * 15.00) / 1e6, within(1e-12));

    LlmSpan expired = llm("anthropic", "claude-3-5-haiku-latest", 1000L, 0L, null, null);
    expired.setStartTime(Instant.parse("2027-02-01T00:00:00Z"));
    expired.setEndTime(Instant.parse("2027-02-01T00:00:01Z"));
    enricher.enrich(expired);
    assertThat(expired.getCost().getSource()).isEqualTo(CostSource.UNKNOWN);
    assertThat(expired.getCost().getAmount()).isZero();
  }

  @Test
  void reportedCostIsKeptAndSpansWithoutUsageGetNoCost() {
    LlmSpan reported = llm("openai", "gpt-4o", 10L, 10L, null, null);
    reported.setCost(Cost.newBuilder().setAmount(0.5).setCurrency("EUR").setSource(CostSource.UNKNOWN).build());
    enricher.enrich(reported);
    assertThat(reported.getCost().getAmount()).isEqualTo(0.5);
    assertThat(reported.getCost().getCurrency()).isEqualTo("EUR");
    assertThat(reported.getCost().getSource()).isEqualTo(CostSource.REPORTED);

    LlmSpan tool = TestSpans.minimal();
    enricher.enrich(tool);
    assertThat(tool.getCost()).isNull();
  }

  @Test
  void malformedTablesNameTheEntryAndField() {
    assertThatThrownBy(() -> parse("models: []\n")).hasMessageContaining("'version' is required");
    assertThatThrownBy(() -> parse("version: v1\nmodels:\n  - provider: openai\n    model: x\n    output: 1\n"))
        .hasMessageContaining("models[0]: 'input'");
    assertThatThrownBy(() -> parse("version: v1\nmodels:\n  - provider: openai\n    model: x\n    input: -1\n    output: 1\n"))
        .hasMessageContaining("models[0]: 'input' must be a number >= 0");
    assertThatThrownBy(() -> parse("version: v1\nmodels:\n  - provider: openai\n    model: x\n    input: 1\n    output: 1\n    effective_from: soon\n"))
        .hasMessageContaining("'effective_from' must be an ISO-8601 instant");
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

  private static LlmSpan llm(String provider, String model, Long input, Long output, Long cacheRead, Long cacheWrite) {
    LlmSpan span = TestSpans.minimal();
    span.setModel(ModelInfo.newBuilder().setProvider(provider).setName(model).build());
    span.setUsage(TokenUsage.newBuilder().setInputTokens(input).setOutputTokens(output)
        .setCacheReadTokens(cacheRead).setCacheWriteTokens(cacheWrite).build());
    return span;
  }
}
