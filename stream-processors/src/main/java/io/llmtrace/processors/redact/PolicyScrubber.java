package io.llmtrace.processors.redact;

import io.llmtrace.processors.redaction.Canaries;
import io.llmtrace.processors.redaction.RedactionPolicy;
import io.llmtrace.processors.redaction.Redactor;
import io.llmtrace.schemas.avro.LlmSpan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.Set;

/** The production {@link SpanScrubber}: the policy file's redactor and its canaries. */
public final class PolicyScrubber implements SpanScrubber {

  private final Redactor redactor;
  private final Canaries canaries;

  public PolicyScrubber(RedactionPolicy policy) {
    this.redactor = new Redactor(policy);
    this.canaries = Canaries.of(policy);
  }

  /**
   * Loads and validates the policy; a broken file stops the caller with its name and line. {@code env}
   * resolves the variables the policy names (its hash key).
   */
  public static PolicyScrubber fromFile(Path policyFile, Function<String, String> env) {
    try {
      return new PolicyScrubber(RedactionPolicy.parse(Files.readString(policyFile), policyFile.toString(), env));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read redaction policy " + policyFile, e);
    }
  }

  /**
   * In place: the processor owns the span it just deserialized and dead-letters the original bytes,
   * not the span, so an Avro deep copy would only add its cost (see docs/BENCHMARKS.md).
   */
  @Override
  public LlmSpan scrub(LlmSpan span) {
    return redactor.redactInPlace(span);
  }

  @Override
  public Set<String> canariesIn(LlmSpan span) {
    return canaries.findIn(span);
  }
}
