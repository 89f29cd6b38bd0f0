package io.llmtrace.processors.redact;

import io.llmtrace.schemas.avro.LlmSpan;
import java.util.Set;

/**
 * What the stage needs from the redaction core: scrub a span under the policy for its tenant (the
 * result carries its RedactionSummary), and find configured canary values anywhere in a span.
 */
public interface SpanScrubber {

  /** The redacted span; may be {@code span} itself, modified (the caller owns it and must not reuse it). */
  LlmSpan scrub(LlmSpan span);

  /** Canary values present anywhere in {@code span} (empty when none). */
  Set<String> canariesIn(LlmSpan span);
}
