package io.llmtrace.processors.common;

import io.llmtrace.schemas.config.Settings;

/**
 * Every topic name of the stream stages and its default, in one place. Each is a setting
 * ({@code llmtrace.topics.<name>}), so a deployment can prefix or rename them.
 *
 * <table>
 *   <tr><th>setting</th><th>default</th><th>written by → read by</th></tr>
 *   <tr><td>llmtrace.topics.raw</td><td>llm.spans.raw</td><td>gateway → redact (only)</td></tr>
 *   <tr><td>llmtrace.topics.redacted</td><td>llm.spans.redacted</td><td>redact → assemble, sink</td></tr>
 *   <tr><td>llmtrace.topics.dead-letters</td><td>llm.spans.dlq</td><td>redact (original bytes)</td></tr>
 *   <tr><td>llmtrace.topics.quarantine</td><td>llm.spans.quarantine</td><td>redact (restricted)</td></tr>
 *   <tr><td>llmtrace.topics.redaction-events</td><td>llm.redaction.events</td><td>redact → alerts</td></tr>
 *   <tr><td>llmtrace.topics.traces</td><td>llm.traces</td><td>assemble → sink, aggregate</td></tr>
 *   <tr><td>llmtrace.topics.metrics</td><td>llm.metrics</td><td>aggregate → sink, alerts</td></tr>
 *   <tr><td>llmtrace.topics.releases</td><td>llm.releases</td><td>gateway (POST /v1/releases) → alerts, sink</td></tr>
 *   <tr><td>llmtrace.topics.alerts</td><td>llm.alerts</td><td>alerts → sink, review, Alertmanager forwarder, anyone</td></tr>
 *   <tr><td>llmtrace.topics.review</td><td>llm.review</td><td>review → sink (the review queue)</td></tr>
 * </table>
 */
public record TopicNames(String raw, String redacted, String deadLetters, String quarantine, String redactionEvents,
    String traces, String metrics, String releases, String alerts, String review) {

  public static final String DEFAULT_RAW = "llm.spans.raw";
  public static final String DEFAULT_REDACTED = "llm.spans.redacted";
  public static final String DEFAULT_DEAD_LETTERS = "llm.spans.dlq";
  public static final String DEFAULT_QUARANTINE = "llm.spans.quarantine";
  public static final String DEFAULT_REDACTION_EVENTS = "llm.redaction.events";
  public static final String DEFAULT_TRACES = "llm.traces";
  public static final String DEFAULT_METRICS = "llm.metrics";
  public static final String DEFAULT_RELEASES = "llm.releases";
  public static final String DEFAULT_ALERTS = "llm.alerts";
  public static final String DEFAULT_REVIEW = "llm.review";

  public static TopicNames defaults() {
    return new TopicNames(DEFAULT_RAW, DEFAULT_REDACTED, DEFAULT_DEAD_LETTERS, DEFAULT_QUARANTINE, DEFAULT_REDACTION_EVENTS,
        DEFAULT_TRACES, DEFAULT_METRICS, DEFAULT_RELEASES, DEFAULT_ALERTS, DEFAULT_REVIEW);
  }

  public static TopicNames from(Settings settings) {
    return new TopicNames(
        settings.string("llmtrace.topics.raw", DEFAULT_RAW),
        settings.string("llmtrace.topics.redacted", DEFAULT_REDACTED),
        settings.string("llmtrace.topics.dead-letters", DEFAULT_DEAD_LETTERS),
        settings.string("llmtrace.topics.quarantine", DEFAULT_QUARANTINE),
        settings.string("llmtrace.topics.redaction-events", DEFAULT_REDACTION_EVENTS),
        settings.string("llmtrace.topics.traces", DEFAULT_TRACES),
        settings.string("llmtrace.topics.metrics", DEFAULT_METRICS),
        settings.string("llmtrace.topics.releases", DEFAULT_RELEASES),
        settings.string("llmtrace.topics.alerts", DEFAULT_ALERTS),
        settings.string("llmtrace.topics.review", DEFAULT_REVIEW));
  }

  /** The same names with a prefix: unique topics per test, or a shared cluster per environment. */
  public TopicNames prefixed(String prefix) {
    return new TopicNames(prefix + raw, prefix + redacted, prefix + deadLetters, prefix + quarantine, prefix + redactionEvents,
        prefix + traces, prefix + metrics, prefix + releases, prefix + alerts, prefix + review);
  }
}
