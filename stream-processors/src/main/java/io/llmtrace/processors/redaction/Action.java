package io.llmtrace.processors.redaction;

import java.util.Locale;

/**
 * What happens to a finding. {@code MASK} writes {@code [REDACTED:EMAIL]}; {@code HASH} writes a
 * keyed pseudonym {@code [EMAIL:3f9a1c2b]} that is stable for one key, so analysts can group by it;
 * {@code DROP} removes the whole field value (null, empty string, or the map entry); {@code OFF}
 * disables the detector (for a tenant override).
 */
public enum Action {
  MASK,
  HASH,
  DROP,
  OFF;

  /** Policy-file spelling: mask, hash, drop, off. */
  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
