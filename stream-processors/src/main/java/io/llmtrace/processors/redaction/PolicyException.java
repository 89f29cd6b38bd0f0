package io.llmtrace.processors.redaction;

/** An invalid redaction policy; the message names the line and what is wrong. */
public class PolicyException extends RuntimeException {

  public PolicyException(String message) {
    super(message);
  }

  public PolicyException(String message, Throwable cause) {
    super(message, cause);
  }
}
