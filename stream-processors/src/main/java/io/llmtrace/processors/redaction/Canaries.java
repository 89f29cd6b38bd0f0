package io.llmtrace.processors.redaction;

import io.llmtrace.schemas.avro.LlmSpan;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Seeded test values (the policy's {@code canaries:} list). Found in a raw span they prove test
 * traffic flows; found in a redacted span they prove redaction failed. Searches every string of
 * the span, exempt identifiers included.
 */
public final class Canaries {

  private final List<String> values;

  public Canaries(List<String> values) {
    this.values = List.copyOf(values);
  }

  public static Canaries of(RedactionPolicy policy) {
    return new Canaries(policy.canaries());
  }

  public List<String> values() {
    return values;
  }

  /** The canaries that occur anywhere in {@code span}, in configuration order. */
  public Set<String> findIn(LlmSpan span) {
    Set<String> found = new LinkedHashSet<>();
    if (values.isEmpty()) {
      return found;
    }
    SpanStrings.forEach(span, s -> {
      for (String c : values) {
        if (s.contains(c)) {
          found.add(c);
        }
      }
    });
    return found;
  }
}
