package io.llmtrace.processors.enrich;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Well-known models priced by hand from the list prices in genai-prices 0.1.8 (USD per million tokens),
 * so that a wrong match or a wrong formula shows up as a wrong number, not only as a disagreement with
 * the package (that is {@link GenAiPricesDifferentialTest}).
 */
class GenAiPricesTest {

  private static final Instant JUNE_2025_NOON = Instant.parse("2025-06-01T12:00:00Z");

  private final GenAiPrices prices = GenAiPrices.bundled();

  @Test
  void theBundledTableIsThePinnedPackageWithAllItsProvidersAndModels() {
    assertThat(prices.packageName()).isEqualTo("@pydantic/genai-prices");
    assertThat(prices.label()).isEqualTo("genai-prices@0.1.8");
    assertThat(prices.providerCount()).isEqualTo(43);
    assertThat(prices.modelCount()).isEqualTo(1694);
  }

  @Test
  void gpt4oSnapshotsArePricedAsGpt4oWithCacheReadsAtHalfPrice() {
    // gpt-4o: 2.50 input, 1.25 cache read, 10.00 output
    GenAiPrices.Priced priced = price("openai", "gpt-4o-2024-08-06", tokens(1200, 1000, 0, 80, 0));
    assertThat(priced.modelId()).isEqualTo("gpt-4o");
    assertThat(priced.amount()).isCloseTo((200 * 2.50 + 1000 * 1.25 + 80 * 10.00) / 1e6, within(1e-15));
    assertThat(price("openai", "gpt-4o-mini", tokens(1_000_000, 0, 0, 0, 0)).amount()).isCloseTo(0.15, within(1e-12));
  }

  @Test
  void claudeSnapshotsBillCacheReadsAndWritesAtTheirOwnPrices() {
    // claude-3-5-sonnet: 3.00 input, 0.30 cache read, 3.75 cache write, 15.00 output
    GenAiPrices.Priced priced = price("anthropic", "claude-3-5-sonnet-20241022", tokens(10_000, 2_000, 1_000, 500, 0));
    assertThat(priced.modelId()).isEqualTo("claude-3-5-sonnet");
    assertThat(priced.amount()).isCloseTo((7_000 * 3.00 + 2_000 * 0.30 + 1_000 * 3.75 + 500 * 15.00) / 1e6, within(1e-15));
    // a dated snapshot finds its model
    assertThat(price("anthropic", "claude-opus-4-1-20250805", tokens(1000, 0, 0, 100, 0)).amount())
        .isCloseTo((1000 * 15.0 + 100 * 75.0) / 1e6, within(1e-15));
  }

  @Test
  void geminiProSwitchesEveryPriceAbove200kInputTokens() {
    // gemini-2.5-flash: 0.30 input, 2.50 output, flat
    assertThat(price("google", "gemini-2.5-flash", tokens(1000, 0, 0, 100, 0)).amount()).isCloseTo((300 + 250) / 1e6, within(1e-15));
    // gemini-2.5-pro: 1.25 / 0.125 cache / 10 output up to 200k input tokens, then 2.50 / 0.25 / 15
    assertThat(price("google", "gemini-2.5-pro", tokens(100_000, 0, 0, 1000, 0)).amount())
        .isCloseTo((100_000 * 1.25 + 1000 * 10.0) / 1e6, within(1e-15));
    assertThat(price("google", "gemini-2.5-pro", tokens(300_000, 1000, 0, 1000, 0)).amount())
        .isCloseTo((299_000 * 2.50 + 1000 * 0.25 + 1000 * 15.0) / 1e6, within(1e-15));
    assertThat(price("google", "gemini-2.5-pro", tokens(200_000, 0, 0, 0, 0)).amount())
        .as("the threshold itself is still the base tier").isCloseTo(200_000 * 1.25 / 1e6, within(1e-15));
  }

  @Test
  void providersAreFoundByIdByTheirAliasesAndWithoutAProviderByTheModelName() {
    GenAiPrices.Priced bedrock = price("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", tokens(1000, 0, 0, 100, 0));
    assertThat(bedrock.providerId()).isEqualTo("aws");
    assertThat(bedrock.amount()).isCloseTo((1000 * 3.30 + 100 * 16.50) / 1e6, within(1e-15));
    assertThat(price("vertex_ai", "claude-3-5-sonnet@20240620", tokens(1000, 0, 0, 0, 0)).providerId()).isEqualTo("google");
    assertThat(price(null, "claude-3-5-haiku-latest", tokens(1000, 0, 0, 0, 0)).providerId()).isEqualTo("anthropic");
    assertThat(price("openrouter", "anthropic/claude-3.5-sonnet", tokens(1000, 0, 0, 0, 0)).modelId()).isEqualTo("anthropic/claude-3.5-sonnet");
    assertThat(price("litellm", "openai/gpt-4o", tokens(1000, 0, 0, 0, 0)).modelId()).isEqualTo("gpt-4o");
  }

  @Test
  void unknownProvidersAndModelsAreNotPriced() {
    assertThat(prices.price("self_hosted", "llama-3-8b", JUNE_2025_NOON, tokens(1000, 0, 0, 10, 0))).isEmpty();
    assertThat(prices.price(null, "my-llama", JUNE_2025_NOON, tokens(1000, 0, 0, 10, 0))).isEmpty();
    assertThat(prices.price("openai", "not-a-model", JUNE_2025_NOON, tokens(1000, 0, 0, 10, 0))).isEmpty();
    assertThat(prices.price("openai", " ", JUNE_2025_NOON, tokens(1000, 0, 0, 10, 0))).isEmpty();
  }

  @Test
  void pricesFollowStartDatesAndOffPeakHours() {
    TokenCounts usage = tokens(1000, 0, 0, 100, 0);
    // deepseek-chat: 0.27 / 1.10 from 00:30 to 16:30 UTC, 0.135 / 0.55 off-peak
    assertThat(prices.price("deepseek", "deepseek-chat", Instant.parse("2025-06-01T03:00:00Z"), usage).orElseThrow().amount())
        .isCloseTo((1000 * 0.27 + 100 * 1.10) / 1e6, within(1e-15));
    assertThat(prices.price("deepseek", "deepseek-chat", Instant.parse("2025-06-01T20:00:00Z"), usage).orElseThrow().amount())
        .isCloseTo((1000 * 0.135 + 100 * 0.55) / 1e6, within(1e-15));
    // deepseek-v4-flash: 0.14 / 0.28, from 2026-08-17 0.22 / 0.66, 01:00-04:00 and 06:00-10:00 UTC 0.44 / 1.32
    assertThat(prices.price("deepseek", "deepseek-v4-flash", Instant.parse("2026-01-01T12:00:00Z"), usage).orElseThrow().amount())
        .isCloseTo((1000 * 0.14 + 100 * 0.28) / 1e6, within(1e-15));
    assertThat(prices.price("deepseek", "deepseek-v4-flash", Instant.parse("2026-09-01T12:00:00Z"), usage).orElseThrow().amount())
        .isCloseTo((1000 * 0.22 + 100 * 0.66) / 1e6, within(1e-15));
    assertThat(prices.price("deepseek", "deepseek-v4-flash", Instant.parse("2026-09-01T02:00:00Z"), usage).orElseThrow().amount())
        .isCloseTo((1000 * 0.44 + 100 * 1.32) / 1e6, within(1e-15));
  }

  @Test
  void timesOfDayAreReadInUtcWithTheirOffsets() {
    assertThat(GenAiPrices.secondOfDayUtc("16:30:00Z")).isEqualTo(16.5 * 3600);
    assertThat(GenAiPrices.secondOfDayUtc("00:30:00+08:00")).isEqualTo(16.5 * 3600);
    assertThat(GenAiPrices.secondOfDayUtc("23:00:00.5-02:00")).isEqualTo(3600.5);
    assertThatThrownBy(() -> GenAiPrices.secondOfDayUtc("24:00:00Z")).hasMessageContaining("invalid time-of-day");
  }

  @Test
  void compactDatesInNamesAreRewrittenOnlyWhenTheyAreRealDates() {
    assertThat(GenAiPrices.isoDates("claude-3-5-sonnet-20241022")).isEqualTo("claude-3-5-sonnet-2024-10-22");
    assertThat(GenAiPrices.isoDates("model-20240230")).isEqualTo("model-20240230");
    assertThat(GenAiPrices.isoDates("gpt-4o-20241022x")).isEqualTo("gpt-4o-20241022x");
  }

  @Test
  void aTableWithAFieldThisCodeDoesNotKnowIsRefusedWithWhereItIs() {
    String json = """
        {"package": "@pydantic/genai-prices", "version": "9", "integrity": "x", "units": {},
         "providers": [{"id": "p", "models": [{"id": "m", "match": {"glob": "m*"}, "prices": [{"prices": {}}]}]}]}
        """;
    assertThatThrownBy(() -> GenAiPrices.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test.json"))
        .hasMessageContaining("providers[0].models[0].match")
        .hasMessageContaining("unknown field 'glob'")
        .hasMessageContaining("(line 2, column 74)");
  }

  private GenAiPrices.Priced price(String provider, String model, TokenCounts usage) {
    return prices.price(provider, model, JUNE_2025_NOON, usage).orElseThrow(() -> new AssertionError(provider + "/" + model + " not priced"));
  }

  private static TokenCounts tokens(long input, long cacheRead, long cacheWrite, long output, long reasoning) {
    return new TokenCounts(input, cacheRead, cacheWrite, output, reasoning);
  }
}
