package io.llmtrace.processors.redaction;

import java.util.List;

/**
 * Finds sensitive substrings in one string. Implementations are stateless and thread-safe; they
 * check a cheap {@link TextProfile} first so that most strings are skipped without running a regex.
 */
public interface Detector {

  /** Stable snake_case name, used in the policy file, the counts and the mask token. */
  String name();

  /** Appends every finding in {@code text} to {@code out}. */
  void scan(String text, TextProfile profile, List<Finding> out);
}
