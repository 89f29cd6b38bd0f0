package io.llmtrace.gateway.nativejson;

/**
 * A problem with one span, thrown from wherever the reader met it and unwound to the span loop. Each
 * level it passes through prepends its own path segment, so the path costs nothing until something is
 * wrong. No stack trace: this is bad input, not a bug.
 */
final class FieldError extends RuntimeException {

  private String path;
  private final String reason;

  private FieldError(String path, String reason) {
    super(reason, null, false, false);
    this.path = path;
    this.reason = reason;
  }

  /** A problem with the value the parser is on; enclosing readers add where it is. */
  static FieldError of(String reason) {
    return new FieldError("", reason);
  }

  /** A problem with a member the reader knows by name (missing, unknown, duplicated). */
  static FieldError at(String segment, String reason) {
    return new FieldError(segment, reason);
  }

  FieldError under(String segment) {
    path = segment + path;
    return this;
  }

  /** Relative to the span, starting with {@code .} or {@code [} (empty for the span itself). */
  String path() {
    return path;
  }

  String reason() {
    return reason;
  }
}
