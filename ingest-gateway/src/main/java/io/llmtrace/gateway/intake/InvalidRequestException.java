package io.llmtrace.gateway.intake;

/**
 * The request as a whole is unusable (not JSON, not the expected shape, too many spans...). Carries a
 * machine-readable {@code code} and a message that says what and where; answered with HTTP 400 unless
 * {@code status} says otherwise.
 */
public final class InvalidRequestException extends RuntimeException {

  private final int status;
  private final String code;

  public InvalidRequestException(String code, String message) {
    this(400, code, message);
  }

  public InvalidRequestException(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }
}
