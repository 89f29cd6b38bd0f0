package io.llmtrace.sink.db;

import com.clickhouse.client.api.ServerException;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Why an insert failed and what to do about it. {@link Kind#RETRIABLE}: the rows are fine and the
 * server or the path to it is not (network, timeouts, too many parts, memory, an insert whose outcome is
 * unknown); the same batch is sent again, with the same deduplication token, until it succeeds.
 * {@link Kind#REJECTED}: ClickHouse refused the values themselves; the sink splits the batch to find the
 * rows and dead-letters them. Anything not known to be about the data is retriable: a wrong table or a
 * missing column is an operator's problem, and dropping rows would make it a data-loss problem.
 */
public record InsertFailure(Kind kind, int serverCode, String message) {

  public enum Kind { RETRIABLE, REJECTED }

  /** Server error codes that mean "these values cannot be stored", from ClickHouse's ErrorCodes.cpp. */
  static final Set<Integer> REJECTED_CODES = Set.of(
      6,   // CANNOT_PARSE_TEXT
      26,  // CANNOT_PARSE_QUOTED_STRING
      27,  // CANNOT_PARSE_INPUT_ASSERTION_FAILED
      32,  // ATTEMPT_TO_READ_AFTER_EOF
      33,  // CANNOT_READ_ALL_DATA
      38,  // CANNOT_PARSE_DATE
      41,  // CANNOT_PARSE_DATETIME
      53,  // TYPE_MISMATCH
      69,  // ARGUMENT_OUT_OF_BOUND
      70,  // CANNOT_CONVERT_TYPE
      72,  // CANNOT_PARSE_NUMBER
      117, // INCORRECT_DATA
      131, // TOO_LARGE_STRING_SIZE
      321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
      349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
      469  // VIOLATED_CONSTRAINT
  );

  public boolean retriable() {
    return kind == Kind.RETRIABLE;
  }

  public static InsertFailure classify(Throwable error) {
    Throwable cause = unwrap(error);
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof ServerException server) {
        Kind kind = REJECTED_CODES.contains(server.getCode()) ? Kind.REJECTED : Kind.RETRIABLE;
        return new InsertFailure(kind, server.getCode(), firstLine(server.getMessage()));
      }
      if (t instanceof IOException || t instanceof TimeoutException) {
        return new InsertFailure(Kind.RETRIABLE, 0, t.getClass().getSimpleName() + ": " + firstLine(t.getMessage()));
      }
    }
    return new InsertFailure(Kind.RETRIABLE, 0, cause.getClass().getSimpleName() + ": " + firstLine(cause.getMessage()));
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int end = message.indexOf('\n');
    String line = end < 0 ? message : message.substring(0, end);
    return line.length() > 500 ? line.substring(0, 500) + "..." : line;
  }
}
