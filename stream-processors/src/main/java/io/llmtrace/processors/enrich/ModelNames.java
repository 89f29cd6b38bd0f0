package io.llmtrace.processors.enrich;

import java.util.Locale;
import java.util.Map;

/**
 * One spelling per model and provider, so that "OpenAI", "openai" and "azure.openai" group together
 * and "models/gemini-2.5-flash" or "openai/gpt-4o" compare equal to what the price table names.
 * The exact snapshot a provider reported stays in {@code model.version}; only the name is normalized.
 */
public final class ModelNames {

  private static final Map<String, String> PROVIDER_ALIASES = Map.of(
      "azure.openai", "openai",
      "azure_openai", "openai",
      "az.ai.openai", "openai",
      "gcp.gemini", "google",
      "gcp.vertex_ai", "google",
      "vertex_ai", "google",
      "gemini", "google",
      "aws.bedrock", "bedrock");

  private ModelNames() {}

  public static String provider(String provider) {
    if (provider == null || provider.isBlank()) {
      return provider;
    }
    String lower = provider.strip().toLowerCase(Locale.ROOT);
    return PROVIDER_ALIASES.getOrDefault(lower, lower);
  }

  /** Lower case, whitespace trimmed, {@code models/} and {@code <provider>/} prefixes removed. */
  public static String model(String model) {
    if (model == null || model.isBlank()) {
      return model;
    }
    String name = model.strip().toLowerCase(Locale.ROOT);
    if (name.startsWith("models/")) {
      name = name.substring("models/".length());
    }
    int slash = name.lastIndexOf('/');
    return slash >= 0 && slash < name.length() - 1 ? name.substring(slash + 1) : name;
  }
}
