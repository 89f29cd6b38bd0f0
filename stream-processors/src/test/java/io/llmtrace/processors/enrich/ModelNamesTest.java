package io.llmtrace.processors.enrich;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ModelNamesTest {

  @Test
  void providerSpellingsIncludingOpenTelemetrysCollapse() {
    assertThat(ModelNames.provider(" OpenAI ")).isEqualTo("openai");
    assertThat(ModelNames.provider("azure.ai.openai")).isEqualTo("openai");
    assertThat(ModelNames.provider("gcp.vertex_ai")).isEqualTo("google");
    assertThat(ModelNames.provider("aws.bedrock")).isEqualTo("bedrock");
    assertThat(ModelNames.provider("x_ai")).isEqualTo("x-ai");
    assertThat(ModelNames.provider("self_hosted")).isEqualTo("self_hosted");
    assertThat(ModelNames.provider(null)).isNull();
  }

  @Test
  void resourcePrefixesAndTheSpansOwnProviderPrefixGo() {
    assertThat(ModelNames.model("google", "models/Gemini-2.5-Flash")).isEqualTo("gemini-2.5-flash");
    assertThat(ModelNames.model("google", "projects/p1/locations/us-central1/publishers/google/models/gemini-2.5-pro"))
        .isEqualTo("gemini-2.5-pro");
    assertThat(ModelNames.model("openai", " openai/GPT-4o-2024-08-06 ")).isEqualTo("gpt-4o-2024-08-06");
    assertThat(ModelNames.model("openai", "azure.openai/gpt-4o")).isEqualTo("gpt-4o");
  }

  @Test
  void slashesThatArePartOfARoutedModelIdStay() {
    assertThat(ModelNames.model("openrouter", "anthropic/claude-3.5-sonnet")).isEqualTo("anthropic/claude-3.5-sonnet");
    assertThat(ModelNames.model("fireworks", "accounts/fireworks/models/deepseek-v3p2")).isEqualTo("accounts/fireworks/models/deepseek-v3p2");
    assertThat(ModelNames.model("cloudflare", "@cf/meta/llama-3-8b-instruct")).isEqualTo("@cf/meta/llama-3-8b-instruct");
    assertThat(ModelNames.model(null, "openai/gpt-4o")).isEqualTo("openai/gpt-4o");
  }
}
