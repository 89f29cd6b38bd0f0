package io.llmtrace.processors.redaction;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Short strings known to have no findings under one tenant's rules. Roles, span and prompt names,
 * attribute keys and many attribute values repeat from span to span, and running 20 detectors costs
 * about 1 µs even on a 4-character string (a dispatch and a pre-filter each) where a lookup costs a
 * hash. Bounded: once full it stops remembering rather than evicting, so high-cardinality values
 * cannot make it churn. It only ever holds strings in which no detector found anything.
 */
final class CleanStrings {

  static final int MAX_LENGTH = 64;
  static final int CAPACITY = 4096;

  private final Set<String> strings = ConcurrentHashMap.newKeySet();

  boolean contains(String s) {
    return s.length() <= MAX_LENGTH && strings.contains(s);
  }

  /** Remembers {@code s}, which must have no findings. */
  void add(String s) {
    if (s.length() <= MAX_LENGTH && strings.size() < CAPACITY) {
      strings.add(s);
    }
  }

  int size() {
    return strings.size();
  }
}
