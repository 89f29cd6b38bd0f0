package io.llmtrace.gateway.nativejson;

import com.fasterxml.jackson.core.JsonToken;
import java.util.Collection;
import java.util.Locale;

/**
 * JSONPath segments and the pieces of error text that echo caller input. Echoed names and values are
 * shortened and their control characters escaped, so a hostile payload cannot make an error message
 * (or the log line and response built from it) huge or multi-line.
 */
final class JsonPaths {

  private static final int MAX_ECHO = 64;

  private JsonPaths() {}

  /** {@code .name} for plain identifiers, {@code ['odd name']} otherwise. */
  static String member(String name) {
    return isIdentifier(name) ? "." + name : key(name);
  }

  /** A map key, always in bracket notation because keys are arbitrary text ({@code ['http.route']}). */
  static String key(String key) {
    return "[" + quote(key) + "]";
  }

  static String index(int index) {
    return "[" + index + "]";
  }

  /** The value between single quotes, shortened and escaped. */
  static String quote(String value) {
    int end = Math.min(value.length(), MAX_ECHO);
    if (end < value.length() && Character.isHighSurrogate(value.charAt(end - 1))) {
      end--; // do not split a surrogate pair
    }
    StringBuilder out = new StringBuilder(end + 8).append('\'');
    for (int i = 0; i < end; i++) {
      char c = value.charAt(i);
      if (c == '\'' || c == '\\') {
        out.append('\\').append(c);
      } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (value.length() > MAX_ECHO) {
      out.append("…");
    }
    return out.append('\'').toString();
  }

  /** A JSON number's text for an error message; numbers may be up to 1000 characters long. */
  static String number(String text) {
    return text.length() <= MAX_ECHO ? text : text.substring(0, 24) + "…(" + text.length() + " characters)";
  }

  /** What the caller sent, in the words of a type mismatch: "got string". */
  static String describe(JsonToken token) {
    if (token == null) {
      return "end of input";
    }
    return switch (token) {
      case VALUE_STRING -> "string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
      case VALUE_TRUE, VALUE_FALSE -> "boolean";
      case VALUE_NULL -> "null";
      case START_OBJECT -> "object";
      case START_ARRAY -> "array";
      default -> token.asString() == null ? token.name().toLowerCase(Locale.ROOT) : token.asString();
    };
  }

  /**
   * {@code " (did you mean 'input_tokens'?)"} when a known name is a likely intended spelling: same
   * letters ignoring case and underscores (camelCase producers), or at most two edits away.
   */
  static String suggestion(String name, Collection<String> candidates) {
    if (name.length() > MAX_ECHO) {
      return "";
    }
    String normalized = normalize(name);
    String best = null;
    int bestDistance = 3;
    for (String candidate : candidates) {
      if (normalize(candidate).equals(normalized)) {
        return " (did you mean '" + candidate + "'?)";
      }
      int distance = distance(name, candidate, bestDistance);
      if (distance < bestDistance && distance < candidate.length() / 2 + 1) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best == null ? "" : " (did you mean '" + best + "'?)";
  }

  private static boolean isIdentifier(String name) {
    if (name.isEmpty() || name.length() > MAX_ECHO) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      if (!letter && !(i > 0 && c >= '0' && c <= '9')) {
        return false;
      }
    }
    return true;
  }

  private static String normalize(String name) {
    return name.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
  }

  /** Levenshtein distance, giving up (returning {@code limit}) once it cannot be below it. */
  private static int distance(String a, String b, int limit) {
    if (Math.abs(a.length() - b.length()) >= limit) {
      return limit;
    }
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      int rowMin = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
        rowMin = Math.min(rowMin, current[j]);
      }
      if (rowMin >= limit) {
        return limit;
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return Math.min(previous[b.length()], limit);
  }
}
