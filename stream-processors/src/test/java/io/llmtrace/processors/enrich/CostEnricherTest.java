package io.llmtrace.processors.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.llmtrace.schemas.avro.Cost;
import io.llmtrace.schemas.avro.CostSource;
import io.llmtrace.schemas.avro.LlmSpan;
import io.llmtrace.schemas.avro.ModelInfo;
import io.llmtrace.schemas.avro.TokenUsage;
import io.llmtrace.schemas.testing.TestSpans;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CostEnricherTest {

  private static final String OVERRIDES = "model-prices.yaml@prices-2026-11-01";
  private static final String BUNDLED = "genai-prices@0.1.8";

  /** The override table the local run ships, then the bundled genai-prices data. */
  private final PriceTables tables = PriceTables.load(Path.of("..", "deploy", "config", "model-prices.yaml"));
  private final CostEnricher enricher = new CostEnricher(tables);

  @Test
  void contractPricesWinAndTheCostNamesTheirTable() {
    // model-prices.yaml gpt-4o: 2.50 in, 10.00 out, 1.25 cache read per million
    LlmSpan span = llm(" OpenAI ", "openai/GPT-4o-2024-08-06", 1200L, 80L, 1000L, null);

    enricher.enrich(span);

    assertThat(span.getModel().getProvider()).isEqualTo("openai");
    assertThat(span.getModel().getName()).isEqualTo("gpt-4o-2024-08-06");
    Cost cost = span.getCost();
    assertThat(cost.getSource()).isEqualTo(CostSource.COMPUTED);
    assertThat(cost.getPriceTableVersion()).isEqualTo(OVERRIDES);
    assertThat(cost.getCurrency()).isEqualTo("USD");
    assertThat(cost.getAmount()).isCloseTo((200 * 2.50 + 1000 * 1.25 + 80 * 10.00) / 1e6, within(1e-12));
  }

  @Test
  void firstMatchingEntryWinsSoTheMiniModelIsNotPricedAsTheBigOne() {
    LlmSpan mini = llm("openai", "gpt-4o-mini", 1_000_000L, 0L, null, null);
    enricher.enrich(mini);
    assertThat(mini.getCost().getAmount()).isCloseTo(0.15, within(1e-12));
    assertThat(mini.getCost().getPriceTableVersion()).isEqualTo(OVERRIDES);
  }

  @Test
  void modelsTheOverridesDoNotListArePricedByTheBundledTable() {
    // Not in model-prices.yaml; genai-prices' aws entry: 3.30 in, 4.125 cache write, 16.50 out
    LlmSpan bedrock = llm("aws.bedrock", "anthropic.claude-sonnet-4-5-20250929-v1:0", 1000L, 100L, 0L, 1000L);
    enricher.enrich(bedrock);
    assertThat(bedrock.getModel().getProvider()).isEqualTo("bedrock");
    assertThat(bedrock.getCost().getSource()).isEqualTo(CostSource.COMPUTED);
    assertThat(bedrock.getCost().getPriceTableVersion()).isEqualTo(BUNDLED);
    assertThat(bedrock.getCost().getAmount()).isCloseTo((1000 * 4.125 + 100 * 16.50) / 1e6, within(1e-12));

    LlmSpan sonnet = llm("anthropic", "claude-3-5-sonnet-20241022", 10_000L, 500L, 2_000L, 1_000L);
    enricher.enrich(sonnet);
    assertThat(sonnet.getCost().getPriceTableVersion()).isEqualTo(BUNDLED);
    assertThat(sonnet.getCost().getAmount()).isCloseTo((7_000 * 3.00 + 2_000 * 0.30 + 1_000 * 3.75 + 500 * 15.00) / 1e6, within(1e-12));
  }

  @Test
  void anExpiredContractPriceFallsThroughToTheBundledTable() {
    // model-prices.yaml's claude-3-5-haiku entry ends 2026-12-31; genai-prices lists 0.80 in
    LlmSpan expired = llm("anthropic", "claude-3-5-haiku-latest", 1000L, 0L, null, null);
    expired.setStartTime(Instant.parse("2027-02-01T00:00:00Z"));
    expired.setEndTime(Instant.parse("2027-02-01T00:00:01Z"));
    enricher.enrich(expired);
    assertThat(expired.getCost().getPriceTableVersion()).isEqualTo(BUNDLED);
    assertThat(expired.getCost().getAmount()).isCloseTo(1000 * 0.80 / 1e6, within(1e-12));
  }

  @Test
  void aModelNoTablePricesHasANullAmountNotZero() {
    LlmSpan local = llm("self_hosted", "llama-3-8b-q4", 1000L, 100L, null, null);
    enricher.enrich(local);
    Cost cost = local.getCost();
    assertThat(cost.getSource()).isEqualTo(CostSource.UNKNOWN);
    assertThat(cost.getAmount()).isNull();
    assertThat(cost.getPriceTableVersion()).as("the tables searched").isEqualTo(OVERRIDES + "+" + BUNDLED);
  }

  @Test
  void theBundledTableAloneAndTheOldConstructorBothPrice() {
    LlmSpan alone = llm("google", "models/gemini-2.5-flash", 1000L, 100L, null, null);
    new CostEnricher(PriceTables.bundledOnly()).enrich(alone);
    assertThat(alone.getModel().getName()).isEqualTo("gemini-2.5-flash");
    assertThat(alone.getCost().getPriceTableVersion()).isEqualTo(BUNDLED);
    assertThat(alone.getCost().getAmount()).isCloseTo((1000 * 0.30 + 100 * 2.50) / 1e6, within(1e-12));

    LlmSpan viaTable = llm("anthropic", "claude-3-5-sonnet-20241022", 1000L, 0L, null, null);
    new CostEnricher(PriceTable.load(Path.of("..", "deploy", "config", "model-prices.yaml"))).enrich(viaTable);
    assertThat(viaTable.getCost().getPriceTableVersion()).isEqualTo(BUNDLED);
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

  private static LlmSpan llm(String provider, String model, Long input, Long output, Long cacheRead, Long cacheWrite) {
    LlmSpan span = TestSpans.minimal();
    span.setModel(ModelInfo.newBuilder().setProvider(provider).setName(model).build());
    span.setUsage(TokenUsage.newBuilder().setInputTokens(input).setOutputTokens(output)
        .setCacheReadTokens(cacheRead).setCacheWriteTokens(cacheWrite).build());
    return span;
  }
}
