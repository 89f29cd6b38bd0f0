package io.llmtrace.schemas.registry;

import java.net.ConnectException;

/**
 * A schema registry call failed: the registry answered with an error, sent something unreadable, or
 * could not be reached. The message always names the registry URL, the subject and/or schema id, and
 * the HTTP status with the registry's {@code error_code} and message when there was an answer, so a
 * log line alone tells what to fix. {@link #isRetriable()} separates outages from wrong requests.
 */
public final class SchemaRegistryException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Confluent error code: subject not found. */
  public static final int SUBJECT_NOT_FOUND = 40401;
  /** Confluent error code: version not found. */
  public static final int VERSION_NOT_FOUND = 40402;
  /** Confluent error code: schema (or id) not found. */
  public static final int SCHEMA_NOT_FOUND = 40403;

  private final String url;
  private final String subject;
  private final Integer schemaId;
  private final int httpStatus;
  private final Integer errorCode;

  private SchemaRegistryException(
      String message, Throwable cause, String url, Call call, int httpStatus, Integer errorCode) {
    super(message, cause);
    this.url = url;
    this.subject = call.subject();
    this.schemaId = call.schemaId();
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  static SchemaRegistryException httpError(
      String url, Call call, int status, Integer errorCode, String registryMessage) {
    StringBuilder detail = new StringBuilder("HTTP ").append(status);
    if (errorCode != null || registryMessage != null) {
      detail.append(" (");
      if (errorCode != null) {
        detail.append("error_code ").append(errorCode);
        if (registryMessage != null) {
          detail.append(": ");
        }
      }
      if (registryMessage != null) {
        detail.append(registryMessage);
      }
      detail.append(')');
    }
    String message =
        "schema registry at " + url + " returned " + detail + " while " + call.description();
    return new SchemaRegistryException(message, null, url, call, status, errorCode);
  }

  static SchemaRegistryException unreachable(String urls, Call call, Throwable cause) {
    String message =
        "schema registry at " + urls + " unreachable while " + call.description() + ": "
            + rootMessage(cause);
    return new SchemaRegistryException(message, cause, urls, call, 0, null);
  }

  static SchemaRegistryException interrupted(String url, Call call, InterruptedException cause) {
    String message = "interrupted while " + call.description() + " at schema registry " + url;
    return new SchemaRegistryException(message, cause, url, call, 0, null);
  }

  static SchemaRegistryException badResponse(String url, Call call, String problem, Throwable cause) {
    String message =
        "schema registry at " + url + " sent an unusable response while " + call.description()
            + ": " + problem;
    return new SchemaRegistryException(message, cause, url, call, 200, null);
  }

  /** The registry base URL (or the comma-separated URLs tried when none answered). */
  public String url() {
    return url;
  }

  /** The subject of the call, or null when the call was by id only. */
  public String subject() {
    return subject;
  }

  /** The schema id of the call, or null when the call was by subject. */
  public Integer schemaId() {
    return schemaId;
  }

  /** The HTTP status the registry answered with, or 0 when it could not be reached. */
  public int httpStatus() {
    return httpStatus;
  }

  /** The registry's {@code error_code}, or null when it sent none. */
  public Integer errorCode() {
    return errorCode;
  }

  /** True for a 404 answer: the subject, version or id does not exist. */
  public boolean isNotFound() {
    return httpStatus == 404;
  }

  /**
   * True when trying again later may succeed (registry unreachable, 5xx, 408, 429); false when the
   * request itself is wrong (unknown id, incompatible schema, bad credentials).
   */
  public boolean isRetriable() {
    return httpStatus == 0 || httpStatus >= 500 || httpStatus == 408 || httpStatus == 429;
  }

  /**
   * The JDK's HTTP client reports a refused connection as a chain of ConnectException and
   * ClosedChannelException that all have null messages, so walk the chain for the first message and
   * otherwise name what a ConnectException means.
   */
  static String rootMessage(Throwable error) {
    boolean connectFailed = false;
    for (Throwable t = error; t != null && t != t.getCause(); t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getMessage();
      }
      connectFailed |= t instanceof ConnectException;
    }
    if (connectFailed) {
      return "Connection refused";
    }
    return error == null ? "unknown error" : error.getClass().getSimpleName();
  }

  /** What a registry call was doing, for error messages. */
  record Call(String description, String subject, Integer schemaId) {

    static Call byId(int id) {
      return new Call("fetching id " + id, null, id);
    }

    static Call onSubject(String action, String subject) {
      return new Call(action + " subject '" + subject + "'", subject, null);
    }
  }
}
