package io.llmtrace.processors.enrich;

import java.util.Locale;
import java.util.Map;

/**
 * One spelling per model and provider, so that "OpenAI", "openai" and "azure.openai" group together
 * and "models/gemini-2.5-flash" or "openai/gpt-4o" compare equal to what the price tables name.
 * The exact snapshot a provider reported stays in {@code model.version}; only the name is normalized.
 *
 * <p>A slash inside a model name is kept unless what precedes it names the span's own provider: most
 * of the models genai-prices knows are routed ids whose prefix is part of the name
 * ({@code anthropic/claude-3.5-sonnet} on OpenRouter, {@code accounts/fireworks/models/...},
 * {@code @cf/meta/...}), and cutting it would price the wrong model or none.
 */
public final class ModelNames {

  /** Spellings of the same provider, the OpenTelemetry {@code gen_ai.provider.name} values among them. */
  private static final Map<String, String> PROVIDER_ALIASES = Map.ofEntries(
      Map.entry("azure.openai", "openai"),
      Map.entry("azure_openai", "openai"),
      Map.entry("az.ai.openai", "openai"),
      Map.entry("azure.ai.openai", "openai"),
      Map.entry("gcp.gemini", "google"),
      Map.entry("gcp.vertex_ai", "google"),
      Map.entry("gcp.gen_ai", "google"),
      Map.entry("vertex_ai", "google"),
      Map.entry("gemini", "google"),
      Map.entry("aws.bedrock", "bedrock"),
      Map.entry("mistral_ai", "mistral"),
      // genai-prices' id for xAI; its own alias list knows "xai" but not OpenTelemetry's "x_ai".
      Map.entry("x_ai", "x-ai"),
      Map.entry("xai", "x-ai"));

  private ModelNames() {}

  public static String provider(String provider) {
    if (provider == null || provider.isBlank()) {
      return provider;
    }
    String lower = provider.strip().toLowerCase(Locale.ROOT);
    return PROVIDER_ALIASES.getOrDefault(lower, lower);
  }

  /**
   * Lower case, whitespace trimmed; Gemini's {@code models/} and Vertex AI's
   * {@code projects/.../models/} resource prefixes removed, and a {@code <provider>/} prefix when it names
   * the span's (normalized) provider, as LiteLLM-style clients send {@code openai/gpt-4o}.
   */
  public static String model(String provider, String model) {
    if (model == null || model.isBlank()) {
      return model;
    }
    String name = model.strip().toLowerCase(Locale.ROOT);
    if (name.startsWith("models/")) {
      name = name.substring("models/".length());
    } else if (name.startsWith("projects/") && name.contains("/models/")) {
      name = name.substring(name.lastIndexOf("/models/") + "/models/".length());
    }
    int slash = name.indexOf('/');
    if (slash > 0 && slash < name.length() - 1 && provider != null && !provider.isBlank()
        && provider(name.substring(0, slash)).equals(provider(provider))) {
      name = name.substring(slash + 1);
    }
    return name;
  }
}
