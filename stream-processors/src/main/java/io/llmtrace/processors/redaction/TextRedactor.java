package io.llmtrace.processors.redaction;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Applies one tenant's {@link Rules} to one string. Findings of all enabled detectors are merged:
 * overlapping regions become one region attributed to the highest-priority detector in it, so no
 * fragment of a lower-priority match can survive next to a higher-priority one.
 */
public final class TextRedactor {

  private final Rules rules;
  private final Pseudonymizer pseudonymizer;
  private final Map<String, Integer> priority;
  /** Mask tokens by detector name: the same few strings for every finding. */
  private final Map<String, String> masks = new java.util.concurrent.ConcurrentHashMap<>();
  final CleanStrings clean = new CleanStrings();
  /** Blocked-key verdicts by attribute key: few keys, repeated in every span, each a regex match. */
  private final Map<String, Boolean> blockedKeys = new java.util.concurrent.ConcurrentHashMap<>();

  TextRedactor(Rules rules, Pseudonymizer pseudonymizer) {
    this.rules = rules;
    this.pseudonymizer = pseudonymizer;
    this.priority = new java.util.HashMap<>();
    for (int i = 0; i < rules.detectors().size(); i++) {
      priority.put(rules.detectors().get(i).name(), i);
    }
  }

  /** Finds (merged, sorted, non-overlapping) regions to redact in {@code text}. */
  public List<Finding> findings(String text) {
    if (text.isEmpty() || clean.contains(text)) {
      return List.of();
    }
    TextProfile profile = TextProfile.of(text);
    List<Finding> raw = new ArrayList<>(4);
    for (Detector d : rules.detectors()) {
      d.scan(text, profile, raw);
    }
    if (raw.isEmpty()) {
      clean.add(text);
    }
    if (raw.size() <= 1) {
      return raw;
    }
    raw.sort(Comparator.comparingInt(Finding::start));
    List<Finding> merged = new ArrayList<>(raw.size());
    Finding cur = raw.get(0);
    for (int i = 1; i < raw.size(); i++) {
      Finding f = raw.get(i);
      if (f.start() < cur.end()) {
        String winner = priority.get(f.detector()) < priority.get(cur.detector()) ? f.detector() : cur.detector();
        cur = new Finding(winner, cur.start(), Math.max(cur.end(), f.end()));
      } else {
        merged.add(cur);
        cur = f;
      }
    }
    merged.add(cur);
    return merged;
  }

  /**
   * Returns the redacted text, the same instance when nothing was found, or null when a finding's
   * action is DROP (the caller removes the whole value). Adds one count per region to {@code counts}.
   */
  public String redact(String text, Map<String, Integer> counts) {
    List<Finding> found = findings(text);
    if (found.isEmpty()) {
      return text;
    }
    boolean drop = false;
    for (Finding f : found) {
      counts.merge(f.detector(), 1, Integer::sum);
      drop |= rules.actionFor(f.detector()) == Action.DROP;
    }
    if (drop) {
      return null;
    }
    StringBuilder sb = new StringBuilder(text.length() + 16 * found.size());
    int pos = 0;
    for (Finding f : found) {
      sb.append(text, pos, f.start());
      sb.append(replacement(f.detector(), rules.actionFor(f.detector()), text.substring(f.start(), f.end())));
      pos = f.end();
    }
    sb.append(text, pos, text.length());
    return sb.toString();
  }

  /** {@link AttributeRules#isBlocked} of this tenant's rules, remembered for up to 4096 short keys. */
  boolean isBlockedKey(String key) {
    Boolean blocked = blockedKeys.get(key);
    if (blocked == null) {
      blocked = rules.attributes().isBlocked(key);
      if (key.length() <= 256 && blockedKeys.size() < 4096) {
        blockedKeys.put(key, blocked);
      }
    }
    return blocked;
  }

  /** {@code [REDACTED:EMAIL]} for MASK, {@code [EMAIL:3f9a1c2b]} for HASH. */
  String replacement(String detector, Action action, String value) {
    if (action == Action.HASH) {
      return "[" + detector.toUpperCase(Locale.ROOT) + ":" + pseudonymizer.hex(value, 8) + "]";
    }
    return masks.computeIfAbsent(detector, d -> "[REDACTED:" + d.toUpperCase(Locale.ROOT) + "]");
  }
}
