package io.llmtrace.gateway.otlp;

import java.util.Map;

/**
 * An LlmSpan field that several attribute keys can fill (a current semconv key, its deprecated alias,
 * the OpenInference key). Attributes come in no particular order, so each offer carries a rank and
 * the lowest rank wins whatever the order. A scalar that loses with a different value is kept in the
 * attribute map under its own key, so a conflict never silently drops data; structured values (message
 * lists) are the same data in another convention and are simply dropped.
 */
final class Pick<T> {

  private final boolean keepLosers;
  private T value;
  private String key;
  private int rank = Integer.MAX_VALUE;

  private Pick(boolean keepLosers) {
    this.keepLosers = keepLosers;
  }

  /** A scalar: a losing value that differs goes to the attribute map. */
  static <T> Pick<T> scalar() {
    return new Pick<>(true);
  }

  /** A structured value: losers are redundant renderings and are dropped. */
  static <T> Pick<T> structured() {
    return new Pick<>(false);
  }

  /**
   * @param losers where a losing scalar goes; null when the offer was derived from another attribute
   *     (a finish reason read out of a message list) and there is no key it could honestly go under
   * @return whether {@code offered} was usable (non-null), i.e. whether the attribute was consumed
   */
  boolean offer(String offeredKey, T offered, int offeredRank, Map<String, String> losers) {
    if (offered == null) {
      return false;
    }
    if (value == null || offeredRank < rank) {
      T lost = value;
      String lostKey = key;
      value = offered;
      key = offeredKey;
      rank = offeredRank;
      keep(lostKey, lost, losers);
    } else {
      keep(offeredKey, offered, losers);
    }
    return true;
  }

  private void keep(String lostKey, T lost, Map<String, String> losers) {
    if (keepLosers && losers != null && lost != null && !lost.equals(value)) {
      losers.put(lostKey, String.valueOf(lost));
    }
  }

  T get() {
    return value;
  }

  T orElse(T fallback) {
    return value != null ? value : fallback;
  }

  boolean isSet() {
    return value != null;
  }

  /** The attribute key the winning value came from, for error paths; null if unset. */
  String key() {
    return key;
  }
}
