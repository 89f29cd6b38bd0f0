package io.llmtrace.stack.chdb;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/**
 * The part of libchdb's C API ({@code chdb.h}, chDB 26.x) the HTTP endpoint uses. {@code size_t} is
 * mapped to {@code long}: the library only ships for 64-bit platforms.
 */
interface ChdbNative extends Library {

  /** Returns a {@code chdb_connection*}; the connection itself is the pointer it points at. */
  Pointer chdb_connect(int argc, String[] argv);

  void chdb_close_conn(Pointer connectionRef);

  Pointer chdb_query_n(Pointer connection, byte[] query, long queryLength, byte[] format, long formatLength);

  Pointer chdb_result_buffer(Pointer result);

  long chdb_result_length(Pointer result);

  double chdb_result_elapsed(Pointer result);

  /** Rows in the result (chDB's naming: "read" by the client). */
  long chdb_result_rows_read(Pointer result);

  /** Rows the query read from tables: ClickHouse's {@code read_rows}. */
  long chdb_result_storage_rows_read(Pointer result);

  long chdb_result_storage_bytes_read(Pointer result);

  long chdb_result_bytes_read(Pointer result);

  long chdb_result_rows_written(Pointer result);

  long chdb_result_bytes_written(Pointer result);

  /** Null when the query succeeded. */
  String chdb_result_error(Pointer result);

  void chdb_destroy_query_result(Pointer result);

  /** Opt out of chDB's crash handlers; side effect: resets the deadly signals to SIG_DFL. */
  void chdb_set_signal_handlers_enabled(int enabled);
}
