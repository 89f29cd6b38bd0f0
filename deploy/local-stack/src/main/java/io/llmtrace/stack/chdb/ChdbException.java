package io.llmtrace.stack.chdb;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A query the engine refused. Carries ClickHouse's numeric error code parsed from the engine's
 * message ({@code Code: 60. DB::Exception: ...}) so the HTTP layer can answer like a server does.
 */
public final class ChdbException extends RuntimeException {

  private static final Pattern CODE = Pattern.compile("Code:\\s*(\\d+)");
  /** ClickHouse's UNKNOWN_EXCEPTION, used when the engine's message carries no code. */
  static final int UNKNOWN_EXCEPTION = 1002;

  private final int code;

  ChdbException(String engineMessage) {
    super(engineMessage.strip());
    Matcher matcher = CODE.matcher(engineMessage);
    this.code = matcher.find() ? Integer.parseInt(matcher.group(1)) : UNKNOWN_EXCEPTION;
  }

  ChdbException(int code, String message) {
    super(message);
    this.code = code;
  }

  /** ClickHouse error code, e.g. 62 for SYNTAX_ERROR, 60 for UNKNOWN_TABLE. */
  public int code() {
    return code;
  }
}
