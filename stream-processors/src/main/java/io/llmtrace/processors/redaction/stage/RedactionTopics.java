package io.llmtrace.processors.redaction.stage;

import io.llmtrace.schemas.config.Settings;

/**
 * The redaction stage's topics: it alone reads {@code raw}; it writes redacted spans, records it could
 * not read (dead letters, original bytes), records whose redaction demonstrably failed (quarantine,
 * restricted access), and redaction-failure events for the alerting stage.
 */
public record RedactionTopics(String raw, String redacted, String deadLetters, String quarantine, String events) {

  public static RedactionTopics from(Settings settings) {
    return new RedactionTopics(
        settings.string("llmtrace.topics.raw", "llm.spans.raw"),
        settings.string("llmtrace.topics.redacted", "llm.spans.redacted"),
        settings.string("llmtrace.topics.dead-letters", "llm.spans.dlq"),
        settings.string("llmtrace.topics.quarantine", "llm.spans.quarantine"),
        settings.string("llmtrace.topics.redaction-events", "llm.redaction.events"));
  }
}
