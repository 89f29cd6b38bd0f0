package io.llmtrace.gateway.otlp;

import java.util.List;
import java.util.function.Supplier;

/**
 * Flattened lists ({@code llm.input_messages.3.message.content}) are how OpenInference and
 * OpenLLMetry put structures into scalar attributes. These helpers read the index without regexes
 * and keep a sparse index from allocating a huge list: past {@value #MAX_INDEX} the key is left as an
 * ordinary attribute.
 */
final class IndexedKeys {

  static final int MAX_INDEX = 1024;

  private IndexedKeys() {}

  /** The decimal index in {@code key[from, to)}, or -1 if it is not one or is too large. */
  static int index(String key, int from, int to) {
    if (to <= from || to - from > 4) {
      return -1;
    }
    int index = 0;
    for (int i = from; i < to; i++) {
      char c = key.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      index = index * 10 + (c - '0');
    }
    return index < MAX_INDEX ? index : -1;
  }

  /** The element at {@code index}, created (and gaps filled with null) if absent. */
  static <T> T slot(List<T> list, int index, Supplier<T> create) {
    while (list.size() <= index) {
      list.add(null);
    }
    T element = list.get(index);
    if (element == null) {
      element = create.get();
      list.set(index, element);
    }
    return element;
  }

  /** Skips {@code prefix} at {@code at} if present. */
  static int skip(String key, int at, String prefix) {
    return key.startsWith(prefix, at) ? at + prefix.length() : at;
  }
}
