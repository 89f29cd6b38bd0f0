package io.llmtrace.processors.redaction;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How attribute maps are filtered before value detectors run. {@code allowedKeys} non-null means
 * allowlist mode, which fails closed: keys not listed are removed from every map named
 * {@code attributes} (span and event attributes). Blocked key patterns apply to every string map
 * (attributes and prompt variables): a key matching one has its value replaced per
 * {@code blockedKeyAction}, whatever the value looks like.
 */
public record AttributeRules(List<Pattern> blockedKeyPatterns, Action blockedKeyAction, Set<String> allowedKeys) {

  public AttributeRules {
    blockedKeyPatterns = List.copyOf(blockedKeyPatterns);
    allowedKeys = allowedKeys == null ? null : Set.copyOf(allowedKeys);
  }

  public boolean allowlistMode() {
    return allowedKeys != null;
  }

  public boolean isBlocked(String key) {
    for (Pattern p : blockedKeyPatterns) {
      if (p.matcher(key).matches()) {
        return true;
      }
    }
    return false;
  }
}
