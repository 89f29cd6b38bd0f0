package io.llmtrace.schemas.registry;

import java.util.List;

/**
 * The registry's verdict on whether a schema may be registered next under a subject, with the
 * reasons it gave (registries only give them when asked for verbose output, and some never do).
 */
public record CompatibilityResult(boolean compatible, List<String> messages) {

  public CompatibilityResult {
    messages = List.copyOf(messages);
  }
}
